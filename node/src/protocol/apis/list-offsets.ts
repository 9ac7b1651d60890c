/**
 * ListOffsets (key 2), versions 0-8 in this codec (v6+ flexible; v7 and v8 repeat v6's layout).
 *
 *   Request v0    => replica_id:int32 [topic: name:string
 *                      [partition: partition_index:int32 timestamp:int64 max_num_offsets:int32]]
 *   Request v1    => v0 without max_num_offsets
 *   Request v2-3  => isolation_level:int8 after replica_id
 *   Request v4-5  => partitions add current_leader_epoch:int32 after partition_index
 *   Request v6    => v5 flexible
 *   Request v7-8  => v6 (v7 allows timestamp -3, v8 -4)
 *
 *   Response v0   => [topic: name:string [partition: partition_index:int32 error_code:int16 old_style_offsets:[int64]]]
 *   Response v1   => partitions carry timestamp:int64 offset:int64 instead of old_style_offsets
 *   Response v2-3 => throttle_time_ms:int32 first
 *   Response v4-5 => partitions add leader_epoch:int32 after offset
 *   Response v6   => v5 flexible
 *   Response v7-8 => v6
 *
 * timestamp -1 asks for the log end (latest), -2 for the log start (earliest), -3 (v7+, KIP-734) for the
 * record with the largest timestamp, -4 (v8+, KIP-405) for the earliest local offset.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rString, rTags, wArray, wString, wTags } from './fields.ts';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL_TIMESTAMP = -4;

export interface ListOffsetsPartition {
  partitionIndex: number;
  /** v4+; -1 = unknown. */
  currentLeaderEpoch: number;
  timestamp: number;
  /** v0 only; 1 otherwise. */
  maxNumOffsets: number;
}

export interface ListOffsetsTopic {
  name: string;
  partitions: ListOffsetsPartition[];
}

export interface ListOffsetsRequest {
  replicaId: number;
  /** v2+. */
  isolationLevel: number;
  topics: ListOffsetsTopic[];
}

export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  /** v0 only. */
  oldStyleOffsets: number[];
  /** v1+. */
  timestamp: number;
  /** v1+. */
  offset: number;
  /** v4+. */
  leaderEpoch: number;
}

export interface ListOffsetsTopicResponse {
  name: string;
  partitions: ListOffsetsPartitionResponse[];
}

export interface ListOffsetsResponse {
  /** v2+. */
  throttleTimeMs: number;
  topics: ListOffsetsTopicResponse[];
}

const flexible = (version: number): boolean => version >= 6;

/** Decodes a ListOffsets request body. */
export function decodeListOffsetsRequest(r: Reader, version: number): ListOffsetsRequest {
  const flex = flexible(version);
  const replicaId = r.int32();
  const isolationLevel = version >= 2 ? r.int8() : 0;
  const topics = rArray(r, flex, (x): ListOffsetsTopic => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y): ListOffsetsPartition => {
      const partitionIndex = y.int32();
      const currentLeaderEpoch = version >= 4 ? y.int32() : -1;
      const timestamp = y.int64n();
      const maxNumOffsets = version === 0 ? y.int32() : 1;
      rTags(y, flex);
      return { partitionIndex, currentLeaderEpoch, timestamp, maxNumOffsets };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { replicaId, isolationLevel, topics };
}

/** Encodes a ListOffsets request body. */
export function encodeListOffsetsRequest(w: Writer, version: number, req: ListOffsetsRequest): void {
  const flex = flexible(version);
  w.int32(req.replicaId);
  if (version >= 2) w.int8(req.isolationLevel);
  wArray(w, flex, req.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partitionIndex);
      if (version >= 4) y.int32(p.currentLeaderEpoch);
      y.int64(p.timestamp);
      if (version === 0) y.int32(p.maxNumOffsets);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

/** Encodes a ListOffsets response body. */
export function encodeListOffsetsResponse(w: Writer, version: number, res: ListOffsetsResponse): void {
  const flex = flexible(version);
  if (version >= 2) w.int32(res.throttleTimeMs);
  wArray(w, flex, res.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partitionIndex).int16(p.errorCode);
      if (version === 0) wArray(y, flex, p.oldStyleOffsets, (z, o) => z.int64(o));
      else y.int64(p.timestamp).int64(p.offset);
      if (version >= 4) y.int32(p.leaderEpoch);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

/** Decodes a ListOffsets response body. */
export function decodeListOffsetsResponse(r: Reader, version: number): ListOffsetsResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 2 ? r.int32() : 0;
  const topics = rArray(r, flex, (x): ListOffsetsTopicResponse => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y): ListOffsetsPartitionResponse => {
      const partitionIndex = y.int32();
      const errorCode = y.int16();
      const oldStyleOffsets = version === 0 ? rArray(y, flex, (z) => z.int64n()) : [];
      const timestamp = version >= 1 ? y.int64n() : -1;
      const offset = version >= 1 ? y.int64n() : -1;
      const leaderEpoch = version >= 4 ? y.int32() : -1;
      rTags(y, flex);
      return { partitionIndex, errorCode, oldStyleOffsets, timestamp, offset, leaderEpoch };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { throttleTimeMs, topics };
}
