/**
 * TxnOffsetCommit (key 28), versions 0-3 (v3+ flexible).
 *
 *   Request v0-1  => transactional_id:string group_id:string producer_id:int64 producer_epoch:int16
 *                    topics:[name:string partitions:[partition_index:int32 committed_offset:int64
 *                    committed_metadata:nullable_string]]
 *   Request v2    => partitions add committed_leader_epoch:int32 after committed_offset
 *   Request v3    => v2 flexible, plus generation_id:int32 member_id:string group_instance_id:nullable_string
 *                    after producer_epoch
 *   Response v0-3 => throttle_time_ms:int32 topics:[name:string partitions:[partition_index:int32 error_code:int16]]
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';
import type { TxnPartitionResult } from './add-partitions-to-txn.ts';

export interface TxnOffsetCommitPartition {
  partitionIndex: number;
  committedOffset: number;
  /** v2+; -1 below. */
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  /** v3+; -1, '' and null below. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: { name: string; partitions: TxnOffsetCommitPartition[] }[];
}

export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: { name: string; partitions: TxnPartitionResult[] }[];
}

const flexible = (version: number): boolean => version >= 3;

export function decodeTxnOffsetCommitRequest(r: Reader, version: number): TxnOffsetCommitRequest {
  const flex = flexible(version);
  const transactionalId = rString(r, flex);
  const groupId = rString(r, flex);
  const producerId = r.int64n();
  const producerEpoch = r.int16();
  const generationId = version >= 3 ? r.int32() : -1;
  const memberId = version >= 3 ? rString(r, flex) : '';
  const groupInstanceId = version >= 3 ? rNullableString(r, flex) : null;
  const topics = rArray(r, flex, (x) => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y): TxnOffsetCommitPartition => {
      const partitionIndex = y.int32();
      const committedOffset = y.int64n();
      const committedLeaderEpoch = version >= 2 ? y.int32() : -1;
      const committedMetadata = rNullableString(y, flex);
      rTags(y, flex);
      return { partitionIndex, committedOffset, committedLeaderEpoch, committedMetadata };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { transactionalId, groupId, producerId, producerEpoch, generationId, memberId, groupInstanceId, topics };
}

export function encodeTxnOffsetCommitRequest(w: Writer, version: number, req: TxnOffsetCommitRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.transactionalId);
  wString(w, flex, req.groupId);
  w.int64(req.producerId).int16(req.producerEpoch);
  if (version >= 3) {
    w.int32(req.generationId);
    wString(w, flex, req.memberId);
    wNullableString(w, flex, req.groupInstanceId);
  }
  wArray(w, flex, req.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partitionIndex).int64(p.committedOffset);
      if (version >= 2) y.int32(p.committedLeaderEpoch);
      wNullableString(y, flex, p.committedMetadata);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function encodeTxnOffsetCommitResponse(w: Writer, version: number, res: TxnOffsetCommitResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partitionIndex).int16(p.errorCode);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeTxnOffsetCommitResponse(r: Reader, version: number): TxnOffsetCommitResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const topics = rArray(r, flex, (x) => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y) => {
      const partitionIndex = y.int32();
      const errorCode = y.int16();
      rTags(y, flex);
      return { partitionIndex, errorCode };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { throttleTimeMs, topics };
}
