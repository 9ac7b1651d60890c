/**
 * The requests the native client sends, each at one fixed version that every vonnegut node speaks
 * (api-keys.ts advertises 0..max for all of them): non-flexible versions, which are the cheaper to
 * encode, with every field the client uses. Pure builders of RequestSpecs; nothing here does I/O.
 */
import { ApiKey } from '../protocol/api-keys.ts';
import {
  decodeCreateTopicsResponse, decodeDeleteTopicsResponse, decodeFetchResponse, decodeListOffsetsResponse, decodeMetadataResponse,
  decodeProduceResponse, encodeCreateTopicsRequest, encodeDeleteTopicsRequest, encodeFetchRequest, encodeListOffsetsRequest,
  encodeMetadataRequest, encodeProduceRequest, ZERO_UUID, decodeInitProducerIdResponse, encodeInitProducerIdRequest,
  type InitProducerIdResponse,
  type CreateTopicsResponse, type DeleteTopicsResponse, type FetchResponse, type ListOffsetsResponse, type MetadataResponse,
  type ProduceResponse,
} from '../protocol/apis/index.ts';
import type { RequestSpec } from './connection.ts';

/** The version the client uses for each API. */
export const CLIENT_VERSIONS = {
  metadata: 7,
  produce: 7,
  /** 11: has preferred_read_replica, still non-flexible. */
  fetch: 11,
  /** 2: offset and timestamp per partition, isolation level. */
  listOffsets: 2,
  createTopics: 4,
  deleteTopics: 3,
  /** 1: the last non-flexible version; no transactional id, no epoch bump. */
  initProducerId: 1,
} as const;

/** Metadata for all topics (null) or some; auto-creation only applies to named topics. */
export function metadataRequest(topics: string[] | null, autoCreate: boolean): RequestSpec<MetadataResponse> {
  const v = CLIENT_VERSIONS.metadata;
  return {
    apiKey: ApiKey.Metadata,
    version: v,
    encode: (w) => encodeMetadataRequest(w, v, {
      topics: topics === null ? null : topics.map((name) => ({ topicId: ZERO_UUID, name })),
      allowAutoTopicCreation: autoCreate,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    }),
    decode: (r) => decodeMetadataResponse(r, v),
  };
}

/** Produce of one encoded record batch (or several, concatenated) to one partition. */
export function produceRequest(topic: string, partition: number, records: Buffer, acks: number, timeoutMs: number): RequestSpec<ProduceResponse> {
  const v = CLIENT_VERSIONS.produce;
  return {
    apiKey: ApiKey.Produce,
    version: v,
    encode: (w) => encodeProduceRequest(w, v, { transactionalId: null, acks, timeoutMs, topics: [{ name: topic, partitions: [{ index: partition, records }] }] }),
    decode: (r) => decodeProduceResponse(r, v),
  };
}

export interface FetchParams {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
  maxWaitMs: number;
  minBytes: number;
}

/** Fetch of one partition from `offset`, as a consumer (replica id -1, read_uncommitted: vonnegut has no transactions). */
export function fetchRequest(p: FetchParams): RequestSpec<FetchResponse> {
  const v = CLIENT_VERSIONS.fetch;
  return {
    apiKey: ApiKey.Fetch,
    version: v,
    extraTimeoutMs: p.maxWaitMs,
    encode: (w) => encodeFetchRequest(w, v, {
      replicaId: -1, maxWaitMs: p.maxWaitMs, minBytes: p.minBytes, maxBytes: p.maxBytes, isolationLevel: 0,
      sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [], rackId: '',
      topics: [{
        topic: p.topic,
        partitions: [{ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: p.maxBytes }],
      }],
    }),
    decode: (r) => decodeFetchResponse(r, v),
  };
}

/** CreateTopics for one topic with the broker's default replication (the chain decides). */
export function createTopicsRequest(name: string, partitions: number, timeoutMs: number): RequestSpec<CreateTopicsResponse> {
  const v = CLIENT_VERSIONS.createTopics;
  return {
    apiKey: ApiKey.CreateTopics,
    version: v,
    extraTimeoutMs: timeoutMs,
    encode: (w) => encodeCreateTopicsRequest(w, v, {
      topics: [{ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs,
      validateOnly: false,
    }),
    decode: (r) => decodeCreateTopicsResponse(r, v),
  };
}

/** DeleteTopics for one topic. */
export function deleteTopicsRequest(name: string, timeoutMs: number): RequestSpec<DeleteTopicsResponse> {
  const v = CLIENT_VERSIONS.deleteTopics;
  return {
    apiKey: ApiKey.DeleteTopics,
    version: v,
    extraTimeoutMs: timeoutMs,
    encode: (w) => encodeDeleteTopicsRequest(w, v, { topicNames: [name], timeoutMs }),
    decode: (r) => decodeDeleteTopicsResponse(r, v),
  };
}

/** ListOffsets of one partition at `timestamp` (-2 earliest, -1 latest = the high-water mark). */
export function listOffsetsRequest(topic: string, partition: number, timestamp: number): RequestSpec<ListOffsetsResponse> {
  const v = CLIENT_VERSIONS.listOffsets;
  return {
    apiKey: ApiKey.ListOffsets,
    version: v,
    encode: (w) => encodeListOffsetsRequest(w, v, {
      replicaId: -1, isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }],
    }),
    decode: (r) => decodeListOffsetsResponse(r, v),
  };
}

/** InitProducerId for an idempotent (not transactional) producer. */
export function initProducerIdRequest(): RequestSpec<InitProducerIdResponse> {
  const v = CLIENT_VERSIONS.initProducerId;
  return {
    apiKey: ApiKey.InitProducerId,
    version: v,
    encode: (w) => encodeInitProducerIdRequest(w, v, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }),
    decode: (r) => decodeInitProducerIdResponse(r, v),
  };
}
