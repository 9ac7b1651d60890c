/**
 * Protocol behaviours real clients rely on (issue 15's bugs 3-7), against one real node process over
 * real TCP with raw Kafka requests, so each asserts exact bytes-level answers a client library would hide.
 */
import test from 'ava';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { decodeMetadataResponse, encodeMetadataRequest, AUTHORIZED_OPERATIONS_OMITTED } from '../node/src/protocol/apis/metadata.ts';
import { decodeFetchResponse, encodeFetchRequest } from '../node/src/protocol/apis/fetch.ts';
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest } from '../node/src/protocol/apis/offset-commit.ts';
import { decodeOffsetFetchResponse, encodeOffsetFetchRequest } from '../node/src/protocol/apis/offset-fetch.ts';
import { decodeDescribeClusterResponse, encodeDescribeClusterRequest, ENDPOINT_TYPE_BROKERS } from '../node/src/protocol/apis/describe-cluster.ts';
import { decodeDescribeGroupsResponse, encodeDescribeGroupsRequest } from '../node/src/protocol/apis/describe-groups.ts';
import { decodeListOffsetsResponse, encodeListOffsetsRequest, MAX_TIMESTAMP } from '../node/src/protocol/apis/list-offsets.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../node/src/protocol/apis/create-topics.ts';
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from '../node/src/protocol/apis/delete-topics.ts';
import { batchProblem, decodeRecordBatches, encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { initCompression } from '../node/src/protocol/compression.ts';
import { createTopicAt } from './lib/raw-kafka.ts';
import { singleNode } from './lib/single-node.ts';

const one = singleNode({ env: { VONNEGUT_AUTO_CREATE_TOPICS: 'false' } });

/** Every topic operation bit Kafka reports for a principal allowed everything (READ..ALTER_CONFIGS). */
const ALL_TOPIC_OPS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0);

test.before(async () => {
  await initCompression();
});

test('Metadata v0 with an empty topic array lists every topic', async (t) => {
  for (const name of ['v0-a', 'v0-b']) t.is(await createTopicAt(one.node.address, name, 1), 0);
  const r = await one.wire.send(ApiKey.Metadata, 0, (w) => encodeMetadataRequest(w, 0, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }));
  const names = decodeMetadataResponse(r, 0).topics.map((x) => x.name);
  t.true(names.includes('v0-a') && names.includes('v0-b'), JSON.stringify(names));
});

test('Fetch: only the first partition of a response may exceed max_bytes, with one whole batch', async (t) => {
  t.is(await createTopicAt(one.node.address, 'big', 3), 0);
  const value = 'x'.repeat(600_000);
  for (let p = 0; p < 3; p++) {
    const res = await one.wire.produce('big', p, encodeRecordBatch({ records: [{ value }] }), -1);
    t.is(res.errorCode, 0);
  }
  const version = 11;
  const r = await one.wire.send(ApiKey.Fetch, version, (w) => encodeFetchRequest(w, version, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1_000_000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'big', partitions: [0, 1, 2].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1_048_576 })) }],
    forgottenTopicsData: [], rackId: '',
  }));
  const sizes = decodeFetchResponse(r, version).topics[0]!.partitions.map((p) => p.records?.length ?? 0);
  t.true(sizes[0]! > 600_000, `the first partition gets its oversized batch: ${sizes}`);
  t.deepEqual(sizes.slice(1), [0, 0], 'later partitions stay within what is left of max_bytes');
});

test('OffsetCommit to a topic or partition that does not exist answers UNKNOWN_TOPIC_OR_PARTITION and stores nothing', async (t) => {
  t.is(await createTopicAt(one.node.address, 'committed', 1), 0);
  const version = 2;
  const part = (partitionIndex: number) => ({ partitionIndex, committedOffset: 5, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: '' });
  const r = await one.wire.send(ApiKey.OffsetCommit, version, (w) => encodeOffsetCommitRequest(w, version, {
    groupId: 'g-unknown', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
    topics: [{ name: 'no-such-topic', partitions: [part(0)] }, { name: 'committed', partitions: [part(0), part(7)] }],
  }));
  const codes = decodeOffsetCommitResponse(r, version).topics.map((x) => x.partitions.map((p) => p.errorCode));
  const unknown = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code;
  t.deepEqual(codes, [[unknown], [0, unknown]]);
  const f = await one.wire.send(ApiKey.OffsetFetch, 3, (w) => encodeOffsetFetchRequest(w, 3, { groups: [{ groupId: 'g-unknown', topics: null }], requireStable: false }));
  const stored = decodeOffsetFetchResponse(f, 3).groups[0]!.topics.flatMap((x) => x.partitions.map((p) => `${x.name}-${p.partitionIndex}`));
  t.deepEqual(stored, ['committed-0'], 'only the existing partition was stored');
});

