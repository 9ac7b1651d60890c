/**
 * OffsetFetch (key 9), versions 0-8 (v6+ flexible).
 *
 *   Request v0-1  => group_id:string [topic: name:string partition_indexes:[int32]]
 *   Request v2-5  => topics may be null: every partition the group has offsets for
 *   Request v6    => v5 flexible
 *   Request v7    => require_stable:bool at the end
 *   Request v8    => [group: group_id:string topics:nullable [name partition_indexes]] require_stable:bool
 *
 *   Response v0-1 => [topic: name:string [partition: partition_index:int32 committed_offset:int64
 *                      metadata:nullable_string error_code:int16]]
 *   Response v2   => v1 error_code:int16 at the end
 *   Response v3-4 => throttle_time_ms:int32 first
 *   Response v5   => partitions add committed_leader_epoch:int32 after committed_offset
 *   Response v6-7 => v5 flexible
 *   Response v8   => throttle_time_ms [group: group_id [topic: name [partition: partition_index
 *                      committed_offset committed_leader_epoch metadata error_code]] error_code]
 *
 * Offsets are from v1 on read from the group's committed log (v0 read ZooKeeper in Kafka; here the same).
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rInt32s, rNullableArray, rNullableString, rString, rTags, wArray, wInt32s, wNullableArray, wNullableString, wString, wTags } from './fields.ts';

export interface OffsetFetchTopicRequest {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchGroupRequest {
  groupId: string;
  /** null = every partition with a committed offset (v2+). */
  topics: OffsetFetchTopicRequest[] | null;
}

export interface OffsetFetchRequest {
  /** Exactly one group below v8. */
  groups: OffsetFetchGroupRequest[];
  /** v7+. */
  requireStable: boolean;
}

export interface OffsetFetchPartition {
  partitionIndex: number;
  committedOffset: number;
  /** v5+. */
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchGroupResponse {
  groupId: string;
  topics: { name: string; partitions: OffsetFetchPartition[] }[];
  /** Group-level error (v2+; below v2 it goes to every partition). */
  errorCode: number;
}

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  /** Exactly one group below v8. */
  groups: OffsetFetchGroupResponse[];
}

const flexible = (version: number): boolean => version >= 6;

function rTopics(r: Reader, version: number, flex: boolean): OffsetFetchTopicRequest[] | null {
  const item = (t: Reader): OffsetFetchTopicRequest => {
    const name = rString(t, flex);
    const partitionIndexes = rInt32s(t, flex);
    rTags(t, flex);
    return { name, partitionIndexes };
  };
  return version >= 2 ? rNullableArray(r, flex, item) : rArray(r, flex, item);
}

function wTopics(w: Writer, flex: boolean, topics: OffsetFetchTopicRequest[] | null): void {
  wNullableArray(w, flex, topics, (t, x) => {
    wString(t, flex, x.name);
    wInt32s(t, flex, x.partitionIndexes);
    wTags(t, flex);
  });
}

export function decodeOffsetFetchRequest(r: Reader, version: number): OffsetFetchRequest {
  const flex = flexible(version);
  let groups: OffsetFetchGroupRequest[];
  if (version >= 8) {
    groups = rArray(r, flex, (g): OffsetFetchGroupRequest => {
      const groupId = rString(g, flex);
      const topics = rTopics(g, version, flex);
      rTags(g, flex);
      return { groupId, topics };
    });
  } else {
    const groupId = rString(r, flex);
    groups = [{ groupId, topics: rTopics(r, version, flex) }];
  }
  const requireStable = version >= 7 ? r.boolean() : false;
  rTags(r, flex);
  return { groups, requireStable };
}

export function encodeOffsetFetchRequest(w: Writer, version: number, req: OffsetFetchRequest): void {
  const flex = flexible(version);
  if (version >= 8) {
    wArray(w, flex, req.groups, (g, x) => {
      wString(g, flex, x.groupId);
      wTopics(g, flex, x.topics);
      wTags(g, flex);
    });
  } else {
    const g = req.groups[0]!;
    wString(w, flex, g.groupId);
    wTopics(w, flex, g.topics);
  }
  if (version >= 7) w.boolean(req.requireStable);
  wTags(w, flex);
}

function wPartitions(w: Writer, version: number, flex: boolean, parts: OffsetFetchPartition[], groupError: number): void {
  wArray(w, flex, parts, (p, x) => {
    p.int32(x.partitionIndex).int64(x.committedOffset);
    if (version >= 5) p.int32(x.committedLeaderEpoch);
    wNullableString(p, flex, x.metadata);
    // Below v2 there is no group-level error: clients read it from the partitions.
    p.int16(version < 2 && groupError !== 0 ? groupError : x.errorCode);
    wTags(p, flex);
  });
}

function rPartitions(r: Reader, version: number, flex: boolean): OffsetFetchPartition[] {
  return rArray(r, flex, (p): OffsetFetchPartition => {
    const partitionIndex = p.int32();
    const committedOffset = p.int64n();
    const committedLeaderEpoch = version >= 5 ? p.int32() : -1;
    const metadata = rNullableString(p, flex);
    const errorCode = p.int16();
    rTags(p, flex);
    return { partitionIndex, committedOffset, committedLeaderEpoch, metadata, errorCode };
  });
}

function wGroupTopics(w: Writer, version: number, flex: boolean, g: OffsetFetchGroupResponse): void {
  wArray(w, flex, g.topics, (t, x) => {
    wString(t, flex, x.name);
    wPartitions(t, version, flex, x.partitions, g.errorCode);
    wTags(t, flex);
  });
}

function rGroupTopics(r: Reader, version: number, flex: boolean): OffsetFetchGroupResponse['topics'] {
  return rArray(r, flex, (t) => {
    const name = rString(t, flex);
    const partitions = rPartitions(t, version, flex);
    rTags(t, flex);
    return { name, partitions };
  });
}

export function encodeOffsetFetchResponse(w: Writer, version: number, res: OffsetFetchResponse): void {
  const flex = flexible(version);
  if (version >= 3) w.int32(res.throttleTimeMs);
  if (version >= 8) {
    wArray(w, flex, res.groups, (g, x) => {
      wString(g, flex, x.groupId);
      wGroupTopics(g, version, flex, x);
      g.int16(x.errorCode);
      wTags(g, flex);
    });
  } else {
    const g = res.groups[0]!;
    wGroupTopics(w, version, flex, g);
    if (version >= 2) w.int16(g.errorCode);
  }
  wTags(w, flex);
}

export function decodeOffsetFetchResponse(r: Reader, version: number, groupId = ''): OffsetFetchResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 3 ? r.int32() : 0;
  let groups: OffsetFetchGroupResponse[];
  if (version >= 8) {
    groups = rArray(r, flex, (g): OffsetFetchGroupResponse => {
      const id = rString(g, flex);
      const topics = rGroupTopics(g, version, flex);
      const errorCode = g.int16();
      rTags(g, flex);
      return { groupId: id, topics, errorCode };
    });
  } else {
    const topics = rGroupTopics(r, version, flex);
    const errorCode = version >= 2 ? r.int16() : 0;
    groups = [{ groupId, topics, errorCode }];
  }
  rTags(r, flex);
  return { throttleTimeMs, groups };
}
