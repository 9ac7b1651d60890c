/**
 * Test registry: every API codec with sample request/response bodies per version. A sample holds
 * realistic values in the fields that version carries and the decoder's defaults in the others, so
 * decode(encode(sample)) must equal the sample exactly.
 */
import type { Reader } from '../../src/protocol/reader.ts';
import type { Writer } from '../../src/protocol/writer.ts';
import * as av from '../../src/protocol/apis/api-versions.ts';
import * as md from '../../src/protocol/apis/metadata.ts';
import * as pr from '../../src/protocol/apis/produce.ts';
import * as fe from '../../src/protocol/apis/fetch.ts';
import * as lo from '../../src/protocol/apis/list-offsets.ts';
import * as ct from '../../src/protocol/apis/create-topics.ts';
import * as dt from '../../src/protocol/apis/delete-topics.ts';
import * as sh from '../../src/protocol/apis/sasl-handshake.ts';
import * as sa from '../../src/protocol/apis/sasl-authenticate.ts';
import * as dtp from '../../src/protocol/apis/describe-topic-partitions.ts';

export interface Codec<Req, Res> {
  name: string;
  apiKey: number;
  versions: number[];
  decodeRequest(r: Reader, v: number): Req;
  encodeRequest(w: Writer, v: number, x: Req): void;
  decodeResponse(r: Reader, v: number): Res;
  encodeResponse(w: Writer, v: number, x: Res): void;
  request(v: number): Req;
  response(v: number): Res;
}

const range = (min: number, max: number): number[] => Array.from({ length: max - min + 1 }, (_, i) => min + i);
const at = <T>(v: number, from: number, value: T, otherwise: T): T => (v >= from ? value : otherwise);
const uuid = Buffer.from('5f1a2b3c4d5e6f708192a3b4c5d6e7f8', 'hex');
const batch = Buffer.from('000000000000000000000040' + 'ab'.repeat(52), 'hex');

export const apiVersions: Codec<av.ApiVersionsRequest, av.ApiVersionsResponse> = {
  name: 'ApiVersions', apiKey: 18, versions: range(0, 3),
  decodeRequest: av.decodeApiVersionsRequest, encodeRequest: av.encodeApiVersionsRequest,
  decodeResponse: av.decodeApiVersionsResponse, encodeResponse: av.encodeApiVersionsResponse,
  request: (v) => at(v, 3, { clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' },
    { clientSoftwareName: '', clientSoftwareVersion: '' }),
  response: (v) => ({
    errorCode: 0,
    apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 8 }, { apiKey: 1, minVersion: 0, maxVersion: 11 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }],
    throttleTimeMs: at(v, 1, 12, 0),
  }),
};

export const metadata: Codec<md.MetadataRequest, md.MetadataResponse> = {
  name: 'Metadata', apiKey: 3, versions: range(0, 12),
  decodeRequest: md.decodeMetadataRequest, encodeRequest: md.encodeMetadataRequest,
  decodeResponse: md.decodeMetadataResponse, encodeResponse: md.encodeMetadataResponse,
  request: (v) => ({
    topics: [{ topicId: at(v, 10, uuid, md.ZERO_UUID), name: 'orders' }, { topicId: md.ZERO_UUID, name: 'payments.eu-1' }],
    allowAutoTopicCreation: at(v, 4, false, true),
    includeClusterAuthorizedOperations: v >= 8 && v <= 10,
    includeTopicAuthorizedOperations: v >= 8,
  }),
  response: (v) => ({
    throttleTimeMs: at(v, 3, 5, 0),
    brokers: [
      { nodeId: 0, host: 'vonnegut-a-0.vonnegut-a.default.svc', port: 9092, rack: at(v, 1, 'zone-a', null) },
      { nodeId: 1, host: '10.0.0.12', port: 19092, rack: null },
    ],
    clusterId: at(v, 2, 'vonnegut', null),
    controllerId: at(v, 1, 0, -1),
    topics: [{
      errorCode: 0, name: 'orders', topicId: at(v, 10, uuid, md.ZERO_UUID), isInternal: false,
      partitions: [{
        errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: at(v, 7, 3, -1),
        replicaNodes: [0, 1], isrNodes: [0, 1], offlineReplicas: at(v, 5, [2], []),
      }],
      topicAuthorizedOperations: at(v, 8, 0x0df8, md.AUTHORIZED_OPERATIONS_OMITTED),
    }, {
      errorCode: 3, name: 'missing', topicId: md.ZERO_UUID, isInternal: false, partitions: [],
      topicAuthorizedOperations: md.AUTHORIZED_OPERATIONS_OMITTED,
    }],
    clusterAuthorizedOperations: v >= 8 && v <= 10 ? 0x0ff0 : md.AUTHORIZED_OPERATIONS_OMITTED,
  }),
};

