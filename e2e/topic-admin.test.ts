/**
 * Per-topic configs and the admin APIs on a 3-node chain (static discovery, real node processes):
 * kafkajs admin creates topics with configs, alters them, adds partitions and deletes records; raw
 * requests check the same answer on every member (DescribeConfigs, ListOffsets), IncrementalAlterConfigs
 * and OffsetDelete (kafkajs has neither), and a killed member comes back with configs and log start intact.
 */
import test from 'ava';
import kafkajs, { Kafka, logLevel, type Admin } from 'kafkajs';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { ConfigSource, RESOURCE_TOPIC, decodeDescribeConfigsResponse, encodeDescribeConfigsRequest } from '../node/src/protocol/apis/describe-configs.ts';
import { ConfigOperation, decodeIncrementalAlterConfigsResponse, encodeIncrementalAlterConfigsRequest, type AlterConfigsEntry } from '../node/src/protocol/apis/alter-configs.ts';
import { decodeOffsetCommitResponse, encodeOffsetCommitRequest } from '../node/src/protocol/apis/offset-commit.ts';
import { decodeOffsetDeleteResponse, encodeOffsetDeleteRequest } from '../node/src/protocol/apis/offset-delete.ts';
import { decodeMetadataResponse, encodeMetadataRequest } from '../node/src/protocol/apis/metadata.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { freePort } from './lib/ports.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { waitFor } from './lib/tools.ts';

// kafkajs is CommonJS: its enums are on the default export only.
const { ConfigResourceTypes } = kafkajs;
const nodes: NodeProcess[] = [];
let admin: Admin;

test.before(async () => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const members = ports.map((p, i) => `n${i}=127.0.0.1:${p}`).join(',');
  for (const [i, port] of ports.entries()) {
    nodes.push(await startNodeProcess({ port, args: ['--node-name', `n${i}`, '--discovery', `static:${members}`, '--replicas', '3'] }));
  }
  await waitFor('chain writable', async () => ((await produceTo(nodes[0]!.address, 'warmup', 0, ['x'], -1, 5000).catch(() => null))?.errorCode === 0 ? true : undefined), 60_000, 250);
  admin = new Kafka({ clientId: 'e2e-topic-admin', brokers: [nodes[0]!.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } }).admin();
  await admin.connect();
});

test.after.always(async () => {
  await admin?.disconnect();
  await Promise.all(nodes.map((n) => n.destroy()));
});

/** Sends one request to one node on a fresh connection. */
/** How many partitions `node`'s Metadata v1 lists for `topic` (0 while it does not know the topic). */
async function partitionCount(node: NodeProcess, topic: string): Promise<number> {
  const r = await ask(node, (w) => w.send(ApiKey.Metadata, 1, (x) => encodeMetadataRequest(x, 1, { topics: [{ name: topic, topicId: Buffer.alloc(16) }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })));
  return decodeMetadataResponse(r, 1).topics[0]!.partitions.length;
}

async function ask<T>(node: NodeProcess, fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const wire = await KafkaWire.connect(node.address);
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

/** A topic's configs as one node describes them: name -> [value, source]. */
async function describe(node: NodeProcess, topic: string): Promise<Map<string, [string | null, number]>> {
  const r = await ask(node, (w) => w.send(ApiKey.DescribeConfigs, 1, (x) => encodeDescribeConfigsRequest(x, 1, { resources: [{ resourceType: RESOURCE_TOPIC, resourceName: topic, configurationKeys: null }], includeSynonyms: true, includeDocumentation: false })));
  const res = decodeDescribeConfigsResponse(r, 1).results[0]!;
  if (res.errorCode !== 0) throw new Error(`DescribeConfigs ${topic} at ${node.address}: error ${res.errorCode}`);
  return new Map(res.configs.map((c) => [c.name, [c.value, c.configSource]]));
}

/** Waits until every member describes `key` of `topic` as `value` from `source`. */
async function everywhere(topic: string, key: string, value: string, source: number): Promise<void> {
  await Promise.all(nodes.map((n) => waitFor(`${topic} ${key}=${value} at ${n.address}`, async () => {
    const got = (await describe(n, topic)).get(key);
    return got?.[0] === value && got[1] === source ? true : undefined;
  }, 30_000)));
}

async function incremental(topic: string, configs: AlterConfigsEntry[]): Promise<number> {
  const r = await ask(nodes[0]!, (w) => w.send(ApiKey.IncrementalAlterConfigs, 1, (x) => encodeIncrementalAlterConfigsRequest(x, 1, { resources: [{ resourceType: RESOURCE_TOPIC, resourceName: topic, configs }], validateOnly: false })));
  return decodeIncrementalAlterConfigsResponse(r, 1).responses[0]!.errorCode;
}

test.serial('CreateTopics keeps configs on every member; unknown keys are INVALID_CONFIG and create nothing', async (t) => {
  const refused = await t.throwsAsync<Error & { errors?: { type: string }[] }>(admin.createTopics({ topics: [{ topic: 'bad-config', configEntries: [{ name: 'retention.milliseconds', value: '1' }] }] }));
  t.is(refused?.errors?.[0]?.type, 'INVALID_CONFIG');
  t.false((await admin.listTopics()).includes('bad-config'));
  t.true(await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'configured', configEntries: [{ name: 'retention.ms', value: '12345678' }, { name: 'cleanup.policy', value: 'compact' }] }] }));
  await everywhere('configured', 'retention.ms', '12345678', ConfigSource.DYNAMIC_TOPIC_CONFIG);
  await everywhere('configured', 'cleanup.policy', 'compact', ConfigSource.DYNAMIC_TOPIC_CONFIG);
  await everywhere('configured', 'retention.bytes', '-1', ConfigSource.DEFAULT_CONFIG);
  const kjs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'configured' }] });
  const entry = kjs.resources[0]!.configEntries.find((c) => c.configName === 'retention.ms')!;
  t.is(entry.configValue, '12345678');
  t.false(entry.isDefault);
});

