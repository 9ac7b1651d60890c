/**
 * Committed offsets: written as Kafka-layout records to the offsets log before they become visible,
 * rebuilt by replaying that log, deleted by tombstones; and the coordinator serving only while its
 * node is the chain head, loading offsets when it becomes it and dropping groups when it stops.
 */
import test from 'ava';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { decodeRecordBatches, setBaseOffset } from '../../src/protocol/record-batch.ts';
import { OffsetStore } from '../../src/groups/offset-store.ts';
import { decodeOffsetKey, decodeOffsetValue } from '../../src/groups/offset-records.ts';
import { GroupCoordinator, type CoordinatorHost } from '../../src/groups/coordinator.ts';
import { createLogger } from '../../src/logging.ts';
import { FakeClock, flush, track } from './fake-clock.ts';

/** An in-memory offsets log: appended batches with base offsets assigned in order. */
class MemoryLog {
  readonly batches: Buffer[] = [];
  private next = 0;
  failWith = 0;
  append = async (batch: Buffer): Promise<number> => {
    if (this.failWith !== 0) return this.failWith;
    const copy = Buffer.from(batch);
    setBaseOffset(copy, 0, this.next);
    this.next += [...decodeRecordBatches(copy)][0]!.records.length;
    this.batches.push(copy);
    return 0;
  };
  *read(): Iterable<ReturnType<typeof decodeRecordBatches> extends Generator<infer B> ? B : never> {
    for (const b of this.batches) yield* decodeRecordBatches(b);
  }
}

const commitOf = (topic: string, partition: number, offset: number, metadata = '') => ({ topic, partition, offset, leaderEpoch: 3, metadata });

test('a commit is visible only after its append succeeds, and the log replays to the same offsets', async (t) => {
  const log = new MemoryLog();
  const store = new OffsetStore(log.append, () => 1234);
  t.is(await store.commit('g', [commitOf('t', 0, 10, 'meta'), commitOf('t', 1, 20)]), 0);
  t.is(await store.commit('g', [commitOf('t', 0, 15)]), 0);
  t.is(await store.commit('h', [commitOf('u', 2, 7)]), 0);
  log.failWith = ErrorCode.COORDINATOR_NOT_AVAILABLE.code;
  t.is(await store.commit('g', [commitOf('t', 1, 99)]), ErrorCode.COORDINATOR_NOT_AVAILABLE.code);
  t.is(store.get('g', 't', 1)?.offset, 20, 'the failed commit left nothing behind');

  const records = log.batches.flatMap((b) => [...decodeRecordBatches(b)].flatMap((x) => x.records));
  const first = records[0]!;
  t.deepEqual(decodeOffsetKey(first.key!), { group: 'g', topic: 't', partition: 0 });
  t.deepEqual(decodeOffsetValue(first.value!), { offset: 10, leaderEpoch: 3, metadata: 'meta', commitTimestamp: 1234 });
  // Kafka's OffsetCommitKey v1 / OffsetCommitValue v3 bytes.
  t.is(first.key!.toString('hex'), '0001' + '0001' + Buffer.from('g').toString('hex') + '0001' + Buffer.from('t').toString('hex') + '00000000');

  const replayed = new OffsetStore(log.append);
  replayed.load(log.read());
  t.deepEqual(replayed.get('g', 't', 0), { offset: 15, leaderEpoch: 3, metadata: '', commitTimestamp: 1234 });
  t.is(replayed.get('g', 't', 1)?.offset, 20);
  t.deepEqual([...replayed.all('h')], [['u', [{ partition: 2, committed: { offset: 7, leaderEpoch: 3, metadata: '', commitTimestamp: 1234 } }]]]);
  t.deepEqual(replayed.groups().sort(), ['g', 'h']);
});

test('deleting a group writes tombstones, so a replay no longer knows its offsets', async (t) => {
  const log = new MemoryLog();
  const store = new OffsetStore(log.append);
  await store.commit('g', [commitOf('t', 0, 1), commitOf('t', 1, 2)]);
  await store.commit('keep', [commitOf('t', 0, 5)]);
  t.is(await store.deleteGroup('g'), 0);
  t.is(store.get('g', 't', 0), undefined);
  const replayed = new OffsetStore(log.append);
  replayed.load(log.read());
  t.deepEqual(replayed.groups(), ['keep']);
});

function fakeHost(log: MemoryLog): CoordinatorHost & { head: boolean; created: number } {
  const host = {
    head: true,
    created: 0,
    coordinatorNode: () => ({ nodeId: 1, host: '127.0.0.1', port: 9092 }),
    isCoordinator: () => host.head,
    ensureOffsetsTopic: async () => {
      host.created++;
    },
    readOffsets: () => log.read(),
    appendOffsets: (b: Buffer) => log.append(b),
  };
  return host;
}

test('the coordinator loads offsets when its node becomes the head and drops its groups when it stops being it', async (t) => {
  const log = new MemoryLog();
  await new OffsetStore(log.append).commit('old-group', [commitOf('t', 0, 42)]);
  const host = fakeHost(log);
  host.head = false;
  const clock = new FakeClock();
  const coordinator = new GroupCoordinator(host, createLogger({ level: 'error' }), clock, { minSessionTimeoutMs: 1, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: 100 });
  t.is(await coordinator.ready(), ErrorCode.NOT_COORDINATOR.code);
  t.is(host.created, 0);

  host.head = true;
  t.is(await coordinator.ready(), 0);
  t.is(host.created, 1);
  t.is(coordinator.offsets.get('old-group', 't', 0)?.offset, 42);
  t.deepEqual(coordinator.membership.list().map((g) => [g.groupId, g.groupState]), [['old-group', 'Empty']]);

  const join = track(coordinator.membership.join({
    groupId: 'g', memberId: '', groupInstanceId: null, clientId: 'c', clientHost: '/h', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000,
    protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], requireKnownMemberId: false,
  }));
  host.head = false;
  t.is(await coordinator.ready(), ErrorCode.NOT_COORDINATOR.code);
  await flush();
  t.is(join.value?.errorCode, ErrorCode.NOT_COORDINATOR.code, 'the waiting join is told to find the new coordinator');
  t.deepEqual(coordinator.membership.list(), []);
});
