/**
 * Topic ids (KIP-516) on a 3-node chain of real node processes (real DNS SRV via dnsmasq):
 * CreateTopics v7 answers the id, every member answers the same id in Metadata v12 and keeps it in
 * Kafka's partition.metadata file, across kill -9 and restarts; a member whose files lost the id takes
 * the head's again, and a chain whose data predates ids agrees on the name-derived id. Fetch v13/v16 by
 * id reads the records at the tail (read_uncommitted and read_committed), the head names the tail as
 * preferred_read_replica at v13 too (KIP-392), an unknown id is UNKNOWN_TOPIC_ID, DeleteTopics v6
 * deletes by id, DescribeTopicPartitions pages partitions with a cursor; kcat (librdkafka) and kafkajs
 * still produce and consume, and __consumer_offsets has one id on every member as well. Without
 * Describe, asking by id reveals no name.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ChainCluster } from './lib/chain-cluster.ts';
import { NodeProcess } from './lib/node-process.ts';
import { openLog } from '../node/src/index.ts';
import { decodeMetadataResponse, encodeMetadataRequest } from '../node/src/protocol/apis/metadata.ts';
import { readPartitionMetadata } from '../node/src/storage/topic-ids.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../node/src/protocol/apis/create-topics.ts';
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from '../node/src/protocol/apis/delete-topics.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { decodeDescribeTopicPartitionsResponse, encodeDescribeTopicPartitionsRequest } from '../node/src/protocol/apis/describe-topic-partitions.ts';
import { decodeRecordBatches } from '../node/src/protocol/record-batch.ts';
import { isZeroUuid, nameDerivedTopicId, randomTopicId, uuidToString } from '../node/src/protocol/uuid.ts';
import { PARTITION_METADATA_FILE } from '../node/src/storage/topic-ids.ts';

const hasTools = requireTool('dnsmasq') && requireTool('kcat');
const chainTest = hasTools ? test.serial : test.skip;
const TOPIC = 'ids';
const SUBNET = 121;

let chain: ChainCluster | null = null;
let secured: NodeProcess | null = null;
const wires: KafkaWire[] = [];

test.after.always(async () => {
  for (const w of wires) w.close();
  await chain?.destroy();
  await secured?.destroy();
});

async function wire(address: string): Promise<KafkaWire> {
  const w = await KafkaWire.connect(address);
  wires.push(w);
  return w;
}

/** The id member i answers for `topic` in Metadata v12 (a fresh connection: members restart). */
async function idAt(c: ChainCluster, i: number, topic: string): Promise<string> {
  const w = await wire(c.nodes[i]!.address);
  try {
    const [t] = await w.metadataTopics([topic]);
    return t!.errorCode === 0 ? uuidToString(t!.topicId) : `error ${t!.errorCode}`;
  } finally {
    w.close();
  }
}

const idsOnDisk = (dataDir: string, topic: string): string[] =>
  fs.readdirSync(dataDir).filter((d) => d.startsWith(`${topic}-`)).sort().map((d) => fs.readFileSync(path.join(dataDir, d, PARTITION_METADATA_FILE), 'utf8'));

/** Waits until every running member answers `expected` for the topic. */
async function everyMemberAnswers(c: ChainCluster, topic: string, expected: string): Promise<void> {
  await waitFor(`every member answers id ${expected} for ${topic}`, async () => {
    const ids = await Promise.all(c.nodes.map((_, i) => idAt(c, i, topic).catch((e: Error) => e.message)));
    return ids.every((id) => id === expected) ? true : undefined;
  }, 60_000, 200);
}