test('authorized operations are filled in when asked: Metadata v8, DescribeCluster, DescribeGroups v3', async (t) => {
  t.is(await createTopicAt(one.node.address, 'ops', 1), 0);
  for (const ask of [true, false]) {
    const r = await one.wire.send(ApiKey.Metadata, 8, (w) => encodeMetadataRequest(w, 8, { topics: [{ name: 'ops', topicId: Buffer.alloc(16) }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: ask, includeTopicAuthorizedOperations: ask }));
    const m = decodeMetadataResponse(r, 8);
    t.is(m.topics[0]!.topicAuthorizedOperations, ask ? ALL_TOPIC_OPS : AUTHORIZED_OPERATIONS_OMITTED);
    t.is(m.clusterAuthorizedOperations !== AUTHORIZED_OPERATIONS_OMITTED, ask);
  }
  const c = await one.wire.send(ApiKey.DescribeCluster, 0, (w) => encodeDescribeClusterRequest(w, 0, { includeClusterAuthorizedOperations: true, endpointType: ENDPOINT_TYPE_BROKERS }));
  const clusterOps = decodeDescribeClusterResponse(c, 0).clusterAuthorizedOperations;
  t.true(clusterOps > 0 && (clusterOps & (1 << 9)) !== 0, `CLUSTER_ACTION among ${clusterOps}`);
  const g = await one.wire.send(ApiKey.DescribeGroups, 3, (w) => encodeDescribeGroupsRequest(w, 3, { groups: ['any-group'], includeAuthorizedOperations: true }));
  t.is(decodeDescribeGroupsResponse(g, 3).groups[0]!.authorizedOperations, (1 << 3) | (1 << 6) | (1 << 8), 'READ, DELETE and DESCRIBE on a group');
});

test('zstd batches are refused below Produce v7 with UNSUPPORTED_COMPRESSION_TYPE and accepted from v7', async (t) => {
  t.is(await createTopicAt(one.node.address, 'zstd', 1), 0);
  const batch = () => encodeRecordBatch({ records: [{ value: 'compressed' }], compression: 'zstd' });
  t.is((await one.wire.produce('zstd', 0, batch(), -1, 3)).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE.code);
  t.is((await one.wire.produce('zstd', 0, batch(), -1, 7)).errorCode, 0);
  t.is((await one.wire.listOffset('zstd', 0, -1)).offset, 1, 'only the v7 batch was stored');
});

test('ListOffsets v7 MAX_TIMESTAMP answers the record with the largest timestamp; CreateTopics v6 and DeleteTopics v6 work by name', async (t) => {
  const version = 6;
  const created = await one.wire.send(ApiKey.CreateTopics, version, (w) => encodeCreateTopicsRequest(w, version, {
    topics: [{ name: 'stamps', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [{ name: 'retention.ms', value: '86400000' }] }], timeoutMs: 10_000, validateOnly: false,
  }));
  const result = decodeCreateTopicsResponse(created, version).topics[0]!;
  t.is(result.errorCode, 0);
  t.is(result.configs?.find((c) => c.name === 'retention.ms')?.value, '86400000');
  const base = Date.now();
  for (const ts of [base, base + 50_000, base + 10_000]) t.is((await one.wire.produce('stamps', 0, encodeRecordBatch({ records: [{ value: String(ts), timestamp: ts }] }), -1)).errorCode, 0);
  const r = await one.wire.send(ApiKey.ListOffsets, 7, (w) => encodeListOffsetsRequest(w, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'stamps', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: MAX_TIMESTAMP, maxNumOffsets: 1 }] }] }));
  const p = decodeListOffsetsResponse(r, 7).topics[0]!.partitions[0]!;
  t.is(p.errorCode, 0);
  t.is(p.offset, 1);
  t.is(p.timestamp, base + 50_000);
  const deleted = await one.wire.send(ApiKey.DeleteTopics, 6, (w) => encodeDeleteTopicsRequest(w, 6, { topicNames: ['stamps'], timeoutMs: 10_000 }));
  t.deepEqual(decodeDeleteTopicsResponse(deleted, 6).responses.map((x) => [x.name, x.errorCode]), [['stamps', 0]]);
});

