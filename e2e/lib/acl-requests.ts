/**
 * The raw requests ACL tests send to read exact error codes: each takes an open (possibly authenticated)
 * KafkaWire and returns the error codes that matter, so a test can ask the same thing as several principals.
 */
import { ApiKey } from '../../node/src/protocol/api-keys.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../../node/src/protocol/apis/create-topics.ts';
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from '../../node/src/protocol/apis/delete-topics.ts';
import { decodeInitProducerIdResponse, encodeInitProducerIdRequest } from '../../node/src/protocol/apis/init-producer-id.ts';
import { decodeJoinGroupResponse, encodeJoinGroupRequest } from '../../node/src/protocol/apis/join-group.ts';
import { decodeMetadataResponse, encodeMetadataRequest, type MetadataResponse } from '../../node/src/protocol/apis/metadata.ts';
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest } from '../../node/src/protocol/apis/offset-commit.ts';
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest } from '../../node/src/protocol/apis/offset-fetch.ts';
import type { KafkaWire } from './kafka-wire.ts';

/** Metadata v9 for the topics by name (null: all topics). */
export async function metadata(w: KafkaWire, topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
  return decodeMetadataResponse(await w.send(ApiKey.Metadata, 9, (x) => encodeMetadataRequest(x, 9, {
    topics: topics === null ? null : topics.map((name) => ({ topicId: Buffer.alloc(16), name })),
    allowAutoTopicCreation,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  })), 9);
}

/** A first JoinGroup (v5, no member id); its error code. */
export async function joinGroup(w: KafkaWire, groupId: string): Promise<number> {
  return decodeJoinGroupResponse(await w.send(ApiKey.JoinGroup, 5, (x) => encodeJoinGroupRequest(x, 5, {
    groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], reason: null,
  })), 5).errorCode;
}

/** InitProducerId for an idempotent (not transactional) producer; its error code. */
export async function initProducerId(w: KafkaWire): Promise<number> {
  return decodeInitProducerIdResponse(await w.send(ApiKey.InitProducerId, 1, (x) => encodeInitProducerIdRequest(x, 1, {
    transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1,
  })), 1).errorCode;
}

/** A commit from outside any generation (a "simple" consumer): topic -> that topic's partition 0 error code. */
export async function commitOffsets(w: KafkaWire, groupId: string, topics: string[], offset: number): Promise<Record<string, number>> {
  const res = decodeOffsetCommitResponse(await w.send(ApiKey.OffsetCommit, 2, (x) => encodeOffsetCommitRequest(x, 2, {
    groupId, generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
    topics: topics.map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] })),
  })), 2);
  return Object.fromEntries(res.topics.map((t) => [t.name, t.partitions[0]!.errorCode]));
}

/** OffsetFetch v3 for the group (null topics: all it has): the group error and topic -> [offset, error]. */
export async function fetchOffsets(w: KafkaWire, groupId: string, topics: string[] | null): Promise<{ errorCode: number; topics: Record<string, [number, number]> }> {
  const res = decodeOffsetFetchResponse(await w.send(ApiKey.OffsetFetch, 3, (x) => encodeOffsetFetchRequest(x, 3, {
    groups: [{ groupId, topics: topics === null ? null : topics.map((name) => ({ name, partitionIndexes: [0] })) }], requireStable: false,
  })), 3, groupId);
  const g = res.groups[0]!;
  return { errorCode: g.errorCode, topics: Object.fromEntries(g.topics.map((t) => [t.name, [t.partitions[0]!.committedOffset, t.partitions[0]!.errorCode]])) };
}

/** CreateTopics v2 for one single-partition topic; its error code. */
export async function createTopic(w: KafkaWire, name: string): Promise<number> {
  return decodeCreateTopicsResponse(await w.send(ApiKey.CreateTopics, 2, (x) => encodeCreateTopicsRequest(x, 2, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false,
  })), 2).topics[0]!.errorCode;
}

/** DeleteTopics v1 for one topic; its error code. */
export async function deleteTopic(w: KafkaWire, name: string): Promise<number> {
  return decodeDeleteTopicsResponse(await w.send(ApiKey.DeleteTopics, 1, (x) => encodeDeleteTopicsRequest(x, 1, { topicNames: [name], timeoutMs: 5000 })), 1).responses[0]!.errorCode;
}
