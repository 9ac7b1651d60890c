/**
 * AddPartitionsToTxn (key 24), versions 0-3 (v3+ flexible). v4+ (KIP-890, broker to broker, batched) is
 * not served: clients use 0-3.
 *
 *   Request v0-3  => transactional_id:string producer_id:int64 producer_epoch:int16
 *                    topics:[name:string partitions:[int32]]
 *   Response v0-3 => throttle_time_ms:int32 results:[name:string results:[partition_index:int32 error_code:int16]]
 *
 * v1 is v0; v2 allows PRODUCER_FENCED in answers (older versions get INVALID_PRODUCER_EPOCH instead).
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rInt32s, rString, rTags, wArray, wInt32s, wString, wTags } from './fields.ts';

export interface TxnTopicPartitions {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  topics: TxnTopicPartitions[];
}

export interface TxnPartitionResult {
  partitionIndex: number;
  errorCode: number;
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  results: { name: string; results: TxnPartitionResult[] }[];
}

const flexible = (version: number): boolean => version >= 3;

export function decodeAddPartitionsToTxnRequest(r: Reader, version: number): AddPartitionsToTxnRequest {
  const flex = flexible(version);
  const transactionalId = rString(r, flex);
  const producerId = r.int64n();
  const producerEpoch = r.int16();
  const topics = rArray(r, flex, (x) => {
    const name = rString(x, flex);
    const partitions = rInt32s(x, flex);
    rTags(x, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { transactionalId, producerId, producerEpoch, topics };
}

export function encodeAddPartitionsToTxnRequest(w: Writer, version: number, req: AddPartitionsToTxnRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.transactionalId);
  w.int64(req.producerId).int16(req.producerEpoch);
  wArray(w, flex, req.topics, (x, t) => {
    wString(x, flex, t.name);
    wInt32s(x, flex, t.partitions);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function encodeAddPartitionsToTxnResponse(w: Writer, version: number, res: AddPartitionsToTxnResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.results, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.results, (y, p) => {
      y.int32(p.partitionIndex).int16(p.errorCode);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeAddPartitionsToTxnResponse(r: Reader, version: number): AddPartitionsToTxnResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const results = rArray(r, flex, (x) => {
    const name = rString(x, flex);
    const results = rArray(x, flex, (y) => {
      const partitionIndex = y.int32();
      const errorCode = y.int16();
      rTags(y, flex);
      return { partitionIndex, errorCode };
    });
    rTags(x, flex);
    return { name, results };
  });
  rTags(r, flex);
  return { throttleTimeMs, results };
}
