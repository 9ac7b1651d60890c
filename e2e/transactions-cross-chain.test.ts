/**
 * Transactions whose partitions live on other chains than the coordinator's: three single-node chains
 * (static lists) with SASL/SCRAM and ACLs, so the coordinator (the first chain's head) reaches the other
 * heads as the inter-broker user with WriteTxnMarkers. kafkajs (as an ordinary user) writes to topics on
 * the second and third chains and commits its group's offsets (first chain) in one transaction; a chain
 * head that is down at commit time keeps the transaction PrepareCommit until it is back, then the
 * coordinator's retries land the marker. A user other than the inter-broker one may not write markers,
 * and a marker older than the producer's epoch in a partition is refused by that partition. A user may
 * use (Write) and see (Describe) only the transactional ids its ACLs name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import * as api from '../node/src/protocol/apis/index.ts';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { dial } from '../node/src/security/dial.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { NodeProcess } from './lib/node-process.ts';
import { freePort } from './lib/ports.ts';
import { waitFor } from './lib/tools.ts';
import { readValuesUntil } from './lib/kafkajs-read.ts';

const MECHANISM = 'SCRAM-SHA-256';
const PASSWORDS = { broker: 'broker-pw-31c7', alice: 'alice-pw-5d02' } as const;
const NAMES = ['xa0', 'xb0', 'xc0'];
const GROUP = 'xc-group';
let dir: string;
const nodes: NodeProcess[] = [];
/** Topic -> the index of the node (chain) that leads it. */
const leaderOf = new Map<string, number>();

test.before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-txn-xchain-'));
  const users = path.join(dir, 'users.json');
  const acls = path.join(dir, 'acl.json');
  fs.writeFileSync(users, JSON.stringify({ users: Object.entries(PASSWORDS).map(([name, password]) => ({ name, password })) }));
  fs.writeFileSync(acls, JSON.stringify({ acls: [
    { principal: 'User:alice', resourceType: 'topic', resourceName: 'xc-', patternType: 'prefixed', operations: ['all'], permission: 'allow' },
    { principal: 'User:alice', resourceType: 'group', resourceName: 'xc-', patternType: 'prefixed', operations: ['all'], permission: 'allow' },
    { principal: 'User:alice', resourceType: 'transactional_id', resourceName: 'xc-', patternType: 'prefixed', operations: ['write'], permission: 'allow' },
  ] }));
  const ports = await Promise.all(NAMES.map(() => freePort()));
  const cluster = NAMES.map((n, i) => `static:${n}=127.0.0.1:${ports[i]}`).join(',');
  for (const [i, name] of NAMES.entries()) {
    nodes.push(new NodeProcess({ port: ports[i]!, args: [
      '--node-name', name, '--discovery', `static:${name}=127.0.0.1:${ports[i]}`, '--replicas', '1', '--cluster', cluster,
      '--security-protocol', 'SASL_PLAINTEXT', '--sasl-users-file', users, '--sasl-inter-broker-user', 'broker', '--acl-file', acls,
    ] }));
  }
  await Promise.all(nodes.map((n) => n.start()));
  // Placement puts each new topic on the least loaded chain, earlier chains first: one topic per chain.
  const admin = kafka('xc-admin').admin();
  await admin.connect();
  for (const topic of ['xc-filler', 'xc-in', 'xc-out']) {
    await waitFor(`create ${topic}`, async () => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).then(() => true, () => undefined), 60_000, 500);
  }
  // Every node follows the placement map on its own: the broker kafkajs asks (once, no retry) may not have the new topics yet.
  const meta = await waitFor('metadata for the new topics', () => admin.fetchTopicMetadata({ topics: ['xc-filler', 'xc-in', 'xc-out'] }).catch(() => undefined), 60_000, 250);
  const brokers = await admin.describeCluster();
  for (const t of meta.topics) {
    const leader = brokers.brokers.find((b) => b.nodeId === t.partitions[0]!.leader)!;
    leaderOf.set(t.name, nodes.findIndex((n) => n.port === leader.port));
  }
  await admin.disconnect();
});

test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function kafka(clientId: string, user: keyof typeof PASSWORDS = 'alice'): Kafka {
  return new Kafka({
    clientId, brokers: nodes.map((n) => n.address), logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'scram-sha-256', username: user, password: PASSWORDS[user] },
    retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 2000 },
  });
}