test.serial('AlterConfigs replaces a topic\'s overrides and IncrementalAlterConfigs changes single keys, on every member', async (t) => {
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'configured', configEntries: [{ name: 'retention.ms', value: '999000' }] }] });
  await everywhere('configured', 'retention.ms', '999000', ConfigSource.DYNAMIC_TOPIC_CONFIG);
  await everywhere('configured', 'cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG);
  await t.throwsAsync(admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: 'configured', configEntries: [{ name: 'segment.bytes', value: 'big' }] }] }));

  t.is(await incremental('configured', [{ name: 'cleanup.policy', operation: ConfigOperation.APPEND, value: 'compact' }, { name: 'retention.ms', operation: ConfigOperation.DELETE, value: null }]), 0);
  await everywhere('configured', 'cleanup.policy', 'compact,delete', ConfigSource.DYNAMIC_TOPIC_CONFIG);
  await everywhere('configured', 'retention.ms', '604800000', ConfigSource.DEFAULT_CONFIG);
  t.is(await incremental('configured', [{ name: 'max.message.bytes', operation: ConfigOperation.SET, value: '2000' }, { name: 'no.such.key', operation: ConfigOperation.SET, value: '1' }]), ErrorCode.INVALID_CONFIG.code);
  t.is((await describe(nodes[2]!, 'configured')).get('max.message.bytes')?.[1], ConfigSource.DEFAULT_CONFIG, 'a refused request changes nothing');
  t.is(await incremental('configured', [{ name: 'max.message.bytes', operation: ConfigOperation.SET, value: '2000' }]), 0);
  const big = await produceTo(nodes[0]!.address, 'configured', 0, ['y'.repeat(3000)]);
  t.is(big.errorCode, ErrorCode.MESSAGE_TOO_LARGE.code, 'max.message.bytes is applied live');
  // Compacted now: keyless records are refused (Produce v3 has no record_errors: CORRUPT_MESSAGE), until SUBTRACT takes compact out.
  t.is((await produceTo(nodes[0]!.address, 'configured', 0, ['no key'])).errorCode, ErrorCode.CORRUPT_MESSAGE.code, 'cleanup.policy is applied live');
  t.is(await incremental('configured', [{ name: 'cleanup.policy', operation: ConfigOperation.SUBTRACT, value: 'compact' }]), 0);
  await everywhere('configured', 'cleanup.policy', 'delete', ConfigSource.DYNAMIC_TOPIC_CONFIG);
  t.is((await produceTo(nodes[0]!.address, 'configured', 0, ['no key'])).errorCode, 0);
});

test.serial('CreatePartitions grows a topic on every member', async (t) => {
  await admin.createPartitions({ topicPartitions: [{ topic: 'configured', count: 3 }] });
  for (const n of nodes) t.is(await partitionCount(n, 'configured'), 3, n.address);
  t.is((await produceTo(nodes[0]!.address, 'configured', 2, ['on the new partition'])).errorCode, 0, 'the new partition commits through the whole chain');
  await t.throwsAsync(admin.createPartitions({ topicPartitions: [{ topic: 'configured', count: 2 }] }), { message: /partition/i });
});

test.serial('DeleteRecords moves the log start offset on every member and it survives a kill -9', async (t) => {
  t.true(await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'trimmed' }] }));
  for (let i = 0; i < 10; i++) t.is((await produceTo(nodes[0]!.address, 'trimmed', 0, [`r${i}`])).errorCode, 0);
  // kafkajs finds leaders in its cached metadata only: load the topic's first.
  await admin.fetchTopicMetadata({ topics: ['trimmed'] });
  await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '4' }] });
  const low = (await admin.fetchTopicOffsets('trimmed'))[0]!;
  t.is(low.low, '4');
  const earliest = (n: NodeProcess) => ask(n, (w) => w.listOffset('trimmed', 0, -2));
  for (const n of nodes) await waitFor(`log start 4 at ${n.address}`, async () => ((await earliest(n)).offset === 4 ? true : undefined), 30_000);
  t.is((await ask(nodes[0]!, (w) => w.fetch('trimmed', 0, 2))).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE.code);
  await nodes[1]!.kill('SIGKILL');
  await nodes[1]!.start();
  t.is((await earliest(nodes[1]!)).offset, 4, 'the member that was killed kept its log start offset');
  t.deepEqual((await describe(nodes[1]!, 'configured')).get('cleanup.policy'), ['delete', ConfigSource.DYNAMIC_TOPIC_CONFIG], 'and its topic configs');
  // Later tests need the whole chain again: the restarted middle rejoins before writes commit.
  await waitFor('chain writable after the restart', async () => ((await produceTo(nodes[0]!.address, 'trimmed', 0, ['after'], -1, 5000).catch(() => null))?.errorCode === 0 ? true : undefined), 60_000, 250);
});