export const produce: Codec<pr.ProduceRequest, pr.ProduceResponse> = {
  name: 'Produce', apiKey: 0, versions: range(0, 9),
  decodeRequest: pr.decodeProduceRequest, encodeRequest: pr.encodeProduceRequest,
  decodeResponse: pr.decodeProduceResponse, encodeResponse: pr.encodeProduceResponse,
  request: (v) => ({
    transactionalId: at(v, 3, 'txn-1', null), acks: -1, timeoutMs: 30000,
    topics: [{ name: 'orders', partitions: [{ index: 0, records: batch }, { index: 1, records: null }] }],
  }),
  response: (v) => ({
    topics: [{
      name: 'orders',
      partitions: [
        { index: 0, errorCode: 0, baseOffset: 1_234_567_890_123, logAppendTimeMs: at(v, 2, 1_700_000_000_000, -1),
          logStartOffset: at(v, 5, 0, -1), recordErrors: [], errorMessage: null },
        { index: 1, errorCode: 87, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: at(v, 5, 10, -1),
          recordErrors: at(v, 8, [{ batchIndex: 2, message: 'bad crc' }], []), errorMessage: at(v, 8, 'invalid record', null) },
      ],
    }],
    throttleTimeMs: at(v, 1, 7, 0),
  }),
};

export const fetch: Codec<fe.FetchRequest, fe.FetchResponse> = {
  name: 'Fetch', apiKey: 1, versions: range(0, 16),
  decodeRequest: fe.decodeFetchRequest, encodeRequest: fe.encodeFetchRequest,
  decodeResponse: fe.decodeFetchResponse, encodeResponse: fe.encodeFetchResponse,
  // v13+ name topics by id (the decoder leaves the name empty); v15+ carry a replica's id in a tag.
  request: (v) => ({
    replicaId: v >= 15 ? 3 : -1, ...(v >= 15 && { replicaEpoch: 9 }),
    maxWaitMs: 500, minBytes: 1, maxBytes: at(v, 3, 52_428_800, fe.FETCH_MAX_BYTES_DEFAULT),
    isolationLevel: at(v, 4, 1, 0), sessionId: at(v, 7, 42, 0), sessionEpoch: at(v, 7, 3, -1),
    topics: [{ topic: at(v, 13, '', 'orders'), ...(v >= 13 && { topicId: uuid }), partitions: [{
      partition: 0, currentLeaderEpoch: at(v, 9, 4, -1), fetchOffset: 9_007_199_254_740_000,
      lastFetchedEpoch: at(v, 12, 2, -1), logStartOffset: at(v, 5, 0, -1), partitionMaxBytes: 1_048_576,
    }] }],
    forgottenTopicsData: at(v, 7, [{ topic: at(v, 13, '', 'old'), ...(v >= 13 && { topicId: uuid }), partitions: [0, 3] }], []),
    rackId: at(v, 11, 'zone-b', ''),
  }),
  response: (v) => ({
    throttleTimeMs: at(v, 1, 9, 0), errorCode: 0, sessionId: at(v, 7, 42, 0),
    topics: [{ topic: at(v, 13, '', 'orders'), ...(v >= 13 && { topicId: uuid }), partitions: [{
      partitionIndex: 0, errorCode: 0, highWatermark: 100, lastStableOffset: at(v, 4, 100, -1),
      logStartOffset: at(v, 5, 0, -1), abortedTransactions: at(v, 4, [{ producerId: 7, firstOffset: 12 }], null),
      preferredReadReplica: at(v, 11, 2, -1), records: batch,
    }, {
      partitionIndex: 1, errorCode: 1, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1,
      abortedTransactions: null, preferredReadReplica: -1, records: null,
    }] }],
  }),
};

