/**
 * Kafka transactions (KIP-98) with kafkajs 2.2 against one live node over TCP: `producer.transaction()`
 * commits and aborts, read back by kafkajs consumers with `readUncommitted: false` (aborted records never
 * delivered, an open transaction holding back everything after it until it ends) and `true` (everything);
 * `sendOffsets` (consume-transform-produce) whose offsets appear only on commit and survive a kill -9;
 * a second producer with the same transactional id fencing the first; a transaction past its timeout
 * aborted by the coordinator; the abort's entry in the `.txnindex` beside the segment holding its marker.
 */
import test from 'ava';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import * as api from '../node/src/protocol/apis/index.ts';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { waitFor } from './lib/tools.ts';
import { readValuesUntil } from './lib/kafkajs-read.ts';
import { decodeAbortedTxns } from '../node/src/storage/txn-index.ts';
import { decodeRecordBatches } from '../node/src/protocol/record-batch.ts';

let node: NodeProcess;
test.before(async () => {
  node = await startNodeProcess();
});
test.after.always(async () => {
  await node?.destroy();
});

function kafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [node.address], logLevel: logLevel.NOTHING, retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 2000 } });
}

async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafka('tx-admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  await admin.disconnect();
}

async function transactional(id: string, transactionTimeout?: number): Promise<Producer> {
  const producer = kafka(`tx-${id}`).producer({ transactionalId: id, maxInFlightRequests: 1, idempotent: true, ...(transactionTimeout ? { transactionTimeout } : {}) });
  await producer.connect();
  return producer;
}

/** Values read from the start of one-partition `topic` until `last` arrives, in order. */
const readUntil = (topic: string, last: string, readUncommitted: boolean): Promise<string[]> => readValuesUntil(kafka('tx-reader'), topic, last, readUncommitted);

const values = (prefix: string, n: number): { value: string }[] => Array.from({ length: n }, (_, i) => ({ value: `${prefix}-${i}` }));

test.serial('committed transactions are read by read_committed consumers, aborted ones never; read_uncommitted reads both', async (t) => {
  await createTopics('tx-out', 'tx-side');
  const producer = await transactional('tx-basic');
  let txn = await producer.transaction();
  await txn.send({ topic: 'tx-out', messages: values('c1', 3) });
  await txn.send({ topic: 'tx-side', messages: values('side', 1) });
  await txn.commit();
  txn = await producer.transaction();
  await txn.send({ topic: 'tx-out', messages: values('a2', 3) });
  await txn.abort();
  // offsets: c1 0-2, commit marker 3, a2 4-6, abort marker 7; the partition's one segment indexes the abort.
  const dir = path.join(node.dataDir, 'tx-out-0');
  const abortMarker = await waitFor('the abort marker at offset 7', () =>
    [...decodeRecordBatches(fs.readFileSync(path.join(dir, '00000000000000000000.log')))].find((b) => b.header.baseOffset === 7)?.header, 30_000);
  t.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.txnindex')), ['00000000000000000000.txnindex']);
  // The entry is written right after the marker, in the same synchronous append: wait out that gap.
  const entries = await waitFor('the .txnindex entry', () => {
    const read = decodeAbortedTxns(fs.readFileSync(path.join(dir, '00000000000000000000.txnindex')));
    return read && read.length > 0 ? read : undefined;
  }, 30_000);
  t.deepEqual(entries,
    [{ producerId: abortMarker.producerId, firstOffset: 4, lastOffset: 7, lastStableOffset: 8 }], 'the abort\'s .txnindex entry, written when its marker landed');
  txn = await producer.transaction();
  await txn.send({ topic: 'tx-out', messages: values('c3', 2) });
  await txn.commit();
  await producer.disconnect();

  t.deepEqual(await readUntil('tx-out', 'c3-1', false), ['c1-0', 'c1-1', 'c1-2', 'c3-0', 'c3-1']);
  t.deepEqual(await readUntil('tx-out', 'c3-1', true), ['c1-0', 'c1-1', 'c1-2', 'a2-0', 'a2-1', 'a2-2', 'c3-0', 'c3-1']);
  t.deepEqual(await readUntil('tx-side', 'side-0', false), ['side-0'], 'the second partition of the transaction got its marker too');
});