test.serial('OffsetDelete removes one partition\'s committed offset; deleteGroups the rest', async (t) => {
  // A plain OffsetCommit (no generation), not kafkajs's setOffsets: that resolves at its consumer's first
  // fetch, which on a loaded machine came before its second seek was committed (CI saw partition 1 at -1).
  const commit = () => ask(nodes[0]!, async (w) => decodeOffsetCommitResponse(await w.send(ApiKey.OffsetCommit, 2, (x) => encodeOffsetCommitRequest(x, 2, {
    groupId: 'trim-group', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
    topics: [{ name: 'configured', partitions: [[0, 1], [1, 0]].map(([partitionIndex, committedOffset]) => ({ partitionIndex: partitionIndex!, committedOffset: committedOffset!, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: null })) }],
  })), 2).topics[0]!.partitions.map((p) => p.errorCode));
  // COORDINATOR_NOT_AVAILABLE is retriable: the coordinator reloads its offsets after the previous test's restart.
  const codes = await waitFor('offsets committed', async () => {
    const c = await commit();
    return c.every((e) => e === ErrorCode.COORDINATOR_NOT_AVAILABLE.code) ? undefined : c;
  }, 60_000, 250);
  t.deepEqual(codes, [0, 0]);
  const r = await ask(nodes[0]!, (w) => w.send(ApiKey.OffsetDelete, 0, (x) => encodeOffsetDeleteRequest(x, 0, { groupId: 'trim-group', topics: [{ name: 'configured', partitions: [0] }] })));
  const res = decodeOffsetDeleteResponse(r, 0);
  t.is(res.errorCode, 0);
  t.is(res.topics[0]!.partitions[0]!.errorCode, 0);
  const [offsets] = await admin.fetchOffsets({ groupId: 'trim-group', topics: ['configured'] });
  const byPartition = new Map(offsets!.partitions.map((p) => [p.partition, p.offset]));
  t.is(byPartition.get(0), '-1');
  t.is(byPartition.get(1), '0');
  await admin.deleteGroups(['trim-group']);
  const missing = await ask(nodes[0]!, (w) => w.send(ApiKey.OffsetDelete, 0, (x) => encodeOffsetDeleteRequest(x, 0, { groupId: 'trim-group', topics: [{ name: 'configured', partitions: [1] }] })));
  t.is(decodeOffsetDeleteResponse(missing, 0).errorCode, ErrorCode.GROUP_ID_NOT_FOUND.code);
});

test.serial('a manual replica assignment is accepted when it names the chain\'s members, else INVALID_REPLICA_ASSIGNMENT', async (t) => {
  const ids = (await admin.describeCluster()).brokers.map((b) => b.nodeId);
  t.is(ids.length, 3);
  const reversed = [...ids].reverse();
  t.true(await admin.createTopics({ topics: [{ topic: 'assigned', replicaAssignment: [{ partition: 0, replicas: reversed }, { partition: 1, replicas: ids }] }] }));
  // CreateTopics answers once the controller has the topic; the other members learn it from the chain, and
  // kafkajs's fetchTopicMetadata asks any broker once, without retrying (CI saw UNKNOWN_TOPIC_OR_PARTITION).
  for (const n of nodes) await waitFor(`${n.address} knows the topic`, async () => ((await partitionCount(n, 'assigned')) === 2 ? true : undefined), 30_000);
  const meta = await admin.fetchTopicMetadata({ topics: ['assigned'] });
  t.is(meta.topics[0]!.partitions.length, 2, 'the assignment\'s length is the partition count');
  const refused = await t.throwsAsync(admin.createTopics({ topics: [{ topic: 'half-assigned', replicaAssignment: [{ partition: 0, replicas: [ids[0]!] }] }] }));
  t.regex(JSON.stringify(refused), /INVALID_REPLICA_ASSIGNMENT|chain's members/);
  t.false((await admin.listTopics()).includes('half-assigned'));
  await admin.createPartitions({ topicPartitions: [{ topic: 'assigned', count: 3, assignments: [reversed] }] });
  await t.throwsAsync(admin.createPartitions({ topicPartitions: [{ topic: 'assigned', count: 4, assignments: [[ids[1]!]] }] }));
  for (const n of nodes) await waitFor(`${n.address} lists 3 partitions`, async () => ((await partitionCount(n, 'assigned')) === 3 ? true : undefined), 30_000);
  t.is((await admin.fetchTopicMetadata({ topics: ['assigned'] })).topics[0]!.partitions.length, 3);
});