async function as<T>(user: keyof typeof PASSWORDS, node: number, fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const n = nodes[node]!;
  const wire = KafkaWire.fromSocket(await dial(n.host, n.port, { sasl: { mechanism: MECHANISM, username: user, password: PASSWORDS[user] } }));
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

async function transactional(id: string): Promise<Producer> {
  const producer = kafka(`xc-${id}`).producer({ transactionalId: id, maxInFlightRequests: 1, idempotent: true });
  await producer.connect();
  return producer;
}

/** Values of one-partition `topic` read with read_committed from the start until `last` arrives. */
const readCommitted = (topic: string, last: string): Promise<string[]> => readValuesUntil(kafka('xc-reader'), topic, last, false, 'xc-reader');

async function describeTxn(id: string): Promise<api.DescribeTransactionsResponse['transactionStates'][number]> {
  return as('broker', 0, async (w) => api.decodeDescribeTransactionsResponse(await w.send(ApiKey.DescribeTransactions, 0, (x) => api.encodeDescribeTransactionsRequest(x, 0, { transactionalIds: [id] })), 0).transactionStates[0]!);
}

const values = (prefix: string, n: number): { value: string }[] => Array.from({ length: n }, (_, i) => ({ value: `${prefix}-${i}` }));

test.serial('one transaction over three chains: records on two other chains and the group\'s offsets commit together; an aborted one leaves nothing', async (t) => {
  t.deepEqual([leaderOf.get('xc-filler'), leaderOf.get('xc-in'), leaderOf.get('xc-out')], [0, 1, 2], 'each topic on its own chain, the coordinator on the first');
  const admin = kafka('xc-admin2').admin();
  await admin.connect();
  const committed = async (): Promise<string> => (await admin.fetchOffsets({ groupId: GROUP, topics: ['xc-in'] }))[0]!.partitions[0]!.offset;
  const producer = await transactional('xc-tx');
  let txn = await producer.transaction();
  await txn.send({ topic: 'xc-in', messages: values('in1', 2) });
  await txn.send({ topic: 'xc-out', messages: values('out1', 3) });
  await txn.sendOffsets({ consumerGroupId: GROUP, topics: [{ topic: 'xc-in', partitions: [{ partition: 0, offset: '7' }] }] });
  await txn.commit();
  t.is(await committed(), '7');

  txn = await producer.transaction();
  await txn.send({ topic: 'xc-in', messages: values('in2', 2) });
  await txn.send({ topic: 'xc-out', messages: values('out2', 2) });
  await txn.sendOffsets({ consumerGroupId: GROUP, topics: [{ topic: 'xc-in', partitions: [{ partition: 0, offset: '9' }] }] });
  await txn.abort();
  t.is(await committed(), '7', 'the aborted transaction\'s offsets never appear');

  txn = await producer.transaction();
  await txn.send({ topic: 'xc-in', messages: [{ value: 'in3' }] });
  await txn.send({ topic: 'xc-out', messages: [{ value: 'out3' }] });
  await txn.commit();
  await producer.disconnect();
  await admin.disconnect();
  t.deepEqual(await readCommitted('xc-in', 'in3'), ['in1-0', 'in1-1', 'in3']);
  t.deepEqual(await readCommitted('xc-out', 'out3'), ['out1-0', 'out1-1', 'out1-2', 'out3']);
});

test.serial('WriteTxnMarkers: refused to a user without ClusterAction; from the inter-broker user a marker older than the producer\'s epoch is INVALID_PRODUCER_EPOCH', async (t) => {
  const state = await describeTxn('xc-tx');
  t.is(state.errorCode, 0);
  const out = leaderOf.get('xc-out')!;
  const markers = (epoch: number): api.WriteTxnMarkersRequest => ({ markers: [{ producerId: state.producerId, producerEpoch: epoch, transactionResult: false, topics: [{ name: 'xc-out', partitionIndexes: [0] }], coordinatorEpoch: 0 }] });
  const send = (user: keyof typeof PASSWORDS, req: api.WriteTxnMarkersRequest, v: number) => as(user, out, async (w) =>
    api.decodeWriteTxnMarkersResponse(await w.send(ApiKey.WriteTxnMarkers, v, (x) => api.encodeWriteTxnMarkersRequest(x, v, req)), v).markers[0]!.topics[0]!.partitions[0]!.errorCode);
  const logEnd = async (): Promise<number> => (await as('broker', out, async (w) => api.decodeListOffsetsResponse(await w.send(ApiKey.ListOffsets, 1, (x) => api.encodeListOffsetsRequest(x, 1, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'xc-out', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1, maxNumOffsets: 1 }] }] })), 1))).topics[0]!.partitions[0]!.offset;
  const endBefore = await logEnd();
  t.is(await send('alice', markers(state.producerEpoch), 1), ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, 'an ordinary user may not end transactions');
  t.is(await send('broker', markers(state.producerEpoch - 1), 0), ErrorCode.INVALID_PRODUCER_EPOCH.code, 'a zombie coordinator\'s marker is fenced');
  t.is(await logEnd(), endBefore, 'neither refused marker was written');
});

