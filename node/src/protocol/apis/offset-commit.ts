/**
 * OffsetCommit (key 8), versions 0-8 (v8 flexible).
 *
 *   Request v0    => group_id:string [topic: name:string [partition: partition_index:int32
 *                      committed_offset:int64 committed_metadata:nullable_string]]
 *   Request v1    => generation_id:int32 member_id:string after group_id; partitions add
 *                    commit_timestamp:int64 after committed_offset
 *   Request v2-4  => v1 without commit_timestamp, with retention_time_ms:int64 after member_id
 *   Request v5-6  => without retention_time_ms; v6 partitions add committed_leader_epoch:int32 after offset
 *   Request v7    => group_instance_id:nullable_string after member_id
 *   Request v8    => v7 flexible
 *
 *   Response v0-2 => [topic: name:string [partition: partition_index:int32 error_code:int16]]
 *   Response v3-7 => throttle_time_ms:int32 first
 *   Response v8   => v7 flexible
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export interface OffsetCommitPartition {
  partitionIndex: number;
  committedOffset: number;
  /** v6+; -1 = unknown. */
  committedLeaderEpoch: number;
  /** v1 only; -1 = now. */
  commitTimestamp: number;
  committedMetadata: string | null;
}

export interface OffsetCommitTopic {
  name: string;
  partitions: OffsetCommitPartition[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** v1+; -1 for a commit from outside any generation (a "simple" consumer). */
  generationId: number;
  /** v1+. */
  memberId: string;
  /** v7+. */
  groupInstanceId: string | null;
  /** v2-4; -1 = broker default. */
  retentionTimeMs: number;
  topics: OffsetCommitTopic[];
}

export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

const flexible = (version: number): boolean => version >= 8;

export function decodeOffsetCommitRequest(r: Reader, version: number): OffsetCommitRequest {
  const flex = flexible(version);
  const groupId = rString(r, flex);
  const generationId = version >= 1 ? r.int32() : -1;
  const memberId = version >= 1 ? rString(r, flex) : '';
  const groupInstanceId = version >= 7 ? rNullableString(r, flex) : null;
  const retentionTimeMs = version >= 2 && version <= 4 ? r.int64n() : -1;
  const topics = rArray(r, flex, (t): OffsetCommitTopic => {
    const name = rString(t, flex);
    const partitions = rArray(t, flex, (p): OffsetCommitPartition => {
      const partitionIndex = p.int32();
      const committedOffset = p.int64n();
      const committedLeaderEpoch = version >= 6 ? p.int32() : -1;
      const commitTimestamp = version === 1 ? p.int64n() : -1;
      const committedMetadata = rNullableString(p, flex);
      rTags(p, flex);
      return { partitionIndex, committedOffset, committedLeaderEpoch, commitTimestamp, committedMetadata };
    });
    rTags(t, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { groupId, generationId, memberId, groupInstanceId, retentionTimeMs, topics };
}

export function encodeOffsetCommitRequest(w: Writer, version: number, req: OffsetCommitRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.groupId);
  if (version >= 1) {
    w.int32(req.generationId);
    wString(w, flex, req.memberId);
  }
  if (version >= 7) wNullableString(w, flex, req.groupInstanceId);
  if (version >= 2 && version <= 4) w.int64(req.retentionTimeMs);
  wArray(w, flex, req.topics, (t, topic) => {
    wString(t, flex, topic.name);
    wArray(t, flex, topic.partitions, (p, x) => {
      p.int32(x.partitionIndex).int64(x.committedOffset);
      if (version >= 6) p.int32(x.committedLeaderEpoch);
      if (version === 1) p.int64(x.commitTimestamp);
      wNullableString(p, flex, x.committedMetadata);
      wTags(p, flex);
    });
    wTags(t, flex);
  });
  wTags(w, flex);
}

export function encodeOffsetCommitResponse(w: Writer, version: number, res: OffsetCommitResponse): void {
  const flex = flexible(version);
  if (version >= 3) w.int32(res.throttleTimeMs);
  wArray(w, flex, res.topics, (t, topic) => {
    wString(t, flex, topic.name);
    wArray(t, flex, topic.partitions, (p, x) => {
      p.int32(x.partitionIndex).int16(x.errorCode);
      wTags(p, flex);
    });
    wTags(t, flex);
  });
  wTags(w, flex);
}

export function decodeOffsetCommitResponse(r: Reader, version: number): OffsetCommitResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 3 ? r.int32() : 0;
  const topics = rArray(r, flex, (t) => {
    const name = rString(t, flex);
    const partitions = rArray(t, flex, (p) => {
      const partitionIndex = p.int32();
      const errorCode = p.int16();
      rTags(p, flex);
      return { partitionIndex, errorCode };
    });
    rTags(t, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { throttleTimeMs, topics };
}
