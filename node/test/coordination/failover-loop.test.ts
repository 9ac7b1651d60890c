import test from 'ava';
import { EventEmitter } from 'node:events';
import { Failover, type FailoverTarget } from '../../src/coordination/failover.ts';
import { positionInConfig, type Member, type Position } from '../../src/chain/membership.ts';
import { silentLogger } from '../../src/logging.ts';
import { MemoryStore } from './memory-store.ts';
import { coordinatorCheck } from '../../src/metrics/readiness.ts';

/** Records what the loop tells a chain node; `caughtUp` decides whether a joiner is ready. */
class FakeNode extends EventEmitter implements FailoverTarget {
  view: Position;
  epoch = 0;
  deadline = 0;
  truncations = 0;
  caughtUp = true;
  constructor(readonly self: string) {
    super();
    this.view = positionInConfig(self, [], 2);
  }
  applyConfig(epoch: number, members: Member[], joiner?: Member): void {
    this.epoch = epoch;
    this.view = positionInConfig(this.self, members, 2, joiner);
  }
  setLeaseDeadline(at: number): void {
    this.deadline = at;
  }
  joinerCaughtUp(): boolean {
    return this.caughtUp && this.view.successor !== undefined;
  }
  truncateToCommitted(): void {
    this.truncations++;
  }
}

const TTL = 3000;

function loop(store: MemoryStore, name: string, node = new FakeNode(name)) {
  // Renewals far apart: the test renews by hand, so a "killed" node simply stops renewing.
  const f = new Failover({ store, chain: 'c', self: name, info: { host: '127.0.0.1', port: 9000 }, node, ttlMs: TTL, renewMs: 3_600_000, logger: silentLogger });
  return { f, node };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const members = (s: MemoryStore) => s.getConfig('c').then((c) => c?.value.members.join(',') ?? '');

test('in-memory store: the chain forms by joins at the tail, a dead head is replaced by its successor, and a restarted node rejoins at the tail', async (t) => {
  const store = new MemoryStore();
  const a = loop(store, 'a');
  await a.f.start();
  t.is(await members(store), 'a', 'the first node starts the configuration alone');
  t.true(a.node.deadline > Date.now(), 'a renewed lease lets the node write until its deadline');
  const b = loop(store, 'b');
  await b.f.start();
  await until('b joined', () => a.node.view.members.length === 2);
  const c = loop(store, 'c');
  await c.f.start();
  await until('c joined', () => a.node.view.members.length === 3).catch(async (e) => { console.log(await members(store), a.node.view.role, b.node.view.role, b.node.view.successor, c.node.view.role); throw e; });
  t.is(await members(store), 'a,b,c');
  const epoch = (await store.getConfig('c'))!.value.epoch;

  // a dies: its lease is not renewed, the others' are.
  store.now += TTL + 1;
  for (const m of ['b', 'c']) await store.renewLease('c', m, { host: '127.0.0.1', port: 9000 }, TTL);
  store.expire();
  await until('a removed', () => b.node.view.role === 'head');
  t.is(await members(store), 'b,c');
  t.is(b.node.epoch, epoch + 1, 'the change raised the epoch');
  t.is(c.node.view.role, 'tail');

  // a comes back: not in the configuration, so it drops what was never committed and joins at the tail.
  const a2 = loop(store, 'a');
  await a2.f.start();
  t.is(a2.node.truncations, 1);
  await until('a rejoined', () => a2.node.view.role === 'tail');
  t.is(await members(store), 'b,c,a');
  for (const x of [a, b, c, a2]) await x.f.stop();
});

test('in-memory store: a starting node found in the configuration leaves it first, and rejoins only once caught up', async (t) => {
  const store = new MemoryStore();
  await store.compareAndSetConfig('c', { epoch: 9, members: ['a', 'b'] }, null);
  for (const m of ['a', 'b']) await store.renewLease('c', m, { host: '127.0.0.1', port: 9000 }, TTL);
  const a = loop(store, 'a');
  a.node.caughtUp = false;
  const b = loop(store, 'b');
  await b.f.start();
  t.is(b.node.truncations, 1, 'the restarted node dropped its uncommitted suffix');
  await a.f.start();
  await until('a saw b as its joiner', () => a.node.view.successor?.name === 'b');
  await new Promise((r) => setTimeout(r, 300));
  t.is(await members(store), 'a', 'not appended before it caught up');
  a.node.caughtUp = true;
  await until('b appended', () => b.node.view.role === 'tail');
  t.is(await members(store), 'a,b');
  for (const x of [a, b]) await x.f.stop();
});

test('in-memory store: with the store unreachable nothing is reconfigured and the write deadline is not extended', async (t) => {
  const store = new MemoryStore();
  const a = loop(store, 'a');
  await a.f.start();
  const deadline = a.node.deadline;
  store.down = true;
  await a.f.kick();
  t.is(a.node.deadline, deadline);
  t.like(a.f.health, { store: 'memory', reachable: false, error: 'store unreachable' }, 'health says the store is unreachable and why');
  t.false(coordinatorCheck(a.f.health).ok);
  t.regex(coordinatorCheck(a.f.health).detail, /coordination store memory unreachable.*store unreachable/);
  store.down = false;
  await a.f.kick();
  t.like(a.f.health, { reachable: true, error: null }, 'health recovers with the store');
  t.true(coordinatorCheck(a.f.health).ok);
  t.is(await members(store), 'a');
  await a.f.stop();
});

test('renewals that each take most of the renewal interval keep the write deadline ahead of the clock', async (t) => {
  // Write deadline = a renewal's start + 4000 ms (TTL 5000 - renewal 1000). Each renewal takes 1800 ms:
  // renewals timed from the previous one's end (start + 1800 + 1000 + 1800 = 4600) would let the
  // deadline pass for 600 ms every cycle; timed from its start they finish at start + 2800.
  const store = new MemoryStore();
  store.renewDelayMs = 1800;
  const node = new FakeNode('a');
  const f = new Failover({ store, chain: 'c', self: 'a', info: { host: '127.0.0.1', port: 9000 }, node, ttlMs: 5000, renewMs: 1000, logger: silentLogger });
  await f.start();
  let lapsedMs = 0;
  for (const until = Date.now() + 9000; Date.now() < until;) {
    const before = Date.now();
    await new Promise((r) => setTimeout(r, 25));
    if (node.deadline <= Date.now()) lapsedMs += Date.now() - before;
  }
  store.renewDelayMs = 0;
  await f.stop();
  t.is(lapsedMs, 0, 'the node never passed its write deadline while every renewal succeeded');
});
