/**
 * WriteTxnMarkers (key 27), versions 0-1 (v1 flexible): broker to broker, the transaction coordinator
 * asking a partition's leader (here: the head of the partition's chain) to append commit or abort markers.
 *
 *   Request v0-1  => markers:[producer_id:int64 producer_epoch:int16 transaction_result:bool
 *                             topics:[name:string partition_indexes:[int32]] coordinator_epoch:int32]
 *   Response v0-1 => markers:[producer_id:int64 topics:[name:string partitions:[partition_index:int32 error_code:int16]]]
 *
 * transaction_result: true = COMMIT, false = ABORT. The response has no throttle time.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rInt32s, rString, rTags, wArray, wInt32s, wString, wTags } from './fields.ts';

export interface TxnMarkerEntry {
  producerId: number;
  producerEpoch: number;
  /** true = commit, false = abort. */
  transactionResult: boolean;
  topics: { name: string; partitionIndexes: number[] }[];
  coordinatorEpoch: number;
}

export interface WriteTxnMarkersRequest {
  markers: TxnMarkerEntry[];
}

export interface WriteTxnMarkersResponse {
  markers: { producerId: number; topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[] }[];
}

const flexible = (version: number): boolean => version >= 1;

export function decodeWriteTxnMarkersRequest(r: Reader, version: number): WriteTxnMarkersRequest {
  const flex = flexible(version);
  const markers = rArray(r, flex, (x) => {
    const producerId = x.int64n();
    const producerEpoch = x.int16();
    const transactionResult = x.boolean();
    const topics = rArray(x, flex, (y) => {
      const name = rString(y, flex);
      const partitionIndexes = rInt32s(y, flex);
      rTags(y, flex);
      return { name, partitionIndexes };
    });
    const coordinatorEpoch = x.int32();
    rTags(x, flex);
    return { producerId, producerEpoch, transactionResult, topics, coordinatorEpoch };
  });
  rTags(r, flex);
  return { markers };
}

export function encodeWriteTxnMarkersRequest(w: Writer, version: number, req: WriteTxnMarkersRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.markers, (x, m) => {
    x.int64(m.producerId).int16(m.producerEpoch).boolean(m.transactionResult);
    wArray(x, flex, m.topics, (y, t) => {
      wString(y, flex, t.name);
      wInt32s(y, flex, t.partitionIndexes);
      wTags(y, flex);
    });
    x.int32(m.coordinatorEpoch);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function encodeWriteTxnMarkersResponse(w: Writer, version: number, res: WriteTxnMarkersResponse): void {
  const flex = flexible(version);
  wArray(w, flex, res.markers, (x, m) => {
    x.int64(m.producerId);
    wArray(x, flex, m.topics, (y, t) => {
      wString(y, flex, t.name);
      wArray(y, flex, t.partitions, (z, p) => {
        z.int32(p.partitionIndex).int16(p.errorCode);
        wTags(z, flex);
      });
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeWriteTxnMarkersResponse(r: Reader, version: number): WriteTxnMarkersResponse {
  const flex = flexible(version);
  const markers = rArray(r, flex, (x) => {
    const producerId = x.int64n();
    const topics = rArray(x, flex, (y) => {
      const name = rString(y, flex);
      const partitions = rArray(y, flex, (z) => {
        const partitionIndex = z.int32();
        const errorCode = z.int16();
        rTags(z, flex);
        return { partitionIndex, errorCode };
      });
      rTags(y, flex);
      return { name, partitions };
    });
    rTags(x, flex);
    return { producerId, topics };
  });
  rTags(r, flex);
  return { markers };
}
