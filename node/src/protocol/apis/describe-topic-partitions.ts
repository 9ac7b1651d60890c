/**
 * DescribeTopicPartitions (key 75), version 0 (flexible; KIP-966). Kafka 3.8+'s admin client describes
 * topics with it instead of Metadata; answers are paged by partitions.
 *
 *   Request v0  => topics:[name:string _tagged] response_partition_limit:int32
 *                  cursor:nullable(topic_name:string partition_index:int32 _tagged) _tagged
 *   Response v0 => throttle_time_ms:int32
 *                  [topic: error_code:int16 name:nullable_string topic_id:uuid is_internal:bool
 *                     [partition: error_code:int16 partition_index:int32 leader_id:int32 leader_epoch:int32
 *                                 replica_nodes:[int32] isr_nodes:[int32]
 *                                 eligible_leader_replicas:nullable [int32] last_known_elr:nullable [int32]
 *                                 offline_replicas:[int32] _tagged]
 *                     topic_authorized_operations:int32 _tagged]
 *                  next_cursor:nullable(topic_name:string partition_index:int32 _tagged) _tagged
 *
 * A nullable struct is an int8 marker (-1 null, 1 present) followed by the struct's fields.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rInt32s, rNullableArray, rNullableString, rString, rTags, wArray, wInt32s, wNullableArray, wNullableString, wString, wTags } from './fields.ts';
import type { MetadataPartition } from './metadata.ts';

/** Kafka's default response_partition_limit. */
export const DEFAULT_PARTITION_LIMIT = 2000;

export interface TopicPartitionsCursor {
  topicName: string;
  partitionIndex: number;
}

export interface DescribeTopicPartitionsRequest {
  topics: string[];
  responsePartitionLimit: number;
  cursor: TopicPartitionsCursor | null;
}

/** A partition as Metadata describes it, plus KIP-966's fields. */
export interface DescribedPartition extends MetadataPartition {
  /** KIP-966's eligible leader replicas: chains have none, null. */
  eligibleLeaderReplicas: number[] | null;
  lastKnownElr: number[] | null;
}

export interface DescribedTopic {
  errorCode: number;
  name: string | null;
  topicId: Buffer;
  isInternal: boolean;
  partitions: DescribedPartition[];
  topicAuthorizedOperations: number;
}

export interface DescribeTopicPartitionsResponse {
  throttleTimeMs: number;
  topics: DescribedTopic[];
  nextCursor: TopicPartitionsCursor | null;
}

const FLEX = true;

function rCursor(r: Reader): TopicPartitionsCursor | null {
  if (r.int8() < 0) return null;
  const cursor = { topicName: r.compactString(), partitionIndex: r.int32() };
  r.taggedFields();
  return cursor;
}

function wCursor(w: Writer, c: TopicPartitionsCursor | null): void {
  if (c === null) {
    w.int8(-1);
    return;
  }
  w.int8(1).compactString(c.topicName).int32(c.partitionIndex).taggedFields();
}

/** Decodes a DescribeTopicPartitions request body. */
export function decodeDescribeTopicPartitionsRequest(r: Reader, _version: number): DescribeTopicPartitionsRequest {
  const topics = rArray(r, FLEX, (x) => {
    const name = rString(x, FLEX);
    rTags(x, FLEX);
    return name;
  });
  const responsePartitionLimit = r.int32();
  const cursor = rCursor(r);
  rTags(r, FLEX);
  return { topics, responsePartitionLimit, cursor };
}

/** Encodes a DescribeTopicPartitions request body. */
export function encodeDescribeTopicPartitionsRequest(w: Writer, _version: number, req: DescribeTopicPartitionsRequest): void {
  wArray(w, FLEX, req.topics, (x, name) => {
    wString(x, FLEX, name);
    wTags(x, FLEX);
  });
  w.int32(req.responsePartitionLimit);
  wCursor(w, req.cursor);
  wTags(w, FLEX);
}

/** Encodes a DescribeTopicPartitions response body. */
export function encodeDescribeTopicPartitionsResponse(w: Writer, _version: number, res: DescribeTopicPartitionsResponse): void {
  w.int32(res.throttleTimeMs);
  wArray(w, FLEX, res.topics, (x, t) => {
    x.int16(t.errorCode);
    wNullableString(x, FLEX, t.name);
    x.uuid(t.topicId).boolean(t.isInternal);
    wArray(x, FLEX, t.partitions, (y, p) => {
      y.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId).int32(p.leaderEpoch);
      wInt32s(y, FLEX, p.replicaNodes);
      wInt32s(y, FLEX, p.isrNodes);
      wNullableArray(y, FLEX, p.eligibleLeaderReplicas, (z, n) => z.int32(n));
      wNullableArray(y, FLEX, p.lastKnownElr, (z, n) => z.int32(n));
      wInt32s(y, FLEX, p.offlineReplicas);
      wTags(y, FLEX);
    });
    x.int32(t.topicAuthorizedOperations);
    wTags(x, FLEX);
  });
  wCursor(w, res.nextCursor);
  wTags(w, FLEX);
}

/** Decodes a DescribeTopicPartitions response body. */
export function decodeDescribeTopicPartitionsResponse(r: Reader, _version: number): DescribeTopicPartitionsResponse {
  const throttleTimeMs = r.int32();
  const topics = rArray(r, FLEX, (x): DescribedTopic => {
    const errorCode = x.int16();
    const name = rNullableString(x, FLEX);
    const topicId = x.uuid();
    const isInternal = x.boolean();
    const partitions = rArray(x, FLEX, (y): DescribedPartition => {
      const p = {
        errorCode: y.int16(), partitionIndex: y.int32(), leaderId: y.int32(), leaderEpoch: y.int32(),
        replicaNodes: rInt32s(y, FLEX), isrNodes: rInt32s(y, FLEX),
        eligibleLeaderReplicas: rNullableArray(y, FLEX, (z) => z.int32()), lastKnownElr: rNullableArray(y, FLEX, (z) => z.int32()),
        offlineReplicas: rInt32s(y, FLEX),
      };
      rTags(y, FLEX);
      return p;
    });
    const topicAuthorizedOperations = x.int32();
    rTags(x, FLEX);
    return { errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations };
  });
  const nextCursor = rCursor(r);
  rTags(r, FLEX);
  return { throttleTimeMs, topics, nextCursor };
}