test('a compacted topic refuses keyless records: INVALID_RECORD naming each one (Produce v8+), CORRUPT_MESSAGE before v8', async (t) => {
  const created = await one.wire.send(ApiKey.CreateTopics, 6, (w) => encodeCreateTopicsRequest(w, 6, {
    topics: [{ name: 'compact-keys', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [{ name: 'cleanup.policy', value: 'compact' }] }], timeoutMs: 10_000, validateOnly: false,
  }));
  t.is(decodeCreateTopicsResponse(created, 6).topics[0]!.errorCode, 0);
  const mixed = () => encodeRecordBatch({ records: [{ key: 'a', value: '1' }, { key: null, value: '2' }, { key: 'c', value: '3' }, { value: '4' }], compression: 'gzip' });
  const v8 = await one.wire.produce('compact-keys', 0, mixed(), -1, 8);
  t.is(v8.errorCode, ErrorCode.INVALID_RECORD.code);
  t.deepEqual(v8.recordErrors.map((e) => e.batchIndex), [1, 3]);
  t.regex(v8.errorMessage ?? '', /without key/);
  t.is((await one.wire.produce('compact-keys', 0, mixed(), -1, 7)).errorCode, ErrorCode.CORRUPT_MESSAGE.code);
  t.is((await one.wire.produce('compact-keys', 0, encodeRecordBatch({ records: [{ key: 'k', value: 'v' }] }), -1, 8)).errorCode, 0);
  t.is((await one.wire.listOffset('compact-keys', 0, -1)).offset, 1, 'only the keyed batch was stored');
});

test('message.timestamp.type=LogAppendTime stamps the broker time on every batch; CreateTime keeps the producer\'s', async (t) => {
  const configs = [{ name: 'message.timestamp.type', value: 'LogAppendTime' }];
  const created = await one.wire.send(ApiKey.CreateTopics, 6, (w) => encodeCreateTopicsRequest(w, 6, {
    topics: [{ name: 'appended', numPartitions: 1, replicationFactor: -1, assignments: [], configs }, { name: 'created', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false,
  }));
  t.deepEqual(decodeCreateTopicsResponse(created, 6).topics.map((x) => x.errorCode), [0, 0]);
  const old = 1_000_000;
  const batch = () => encodeRecordBatch({ records: [{ key: 'k', value: 'a', timestamp: old }, { key: 'k', value: 'b', timestamp: old + 1 }], compression: 'lz4' });
  const before = Date.now();
  const res = await one.wire.produce('appended', 0, batch(), -1, 8);
  t.is(res.errorCode, 0);
  t.true(res.logAppendTimeMs >= before && res.logAppendTimeMs <= Date.now(), `log_append_time_ms ${res.logAppendTimeMs}`);
  t.is((await one.wire.produce('created', 0, batch(), -1, 8)).logAppendTimeMs, -1);
  const read = async (topic: string) => {
    const records = (await one.wire.fetch(topic, 0, 0)).records!;
    t.is(batchProblem(records, 0), null, 'the stamped batch carries a valid CRC');
    return [...decodeRecordBatches(records)];
  };
  const [stamped] = await read('appended');
  t.true(stamped!.header.logAppendTime);
  t.deepEqual(stamped!.records.map((r) => r.timestamp), [res.logAppendTimeMs, res.logAppendTimeMs]);
  const [kept] = await read('created');
  t.false(kept!.header.logAppendTime);
  t.deepEqual(kept!.records.map((r) => r.timestamp), [old, old + 1]);
});

test('min.insync.replicas above the chain\'s members refuses acks=all with NOT_ENOUGH_REPLICAS and appends nothing; acks=1 is not affected', async (t) => {
  const created = await one.wire.send(ApiKey.CreateTopics, 6, (w) => encodeCreateTopicsRequest(w, 6, {
    topics: [{ name: 'insync-2', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [{ name: 'min.insync.replicas', value: '2' }] }], timeoutMs: 10_000, validateOnly: false,
  }));
  t.is(decodeCreateTopicsResponse(created, 6).topics[0]!.errorCode, 0);
  const batch = () => encodeRecordBatch({ records: [{ value: 'v' }] });
  t.is((await one.wire.produce('insync-2', 0, batch(), -1, 8)).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS.code, 'a solo node is one in-sync member');
  t.is((await one.wire.listOffset('insync-2', 0, -1)).offset, 0, 'nothing was appended');
  t.is((await one.wire.produce('insync-2', 0, batch(), 1, 8)).errorCode, 0, 'acks=1 ignores min.insync.replicas, as Kafka');
});