test.serial('a chain head down at commit: the transaction stays PrepareCommit, and once the head is back the coordinator\'s retries write the marker', async (t) => {
  const producer = await transactional('xc-retry');
  const txn = await producer.transaction();
  await txn.send({ topic: 'xc-in', messages: [{ value: 'held' }] });
  await txn.send({ topic: 'xc-out', messages: [{ value: 'held-out' }] });
  const down = nodes[leaderOf.get('xc-in')!]!;
  await down.kill('SIGKILL');
  await t.throwsAsync(() => txn.commit(), undefined, 'EndTxn cannot finish while a partition\'s head is down');
  t.is((await describeTxn('xc-retry')).transactionState, 'PrepareCommit', 'the decision is logged and kept');
  await producer.disconnect().catch(() => undefined);
  await down.start();
  await waitFor('the coordinator completes the commit', async () => ((await describeTxn('xc-retry')).transactionState === 'CompleteCommit' ? true : undefined), 60_000, 200);
  t.deepEqual((await readCommitted('xc-in', 'held')).slice(-1), ['held']);
  t.deepEqual((await readCommitted('xc-out', 'held-out')).slice(-1), ['held-out']);
});

test.serial('TransactionalId ACLs: an id the user has no Write on is refused by InitProducerId, Produce, AddPartitionsToTxn and EndTxn; Describe and List show only its own ids', async (t) => {
  const refused = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code;
  const init = (w: KafkaWire, id: string) => w.send(ApiKey.InitProducerId, 1, (x) => api.encodeInitProducerIdRequest(x, 1, { transactionalId: id, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })).then((r) => api.decodeInitProducerIdResponse(r, 1));
  // Another application's id, made by a user allowed everything (the inter-broker super user).
  t.is((await as('broker', 0, (w) => init(w, 'other-app'))).errorCode, 0);
  await as('alice', 0, async (w) => {
    t.is((await init(w, 'other-app')).errorCode, refused);
    const own = await init(w, 'xc-raw');
    t.is(own.errorCode, 0, 'an id under the prefix alice may write');
    const add = (id: string) => w.send(ApiKey.AddPartitionsToTxn, 3, (x) => api.encodeAddPartitionsToTxnRequest(x, 3, { transactionalId: id, producerId: own.producerId, producerEpoch: own.producerEpoch, topics: [{ name: 'xc-filler', partitions: [0] }] }))
      .then((r) => api.decodeAddPartitionsToTxnResponse(r, 3).results[0]!.results[0]!.errorCode);
    t.is(await add('other-app'), refused);
    const end = await w.send(ApiKey.EndTxn, 3, (x) => api.encodeEndTxnRequest(x, 3, { transactionalId: 'other-app', producerId: own.producerId, producerEpoch: own.producerEpoch, committed: true }));
    t.is(api.decodeTxnErrorResponse(end, 3).errorCode, refused);
    const described = api.decodeDescribeTransactionsResponse(await w.send(ApiKey.DescribeTransactions, 0, (x) => api.encodeDescribeTransactionsRequest(x, 0, { transactionalIds: ['xc-tx', 'other-app'] })), 0);
    t.deepEqual(described.transactionStates.map((s) => s.errorCode), [0, refused]);
    const listed = api.decodeListTransactionsResponse(await w.send(ApiKey.ListTransactions, 1, (x) => api.encodeListTransactionsRequest(x, 1, { stateFilters: [], producerIdFilters: [], durationFilterMs: -1 })), 1);
    t.is(listed.errorCode, 0);
    t.deepEqual(listed.transactionStates.map((s) => s.transactionalId).sort(), ['xc-raw', 'xc-retry', 'xc-tx'], 'other-app is left out');
  });
  // A transactional produce naming a forbidden id is refused before any record is written.
  await as('alice', leaderOf.get('xc-filler')!, async (w) => {
    const records = encodeRecordBatch({ records: [{ value: 'x' }], producerId: 1, producerEpoch: 0, baseSequence: 0, transactional: true });
    const res = api.decodeProduceResponse(await w.send(ApiKey.Produce, 3, (x) => api.encodeProduceRequest(x, 3, { transactionalId: 'other-app', acks: -1, timeoutMs: 30_000, topics: [{ name: 'xc-filler', partitions: [{ index: 0, records }] }] })), 3);
    t.is(res.topics[0]!.partitions[0]!.errorCode, refused);
  });
});
