/**
 * Modern clients against one live node. A client that speaks only flexible versions (as
 * @platformatic/kafka and Java 3.x do) creates, produces idempotently, fetches, lists offsets, runs a
 * group and reads configs with the newest versions vonnegut advertises; librdkafka (kcat, with
 * api.version.request=true) picks the flexible versions it knows, as its protocol debug log shows; and
 * kafkajs's idempotent producer and admin group/config calls work at the versions kafkajs knows.
 */
import { spawn } from 'node:child_process';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, SUPPORTED } from '../node/src/protocol/api-keys.ts';
import * as api from '../node/src/protocol/apis/index.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import type { Reader } from '../node/src/protocol/reader.ts';
import type { Writer } from '../node/src/protocol/writer.ts';
import { createTopicAt } from './lib/raw-kafka.ts';
import { singleNode } from './lib/single-node.ts';
import { requireTool, run } from './lib/tools.ts';

const hasKcat = requireTool('kcat');

const one = singleNode();

const max = (key: number): number => SUPPORTED[key]!.max;

/** Sends at the newest advertised version of an API and decodes the answer. */
async function call<Req, Res>(key: number, enc: (w: Writer, v: number, r: Req) => void, dec: (r: Reader, v: number) => Res, req: Req): Promise<Res> {
  const v = max(key);
  return dec(await one.wire.send(key, v, (w) => enc(w, v, req)), v);
}