chainTest('a topic id is the same on every member, in partition.metadata, across kill -9, and Fetch v13+ reads by it', async (t) => {
  chain = new ChainCluster('ti', 3, SUBNET);
  await chain.start(3);
  const head = chain.nodes[0]!;
  const h = await wire(head.address);

  // CreateTopics v7 answers the new topic's id.
  const created = decodeCreateTopicsResponse(await h.send(ApiKey.CreateTopics, 7, (w) =>
    encodeCreateTopicsRequest(w, 7, { topics: [{ name: TOPIC, numPartitions: 2, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false })), 7).topics[0]!;
  t.is(created.errorCode, 0, created.errorMessage ?? '');
  t.false(isZeroUuid(created.topicId));
  const id = uuidToString(created.topicId);
  await everyMemberAnswers(chain, TOPIC, id);
  for (const n of chain.nodes) t.deepEqual(idsOnDisk(n.dataDir, TOPIC), [0, 1].map(() => `version: 0\ntopic_id: ${id}`), `partition.metadata on ${n.address}`);

  const values = Array.from({ length: 50 }, (_, i) => `v-${i}`);
  t.is((await produceTo(head.address, TOPIC, 0, values, -1)).errorCode, 0);

  // Fetch by id at the tail returns the records, at v13 and v16, read_committed too.
  const tail = await wire(chain.nodes[2]!.address);
  for (const version of [13, 16]) {
    for (const readCommitted of [false, true]) {
      const p = await tail.fetchById(created.topicId, 0, 0, { version, readCommitted });
      t.is(p.errorCode, 0);
      t.deepEqual(p.topicId, created.topicId, 'the answer names the topic by its id');
      t.is(p.highWatermark, values.length);
      if (readCommitted) t.is(p.lastStableOffset, values.length);
      const got = [...decodeRecordBatches(p.records!)].flatMap((b) => b.records.map((r) => r.value!.toString()));
      t.deepEqual(got, values, `Fetch v${version}${readCommitted ? ' read_committed' : ''} by id`);
    }
  }
  // KIP-392 at the new versions: the head names the tail and returns no records.
  const [meta] = await h.metadataTopics([TOPIC]);
  const tailId = meta!.partitions[0]!.replicaNodes[2]!;
  const atHead = await h.fetchById(created.topicId, 0, 0, { version: 13 });
  t.is(atHead.errorCode, 0);
  t.is(atHead.preferredReadReplica, tailId);
  t.is(atHead.records?.length ?? 0, 0);
  // DescribeTopicPartitions (KIP-966) answers the same id, paged one partition at a time here.
  const describe = async (cursor: { topicName: string; partitionIndex: number } | null) => decodeDescribeTopicPartitionsResponse(await h.send(ApiKey.DescribeTopicPartitions, 0, (w) =>
    encodeDescribeTopicPartitionsRequest(w, 0, { topics: [TOPIC, 'no-such-topic'], responsePartitionLimit: 1, cursor })), 0);
  const page1 = await describe(null);
  t.deepEqual(page1.topics.map((x) => [x.name, x.errorCode, x.partitions.map((p) => p.partitionIndex)]), [[TOPIC, 0, [0]]]);
  t.deepEqual(page1.topics[0]!.topicId, created.topicId);
  t.deepEqual(page1.nextCursor, { topicName: TOPIC, partitionIndex: 1 });
  const page2 = await describe(page1.nextCursor);
  t.deepEqual(page2.topics.map((x) => [x.name, x.errorCode, x.partitions.map((p) => p.partitionIndex)]), [[TOPIC, 0, [1]], ['no-such-topic', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code, []]]);
  t.is(page2.nextCursor, null);
  // An id no topic has.
  t.is((await tail.fetchById(randomTopicId(), 0, 0)).errorCode, ErrorCode.UNKNOWN_TOPIC_ID.code);

  // kill -9 of the tail, restart: same id.
  await chain.nodes[2]!.kill('SIGKILL');
  await chain.nodes[2]!.start();
  await chain.waitWritable(120_000);
  await everyMemberAnswers(chain, TOPIC, id);

  // kill -9 of the middle, and its id files lost: on start it derives an id from the name (not the head's
  // random one), then takes the head's from the chain.
  const middle = chain.nodes[1]!;
  await middle.kill('SIGKILL');
  for (const p of [0, 1]) fs.rmSync(path.join(middle.dataDir, `${TOPIC}-${p}`, PARTITION_METADATA_FILE));
  await middle.start();
  await chain.waitWritable(120_000);
  await everyMemberAnswers(chain, TOPIC, id);
  await waitFor('the middle rewrote the head\'s id to disk', () => (idsOnDisk(middle.dataDir, TOPIC).every((s) => s === `version: 0\ntopic_id: ${id}`) ? true : undefined), 60_000);

  // Data written before topic ids (no partition.metadata anywhere): every member derives the same id.
  await Promise.all(chain.nodes.map((n) => n.kill('SIGKILL')));
  for (const n of chain.nodes) for (const p of [0, 1]) fs.rmSync(path.join(n.dataDir, `${TOPIC}-${p}`, PARTITION_METADATA_FILE));
  await Promise.all(chain.nodes.map((n) => n.start()));
  await chain.waitWritable(120_000);
  await everyMemberAnswers(chain, TOPIC, uuidToString(nameDerivedTopicId(TOPIC)));
});

chainTest('kcat and kafkajs still produce and consume; __consumer_offsets has one id on every member; DeleteTopics v6 deletes by id', async (t) => {
  t.truthy(chain, 'runs after the chain test');
  const c = chain!;
  const headAddress = c.nodes[0]!.address;
  const produced = await run('kcat', ['-b', headAddress, '-P', '-t', 'kc', '-X', 'acks=all'], { input: 'a\nb\nc\n', timeoutMs: 120_000 });
  t.is(produced.code, 0, produced.stderr);
  const consumed = await run('kcat', ['-b', headAddress, '-C', '-t', 'kc', '-o', 'beginning', '-e', '-q'], { timeoutMs: 120_000 });
  t.is(consumed.code, 0, consumed.stderr);
  t.deepEqual(consumed.stdout.toString().trim().split('\n'), ['a', 'b', 'c']);

  const kafka = new Kafka({ clientId: 'e2e-topic-ids', brokers: [headAddress], logLevel: logLevel.NOTHING, retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 2000 } });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'kj', acks: -1, messages: [{ value: 'x' }, { value: 'y' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'ids-group', maxWaitTimeInMs: 200 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: 'kj', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  await waitFor('kafkajs consumed both records', () => (seen.length >= 2 ? true : undefined), 120_000);
  await consumer.disconnect();
  t.deepEqual(seen, ['x', 'y']);

  for (const topic of ['kc', 'kj', '__consumer_offsets']) {
    const id = await idAt(c, 0, topic);
    t.regex(id, /^[A-Za-z0-9_-]{22}$/, `${topic} has an id`);
    await everyMemberAnswers(c, topic, id);
  }

  // DeleteTopics v6 by id.
  const h = await wire(headAddress);
  const id = (await h.metadataTopics(['kj']))[0]!.topicId;
  const [deleted] = decodeDeleteTopicsResponse(await h.send(ApiKey.DeleteTopics, 6, (w) =>
    encodeDeleteTopicsRequest(w, 6, { topicNames: [], topics: [{ name: null, topicId: id }], timeoutMs: 10_000 })), 6).responses;
  t.is(deleted!.errorCode, 0, deleted!.errorMessage ?? '');
  t.is(deleted!.name, 'kj');
  await waitFor('kj is gone on every member', async () => {
    const answers = await Promise.all(c.nodes.map((_, i) => idAt(c, i, 'kj')));
    return answers.every((a) => a === `error ${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code}`) ? true : undefined;
  }, 60_000);
  const [again] = decodeDeleteTopicsResponse(await h.send(ApiKey.DeleteTopics, 6, (w) =>
    encodeDeleteTopicsRequest(w, 6, { topicNames: [], topics: [{ name: null, topicId: id }], timeoutMs: 10_000 })), 6).responses;
  t.is(again!.errorCode, ErrorCode.UNKNOWN_TOPIC_ID.code);
});

test.serial('without Describe, a topic asked for by id keeps its name secret: Metadata and DeleteTopics answer TOPIC_AUTHORIZATION_FAILED with a null name, Fetch by id reads nothing', async (t) => {
  secured = new NodeProcess();
  const log = await openLog({ dataDir: secured.dataDir });
  log.createTopic('secret-ids');
  log.write('secret-ids', ['hidden']);
  log.close();
  const id = readPartitionMetadata(path.join(secured.dataDir, 'secret-ids-0'))!;
  const aclFile = `${secured.dataDir}-acl.json`;
  fs.writeFileSync(aclFile, JSON.stringify({ acls: [] }));
  secured.spec.args = ['--acl-file', aclFile];
  await secured.start();
  t.teardown(() => fs.rmSync(aclFile, { force: true }));
  const w = await wire(secured.address);

  const meta = decodeMetadataResponse(await w.send(ApiKey.Metadata, 12, (x) => encodeMetadataRequest(x, 12, {
    topics: [{ topicId: id, name: null }, { topicId: Buffer.alloc(16), name: 'secret-ids' }], allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  })), 12).topics;
  t.deepEqual(meta.map((x) => [x.errorCode, x.name, uuidToString(x.topicId)]), [
    [ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, null, uuidToString(id)],
    [ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, 'secret-ids', 'AAAAAAAAAAAAAAAAAAAAAA'],
  ], 'by id: the id but no name; by name: the name but no id');

  const f = await w.fetchById(id, 0, 0, { version: 13 });
  t.is(f.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);
  t.is(f.records?.length ?? 0, 0);

  const [del] = decodeDeleteTopicsResponse(await w.send(ApiKey.DeleteTopics, 6, (x) =>
    encodeDeleteTopicsRequest(x, 6, { topicNames: [], topics: [{ name: null, topicId: id }], timeoutMs: 10_000 })), 6).responses;
  t.deepEqual([del!.errorCode, del!.name], [ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, null]);
  t.truthy(readPartitionMetadata(path.join(secured.dataDir, 'secret-ids-0')), 'nothing deleted');
});