test.serial('an open transaction holds back read_committed readers (last stable offset) until it commits', async (t) => {
  await createTopics('tx-lso');
  const producer = await transactional('tx-open');
  const txn = await producer.transaction();
  await txn.send({ topic: 'tx-lso', messages: values('open', 2) });
  // A plain producer writes after the open transaction: read_uncommitted sees it, read_committed must not yet.
  const plain = kafka('tx-plain').producer();
  await plain.connect();
  await plain.send({ topic: 'tx-lso', acks: -1, messages: [{ value: 'after' }] });
  t.deepEqual(await readUntil('tx-lso', 'after', true), ['open-0', 'open-1', 'after']);

  const consumer = kafka('tx-held').consumer({ groupId: `held-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  const seen: string[] = [];
  let fetches = 0;
  consumer.on(consumer.events.FETCH, () => void fetches++);
  await consumer.connect();
  await consumer.subscribe({ topic: 'tx-lso', fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  // Several complete fetches answered while the transaction is open, and none returned a record.
  await waitFor('read_committed consumer fetched a few times', () => (fetches >= 5 ? true : undefined), 60_000);
  t.deepEqual(seen, []);
  await txn.commit();
  await waitFor('records released by the commit', () => (seen.includes('after') ? true : undefined), 60_000);
  await consumer.disconnect();
  t.deepEqual(seen, ['open-0', 'open-1', 'after']);
  await plain.disconnect();
  await producer.disconnect();
});

test.serial('sendOffsets: offsets committed in a transaction appear only when it commits, never when it aborts, and survive kill -9', async (t) => {
  await createTopics('tx-ctp-out');
  const group = 'tx-ctp-group';
  const admin = kafka('tx-ctp-admin').admin();
  await admin.connect();
  const committedOffset = async (): Promise<string> => (await admin.fetchOffsets({ groupId: group, topics: ['tx-in'] }))[0]!.partitions[0]!.offset;
  await admin.createTopics({ topics: [{ topic: 'tx-in', numPartitions: 1 }], waitForLeaders: true });
  const producer = await transactional('tx-ctp');
  const offsetsAt = (offset: number) => ({ consumerGroupId: group, topics: [{ topic: 'tx-in', partitions: [{ partition: 0, offset: String(offset) }] }] });

  let txn = await producer.transaction();
  await txn.send({ topic: 'tx-ctp-out', messages: values('A', 5) });
  await txn.sendOffsets(offsetsAt(5));
  t.is(await committedOffset(), '-1', 'not visible while the transaction is open');
  await txn.commit();
  t.is(await committedOffset(), '5');

  txn = await producer.transaction();
  await txn.send({ topic: 'tx-ctp-out', messages: values('B', 5) });
  await txn.sendOffsets(offsetsAt(10));
  await txn.abort();
  t.is(await committedOffset(), '5', 'an aborted transaction\'s offsets never appear');

  txn = await producer.transaction();
  await txn.send({ topic: 'tx-ctp-out', messages: values('C', 5) });
  await txn.sendOffsets(offsetsAt(10));
  await txn.commit();
  t.is(await committedOffset(), '10');
  await producer.disconnect();
  await admin.disconnect();

  // The coordinators rebuild from __transaction_state and __consumer_offsets after a hard kill.
  await node.kill('SIGKILL');
  await node.start();
  const after = kafka('tx-ctp-admin2').admin();
  await after.connect();
  t.is((await after.fetchOffsets({ groupId: group, topics: ['tx-in'] }))[0]!.partitions[0]!.offset, '10');
  await after.disconnect();
  const out = await readUntil('tx-ctp-out', 'C-4', false);
  t.deepEqual(out, [...values('A', 5), ...values('C', 5)].map((m) => m.value));
  // The recovered coordinator still knows the id: a new producer with it commits normally.
  const again = await transactional('tx-ctp');
  const last = await again.transaction();
  await last.send({ topic: 'tx-ctp-out', messages: [{ value: 'D' }] });
  await last.commit();
  await again.disconnect();
  t.deepEqual((await readUntil('tx-ctp-out', 'D', false)).slice(-2), ['C-4', 'D']);
});

test.serial('a second producer with the same transactional id fences the first and aborts its open transaction', async (t) => {
  await createTopics('tx-fence');
  const zombie = await transactional('tx-fenced');
  const old = await zombie.transaction();
  await old.send({ topic: 'tx-fence', messages: [{ value: 'zombie-1' }] });

  // kafkajs sends the transactional InitProducerId when the first transaction begins.
  const successor = await transactional('tx-fenced');
  const txn = await successor.transaction();
  const err = await t.throwsAsync(async () => {
    await old.send({ topic: 'tx-fence', messages: [{ value: 'zombie-2' }] });
    await old.commit();
  });
  t.regex(`${err?.name} ${err?.message} ${(err as { type?: string } | undefined)?.type ?? ''}`, /epoch|fenced|INVALID_PRODUCER_EPOCH/i);
  await txn.send({ topic: 'tx-fence', messages: [{ value: 'successor-1' }] });
  await txn.commit();
  await successor.disconnect();
  await zombie.disconnect().catch(() => undefined);
  t.deepEqual(await readUntil('tx-fence', 'successor-1', false), ['successor-1']);
});

test.serial('a transaction open past its timeout is aborted by the coordinator and its producer fenced', async (t) => {
  await createTopics('tx-timeout');
  const producer = await transactional('tx-slow', 1500);
  const txn = await producer.transaction();
  await txn.send({ topic: 'tx-timeout', messages: [{ value: 'late' }] });
  const plain = kafka('tx-plain2').producer();
  await plain.connect();
  await plain.send({ topic: 'tx-timeout', acks: -1, messages: [{ value: 'sentinel' }] });
  await plain.disconnect();
  // The sentinel reaches a read_committed reader only once the coordinator has aborted the transaction.
  t.deepEqual(await readUntil('tx-timeout', 'sentinel', false), ['sentinel']);
  await t.throwsAsync(() => txn.commit());
  await producer.disconnect().catch(() => undefined);
});

test.serial('raw wire: a partition that does not exist fails AddPartitionsToTxn and leaves the rest not attempted; EndTxn without a transaction is INVALID_TXN_STATE; DescribeTransactions and ListTransactions report the state', async (t) => {
  await createTopics('tx-raw');
  const wire = await KafkaWire.connect(node.address);
  try {
    const init = api.decodeInitProducerIdResponse(await wire.send(ApiKey.InitProducerId, 1, (w) => api.encodeInitProducerIdRequest(w, 1, { transactionalId: 'tx-raw-id', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })), 1);
    t.is(init.errorCode, 0);
    const add = (topics: api.TxnTopicPartitions[], epoch = init.producerEpoch, v = 3) => wire.send(ApiKey.AddPartitionsToTxn, v, (w) => api.encodeAddPartitionsToTxnRequest(w, v, { transactionalId: 'tx-raw-id', producerId: init.producerId, producerEpoch: epoch, topics }))
      .then((r) => api.decodeAddPartitionsToTxnResponse(r, v));
    const bad = await add([{ name: 'tx-raw', partitions: [0, 7] }]);
    t.deepEqual(bad.results[0]!.results.map((p) => p.errorCode), [ErrorCode.OPERATION_NOT_ATTEMPTED.code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code]);
    const end = (v: number, epoch = init.producerEpoch) => wire.send(ApiKey.EndTxn, v, (w) => api.encodeEndTxnRequest(w, v, { transactionalId: 'tx-raw-id', producerId: init.producerId, producerEpoch: epoch, committed: true }))
      .then((r) => api.decodeTxnErrorResponse(r, v).errorCode);
    t.is(await end(3), ErrorCode.INVALID_TXN_STATE.code, 'nothing was added, so no transaction is open');
    t.is((await add([{ name: 'tx-raw', partitions: [0] }])).results[0]!.results[0]!.errorCode, 0);
    t.is(await end(3, init.producerEpoch + 1), ErrorCode.PRODUCER_FENCED.code, 'a wrong epoch at v3 is PRODUCER_FENCED');
    t.is(await end(1, init.producerEpoch + 1), ErrorCode.INVALID_PRODUCER_EPOCH.code, 'and INVALID_PRODUCER_EPOCH before v2');
    t.is(await end(3), 0);
    t.is(await end(3), 0, 'a retried EndTxn of a finished commit answers 0 again');

    const described = api.decodeDescribeTransactionsResponse(await wire.send(ApiKey.DescribeTransactions, 0, (w) => api.encodeDescribeTransactionsRequest(w, 0, { transactionalIds: ['tx-raw-id', 'tx-nobody'] })), 0);
    t.like(described.transactionStates[0], { errorCode: 0, transactionalId: 'tx-raw-id', transactionState: 'CompleteCommit', producerId: init.producerId, producerEpoch: init.producerEpoch, topics: [] });
    t.is(described.transactionStates[1]!.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND.code);
    const listed = api.decodeListTransactionsResponse(await wire.send(ApiKey.ListTransactions, 1, (w) => api.encodeListTransactionsRequest(w, 1, { stateFilters: ['CompleteCommit', 'Bogus'], producerIdFilters: [init.producerId], durationFilterMs: -1 })), 1);
    t.deepEqual(listed.transactionStates, [{ transactionalId: 'tx-raw-id', producerId: init.producerId, transactionState: 'CompleteCommit' }]);
    t.deepEqual(listed.unknownStateFilters, ['Bogus']);
  } finally {
    wire.close();
  }
});