test.serial('a flexible-only client: CreateTopics v7, Produce v9 (idempotent), Fetch v16 (by topic id), ListOffsets v6, Metadata v12, DescribeConfigs v4, DescribeCluster v1, DeleteTopics v5', async (t) => {
  const versions = await one.wire.apiVersions(3);
  const advertised = new Map(versions.apiKeys.map((k) => [k.apiKey, k.maxVersion]));
  for (const [key, v] of [[ApiKey.Produce, 9], [ApiKey.Fetch, 16], [ApiKey.ListOffsets, 6], [ApiKey.Metadata, 12], [ApiKey.CreateTopics, 7], [ApiKey.DeleteTopics, 5], [ApiKey.InitProducerId, 4], [ApiKey.JoinGroup, 9], [ApiKey.DescribeCluster, 1]] as const) {
    t.true((advertised.get(key) ?? -1) >= v, `api ${key} advertised up to v${advertised.get(key)}`);
  }

  const created = await call(ApiKey.CreateTopics, api.encodeCreateTopicsRequest, api.decodeCreateTopicsResponse, {
    topics: [{ name: 'flex', numPartitions: 2, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false,
  });
  t.is(created.topics[0]!.errorCode, 0);
  t.is(created.topics[0]!.numPartitions, 2);

  const pid = await call(ApiKey.InitProducerId, api.encodeInitProducerIdRequest, api.decodeInitProducerIdResponse, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  t.is(pid.errorCode, 0);
  t.true(pid.producerId > 0);
  const other = await call(ApiKey.InitProducerId, api.encodeInitProducerIdRequest, api.decodeInitProducerIdResponse, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  t.not(other.producerId, pid.producerId, 'every producer gets its own id');
  const txn = await call(ApiKey.InitProducerId, api.encodeInitProducerIdRequest, api.decodeInitProducerIdResponse, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  t.is(txn.errorCode, 0, 'a transactional id gets a producer id from the transaction coordinator');
  t.is(txn.producerEpoch, 0);
  const bumped = await call(ApiKey.InitProducerId, api.encodeInitProducerIdRequest, api.decodeInitProducerIdResponse, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  t.deepEqual([bumped.errorCode, bumped.producerId, bumped.producerEpoch], [0, txn.producerId, 1], 'the same id again: same producer id, next epoch');
  const stale = await call(ApiKey.InitProducerId, api.encodeInitProducerIdRequest, api.decodeInitProducerIdResponse, { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: txn.producerId, producerEpoch: 0 });
  t.is(stale.errorCode, ErrorCode.PRODUCER_FENCED.code, 'v4 naming a fenced epoch is PRODUCER_FENCED');

  const batch = (seq: number, values: string[]): Buffer => encodeRecordBatch({ producerId: pid.producerId, producerEpoch: pid.producerEpoch, baseSequence: seq, records: values.map((value) => ({ value })) });
  const produce = (records: Buffer) => call(ApiKey.Produce, api.encodeProduceRequest, api.decodeProduceResponse, { transactionalId: null, acks: -1, timeoutMs: 10_000, topics: [{ name: 'flex', partitions: [{ index: 1, records }] }] });
  const first = (await produce(batch(0, ['a', 'b']))).topics[0]!.partitions[0]!;
  t.is(first.errorCode, 0);
  t.is(first.baseOffset, 0);
  const retry = (await produce(batch(0, ['a', 'b']))).topics[0]!.partitions[0]!;
  t.is(retry.errorCode, 0, 'a retried batch is acknowledged (Kafka treats DUPLICATE_SEQUENCE_NUMBER as success)');
  t.is(retry.baseOffset, 0, 'with its original offset');
  const gap = (await produce(batch(5, ['x']))).topics[0]!.partitions[0]!;
  t.is(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER.code);
  t.is((await produce(batch(2, ['c']))).topics[0]!.partitions[0]!.baseOffset, 2);

  const meta = await call(ApiKey.Metadata, api.encodeMetadataRequest, api.decodeMetadataResponse, {
    topics: [{ topicId: Buffer.alloc(16), name: 'flex' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  });
  t.is(meta.topics[0]!.partitions.length, 2);
  const topicId = meta.topics[0]!.topicId;
  t.false(topicId.equals(Buffer.alloc(16)), 'Metadata v10+ names the topic id');

  const fetched = await call(ApiKey.Fetch, api.encodeFetchRequest, api.decodeFetchResponse, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    // Fetch v13+ names topics by id (KIP-516).
    topics: [{ topic: '', topicId, partitions: [{ partition: 1, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  t.deepEqual(fetched.topics[0]!.topicId, topicId);
  const part = fetched.topics[0]!.partitions[0]!;
  t.is(part.errorCode, 0);
  t.is(part.highWatermark, 3);
  t.deepEqual([...decodeRecordBatches(part.records!)].flatMap((b) => b.records.map((r) => r.value!.toString())), ['a', 'b', 'c'], 'stored once, in order');

  const offsets = await call(ApiKey.ListOffsets, api.encodeListOffsetsRequest, api.decodeListOffsetsResponse, {
    replicaId: -1, isolationLevel: 0, topics: [{ name: 'flex', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }],
  });
  t.is(offsets.topics[0]!.partitions[0]!.offset, 3);

  const configs = await call(ApiKey.DescribeConfigs, api.encodeDescribeConfigsRequest, api.decodeDescribeConfigsResponse, {
    resources: [{ resourceType: api.RESOURCE_TOPIC, resourceName: 'flex', configurationKeys: ['retention.ms', 'cleanup.policy'] }, { resourceType: api.RESOURCE_TOPIC, resourceName: 'nope', configurationKeys: null }],
    includeSynonyms: true, includeDocumentation: false,
  });
  t.deepEqual(configs.results[0]!.configs.map((c) => [c.name, c.value]), [['cleanup.policy', 'delete'], ['retention.ms', String(7 * 24 * 3600 * 1000)]]);
  t.is(configs.results[1]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code);

  const cluster = await call(ApiKey.DescribeCluster, api.encodeDescribeClusterRequest, api.decodeDescribeClusterResponse, { includeClusterAuthorizedOperations: false, endpointType: 1 });
  t.is(cluster.errorCode, 0);
  t.deepEqual(cluster.brokers.map((b) => `${b.host}:${b.port}`), [one.node.address]);
  t.is(cluster.controllerId, cluster.brokers[0]!.brokerId);

  const deleted = await call(ApiKey.DeleteTopics, api.encodeDeleteTopicsRequest, api.decodeDeleteTopicsResponse, { topicNames: ['flex', 'nope'], timeoutMs: 10_000 });
  t.deepEqual(deleted.responses.map((r) => r.errorCode), [0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code]);
});

test.serial('a flexible-only client runs a group: FindCoordinator v4, JoinGroup v9, SyncGroup v5, Heartbeat v4, OffsetCommit v8, OffsetFetch v8, DescribeGroups v5, ListGroups v4, LeaveGroup v5, DeleteGroups v2', async (t) => {
  const found = await call(ApiKey.FindCoordinator, api.encodeFindCoordinatorRequest, (r, v) => api.decodeFindCoordinatorResponse(r, v), { keyType: 0, keys: ['fg1', 'fg2'] });
  t.deepEqual(found.coordinators.map((c) => [c.key, `${c.host}:${c.port}`, c.errorCode]), [['fg1', one.node.address, 0], ['fg2', one.node.address, 0]]);

  const joinReq = (memberId: string): api.JoinGroupRequest => ({
    groupId: 'fg1', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: Buffer.from('meta') }], reason: null,
  });
  const required = await call(ApiKey.JoinGroup, api.encodeJoinGroupRequest, api.decodeJoinGroupResponse, joinReq(''));
  t.is(required.errorCode, ErrorCode.MEMBER_ID_REQUIRED.code);
  const joined = await call(ApiKey.JoinGroup, api.encodeJoinGroupRequest, api.decodeJoinGroupResponse, joinReq(required.memberId));
  t.is(joined.errorCode, 0);
  t.is(joined.protocolType, 'consumer');
  t.is(joined.protocolName, 'range');
  t.is(joined.leader, required.memberId);
  t.deepEqual(joined.members.map((m) => m.metadata.toString()), ['meta']);
  const member = { groupId: 'fg1', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null };

  const synced = await call(ApiKey.SyncGroup, api.encodeSyncGroupRequest, api.decodeSyncGroupResponse, {
    ...member, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: joined.memberId, assignment: Buffer.from('all') }],
  });
  t.is(synced.errorCode, 0);
  t.is(synced.assignment.toString(), 'all');
  t.is((await call(ApiKey.Heartbeat, api.encodeHeartbeatRequest, api.decodeHeartbeatResponse, member)).errorCode, 0);

  // Offsets are stored only for partitions that exist (UNKNOWN_TOPIC_OR_PARTITION otherwise, as Kafka).
  t.is(await createTopicAt(one.node.address, 'some-topic', 2), 0);
  const commit = await call(ApiKey.OffsetCommit, api.encodeOffsetCommitRequest, api.decodeOffsetCommitResponse, {
    ...member, retentionTimeMs: -1,
    topics: [{ name: 'some-topic', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 1, commitTimestamp: -1, committedMetadata: 'm' }, { partitionIndex: 1, committedOffset: 7, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'x'.repeat(5000) }] }],
  });
  t.deepEqual(commit.topics[0]!.partitions.map((p) => p.errorCode), [0, ErrorCode.OFFSET_METADATA_TOO_LARGE.code]);
  const stale = await call(ApiKey.OffsetCommit, api.encodeOffsetCommitRequest, api.decodeOffsetCommitResponse, {
    ...member, generationId: member.generationId + 1, retentionTimeMs: -1, topics: [{ name: 'some-topic', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null }] }],
  });
  t.is(stale.topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION.code);

  const fetched = await call(ApiKey.OffsetFetch, api.encodeOffsetFetchRequest, (r, v) => api.decodeOffsetFetchResponse(r, v), {
    groups: [{ groupId: 'fg1', topics: [{ name: 'some-topic', partitionIndexes: [0, 1] }] }, { groupId: 'fg1', topics: null }], requireStable: true,
  });
  t.deepEqual(fetched.groups[0]!.topics[0]!.partitions.map((p) => [p.committedOffset, p.committedLeaderEpoch, p.metadata]), [[42, 1, 'm'], [-1, -1, '']]);
  t.deepEqual(fetched.groups[1]!.topics.map((x) => [x.name, x.partitions.map((p) => p.committedOffset)]), [['some-topic', [42]]]);

  const described = await call(ApiKey.DescribeGroups, api.encodeDescribeGroupsRequest, api.decodeDescribeGroupsResponse, { groups: ['fg1', 'unknown'], includeAuthorizedOperations: false });
  t.deepEqual(described.groups.map((g) => [g.groupId, g.groupState, g.protocolData, g.members.length]), [['fg1', 'Stable', 'range', 1], ['unknown', 'Dead', '', 0]]);
  t.is(described.groups[0]!.members[0]!.memberAssignment.toString(), 'all');

  const listed = await call(ApiKey.ListGroups, api.encodeListGroupsRequest, api.decodeListGroupsResponse, { statesFilter: ['Stable'] });
  t.deepEqual(listed.groups.map((g) => [g.groupId, g.protocolType, g.groupState]), [['fg1', 'consumer', 'Stable']]);

  const notEmpty = await call(ApiKey.DeleteGroups, api.encodeDeleteGroupsRequest, api.decodeDeleteGroupsResponse, { groupsNames: ['fg1'] });
  t.is(notEmpty.results[0]!.errorCode, ErrorCode.NON_EMPTY_GROUP.code);
  const left = await call(ApiKey.LeaveGroup, api.encodeLeaveGroupRequest, api.decodeLeaveGroupResponse, { groupId: 'fg1', members: [{ memberId: joined.memberId, groupInstanceId: null, reason: 'test done' }] });
  t.deepEqual([left.errorCode, left.members[0]!.errorCode], [0, 0]);
  const gone = await call(ApiKey.DeleteGroups, api.encodeDeleteGroupsRequest, api.decodeDeleteGroupsResponse, { groupsNames: ['fg1', 'never'] });
  t.deepEqual(gone.results.map((r) => r.errorCode), [0, ErrorCode.GROUP_ID_NOT_FOUND.code]);
  const after = await call(ApiKey.OffsetFetch, api.encodeOffsetFetchRequest, (r, v) => api.decodeOffsetFetchResponse(r, v), { groups: [{ groupId: 'fg1', topics: null }], requireStable: false });
  t.deepEqual(after.groups[0]!.topics, [], 'deleting the group deleted its offsets');
});

test.serial(hasKcat ? 'librdkafka (kcat, api.version.request=true) negotiates flexible InitProducerId v4 and OffsetFetch v7; its idempotent records are read back once' : 'kcat flexible versions (skipped: kcat not installed)', async (t) => {
  if (!hasKcat) return t.pass();
  const values = Array.from({ length: 50 }, (_, i) => `idem-${i}`);
  const produced = await run('kcat', ['-b', one.node.address, '-P', '-t', 'kcat-idem', '-X', 'api.version.request=true', '-X', 'enable.idempotence=true', '-d', 'protocol'], { input: values.join('\n') + '\n' });
  t.is(produced.code, 0, produced.stderr.slice(-2000));
  t.regex(produced.stderr, /Sent InitProducerIdRequest \(v4,/, 'flexible InitProducerId');
  t.regex(produced.stderr, /Received InitProducerIdResponse \(v4,/);
  t.notRegex(produced.stderr, /ProduceResponse[^\n]*Err|OUT_OF_ORDER|DUPLICATE_SEQ/);

  // A one-member balanced consumer with -e: reads to the end of each partition and exits.
  const child = spawn('kcat', ['-b', one.node.address, '-G', 'kcat-flex', '-X', 'api.version.request=true', '-X', 'auto.offset.reset=earliest', '-d', 'protocol', '-e', '-u', '-f', '%s\\n', 'kcat-idem'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  t.is(code, 0, err.slice(-3000));
  t.deepEqual(out.split('\n').filter(Boolean), values, 'every idempotently produced record exactly once');
  t.regex(err, /Sent ApiVersionRequest \(v3,/);
  t.regex(err, /Sent OffsetFetchRequest \(v7,/, 'flexible OffsetFetch');
  t.regex(err, /Sent JoinGroupRequest \(v5,/, 'JoinGroup with static-membership fields');
  t.regex(err, /Received SyncGroupResponse \(v3,/);
});

test.serial('kafkajs: idempotent producer (InitProducerId), admin describeConfigs, listGroups, describeGroups, deleteGroups, fetchOffsets', async (t) => {
  const kafka = new Kafka({ clientId: 'modern-kafkajs', brokers: [one.node.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
  const admin = kafka.admin();
  await admin.connect();
  t.true(await admin.createTopics({ topics: [{ topic: 'kjs-idem', numPartitions: 2 }], waitForLeaders: true }));
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  for (let i = 0; i < 5; i++) await producer.send({ topic: 'kjs-idem', acks: -1, messages: [{ partition: i % 2, value: `v${i}` }, { partition: i % 2, value: `w${i}` }] });
  await producer.disconnect();
  const counts = await Promise.all([0, 1].map(async (p) => (await one.wire.readAll('kjs-idem', p)).records.map((r) => r.value!.toString())));
  t.deepEqual(counts, [['v0', 'w0', 'v2', 'w2', 'v4', 'w4'], ['v1', 'w1', 'v3', 'w3']]);
  const batches = [...decodeRecordBatches((await one.wire.fetch('kjs-idem', 0, 0)).records!)];
  t.true(batches.every((b) => b.header.producerId > 0 && b.header.baseSequence >= 0), 'kafkajs produced with an allocated producer id');

  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'kjs-idem' }, { type: 4, name: '0' }] });
  const topicConfigs = new Map(configs.resources[0]!.configEntries.map((c) => [c.configName, c.configValue]));
  t.is(topicConfigs.get('cleanup.policy'), 'delete');
  t.is(configs.resources[1]!.configEntries.find((c) => c.configName === 'num.partitions')?.configValue, '1');

  const consumer = kafka.consumer({ groupId: 'kjs-admin-group', heartbeatInterval: 300 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'kjs-idem', fromBeginning: true });
  let seen = 0;
  await consumer.run({ eachMessage: async () => { seen++; } });
  const deadline = Date.now() + 60_000;
  while (seen < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.is(seen, 10);
  const described = await admin.describeGroups(['kjs-admin-group']);
  t.is(described.groups[0]!.state, 'Stable');
  t.is(described.groups[0]!.members.length, 1);
  t.true((await admin.listGroups()).groups.some((g) => g.groupId === 'kjs-admin-group' && g.protocolType === 'consumer'));
  await consumer.disconnect();
  const committed = await admin.fetchOffsets({ groupId: 'kjs-admin-group', topics: ['kjs-idem'] });
  t.deepEqual(committed[0]!.partitions.map((p) => p.offset).sort(), ['4', '6']);
  await admin.deleteGroups(['kjs-admin-group']);
  t.false((await admin.listGroups()).groups.some((g) => g.groupId === 'kjs-admin-group'));
  await admin.disconnect();
});