export const listOffsets: Codec<lo.ListOffsetsRequest, lo.ListOffsetsResponse> = {
  name: 'ListOffsets', apiKey: 2, versions: range(0, 6),
  decodeRequest: lo.decodeListOffsetsRequest, encodeRequest: lo.encodeListOffsetsRequest,
  decodeResponse: lo.decodeListOffsetsResponse, encodeResponse: lo.encodeListOffsetsResponse,
  request: (v) => ({
    replicaId: -1, isolationLevel: at(v, 2, 1, 0),
    topics: [{ name: 'orders', partitions: [
      { partitionIndex: 0, currentLeaderEpoch: at(v, 4, 3, -1), timestamp: lo.LATEST_TIMESTAMP, maxNumOffsets: v === 0 ? 10 : 1 },
      { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: 1_700_000_000_000, maxNumOffsets: 1 },
    ] }],
  }),
  response: (v) => ({
    throttleTimeMs: at(v, 2, 3, 0),
    topics: [{ name: 'orders', partitions: [
      { partitionIndex: 0, errorCode: 0, oldStyleOffsets: v === 0 ? [100, 0] : [], timestamp: at(v, 1, -1, -1),
        offset: at(v, 1, 100, -1), leaderEpoch: at(v, 4, 3, -1) },
      { partitionIndex: 1, errorCode: 0, oldStyleOffsets: [], timestamp: at(v, 1, 1_700_000_000_123, -1),
        offset: at(v, 1, 57, -1), leaderEpoch: -1 },
    ] }],
  }),
};

export const createTopics: Codec<ct.CreateTopicsRequest, ct.CreateTopicsResponse> = {
  name: 'CreateTopics', apiKey: 19, versions: range(0, 7),
  decodeRequest: ct.decodeCreateTopicsRequest, encodeRequest: ct.encodeCreateTopicsRequest,
  decodeResponse: ct.decodeCreateTopicsResponse, encodeResponse: ct.encodeCreateTopicsResponse,
  request: (v) => ({
    topics: [
      { name: 'orders', numPartitions: 1, replicationFactor: 3, assignments: [],
        configs: [{ name: 'segment.bytes', value: '1048576' }, { name: 'cleanup.policy', value: null }] },
      { name: 'pinned', numPartitions: -1, replicationFactor: -1,
        assignments: [{ partitionIndex: 0, brokerIds: [0, 1, 2] }], configs: [] },
    ],
    timeoutMs: 30000, validateOnly: at(v, 1, true, false),
  }),
  response: (v) => ({
    throttleTimeMs: at(v, 2, 4, 0),
    topics: [
      { name: 'orders', topicId: at(v, 7, uuid, md.ZERO_UUID), errorCode: 0, errorMessage: null, numPartitions: at(v, 5, 1, -1), replicationFactor: at(v, 5, 3, -1),
        configs: at(v, 5, [{ name: 'segment.bytes', value: '1048576', readOnly: false, configSource: 1, isSensitive: false }], null) },
      { name: 'taken', topicId: md.ZERO_UUID, errorCode: 36, errorMessage: at(v, 1, "Topic 'taken' already exists.", null),
        numPartitions: -1, replicationFactor: -1, configs: null },
    ],
  }),
};

export const deleteTopics: Codec<dt.DeleteTopicsRequest, dt.DeleteTopicsResponse> = {
  name: 'DeleteTopics', apiKey: 20, versions: range(0, 5),
  decodeRequest: dt.decodeDeleteTopicsRequest, encodeRequest: dt.encodeDeleteTopicsRequest,
  decodeResponse: dt.decodeDeleteTopicsResponse, encodeResponse: dt.encodeDeleteTopicsResponse,
  request: () => ({ topicNames: ['orders', 'payments'], timeoutMs: 15000 }),
  response: (v) => ({
    throttleTimeMs: at(v, 1, 2, 0),
    responses: [
      { name: 'orders', errorCode: 0, errorMessage: null },
      { name: 'payments', errorCode: 3, errorMessage: at(v, 5, 'unknown topic', null) },
    ],
  }),
};

export const saslHandshake: Codec<sh.SaslHandshakeRequest, sh.SaslHandshakeResponse> = {
  name: 'SaslHandshake', apiKey: 17, versions: range(0, 1),
  decodeRequest: sh.decodeSaslHandshakeRequest, encodeRequest: sh.encodeSaslHandshakeRequest,
  decodeResponse: sh.decodeSaslHandshakeResponse, encodeResponse: sh.encodeSaslHandshakeResponse,
  request: () => ({ mechanism: 'SCRAM-SHA-512' }),
  response: () => ({ errorCode: 33, mechanisms: ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] }),
};

export const saslAuthenticate: Codec<sa.SaslAuthenticateRequest, sa.SaslAuthenticateResponse> = {
  name: 'SaslAuthenticate', apiKey: 36, versions: range(0, 2),
  decodeRequest: sa.decodeSaslAuthenticateRequest, encodeRequest: sa.encodeSaslAuthenticateRequest,
  decodeResponse: sa.decodeSaslAuthenticateResponse, encodeResponse: sa.encodeSaslAuthenticateResponse,
  request: () => ({ authBytes: Buffer.from('n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL') }),
  response: (v) => ({ errorCode: 58, errorMessage: 'Authentication failed: invalid credentials', authBytes: Buffer.from('r=x,s=QSXCR+Q6sek8bf92,i=4096'), sessionLifetimeMs: at(v, 1, 3_600_000, 0) }),
};

export const describeTopicPartitions: Codec<dtp.DescribeTopicPartitionsRequest, dtp.DescribeTopicPartitionsResponse> = {
  name: 'DescribeTopicPartitions', apiKey: 75, versions: [0],
  decodeRequest: dtp.decodeDescribeTopicPartitionsRequest, encodeRequest: dtp.encodeDescribeTopicPartitionsRequest,
  decodeResponse: dtp.decodeDescribeTopicPartitionsResponse, encodeResponse: dtp.encodeDescribeTopicPartitionsResponse,
  request: () => ({ topics: ['orders', 'payments'], responsePartitionLimit: 2000, cursor: { topicName: 'orders', partitionIndex: 3 } }),
  response: () => ({
    throttleTimeMs: 0,
    topics: [
      { errorCode: 0, name: 'orders', topicId: uuid, isInternal: false, topicAuthorizedOperations: md.AUTHORIZED_OPERATIONS_OMITTED, partitions: [
        { errorCode: 0, partitionIndex: 3, leaderId: 1, leaderEpoch: 4, replicaNodes: [1, 2], isrNodes: [1, 2], eligibleLeaderReplicas: null, lastKnownElr: null, offlineReplicas: [] },
      ] },
      { errorCode: 3, name: 'missing', topicId: md.ZERO_UUID, isInternal: false, topicAuthorizedOperations: md.AUTHORIZED_OPERATIONS_OMITTED, partitions: [] },
    ],
    nextCursor: { topicName: 'payments', partitionIndex: 0 },
  }),
};

export const ALL: Codec<unknown, unknown>[] = [apiVersions, metadata, produce, fetch, listOffsets, createTopics, deleteTopics, saslHandshake, saslAuthenticate, describeTopicPartitions] as unknown as Codec<unknown, unknown>[];
