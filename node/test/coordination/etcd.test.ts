/**
 * The etcd coordination store against a real 3-member etcd cluster on loopback: compare-and-set races,
 * lease expiry and release, watch, and behaviour with one and with two of three etcd members down.
 */
import test from 'ava';
import { EtcdCluster, etcdAvailable } from '../../../e2e/lib/etcd-cluster.ts';
import { waitFor } from '../../../e2e/lib/tools.ts';
import { EtcdStore } from '../../src/coordination/etcd.ts';
import { parseEtcdEndpoints } from '../../src/coordination/spec.ts';
import { CoordinationError, type ChainConfig, type CoordinationStore, type Versioned } from '../../src/coordination/store.ts';

const hasEtcd = etcdAvailable();
const etcdTest = hasEtcd ? test : test.skip;
const etcdSerial = hasEtcd ? test.serial : test.skip;

const INFO = { host: '127.0.0.9', port: 9092 };
const TTL_MS = 4_000;

let cluster: EtcdCluster | undefined;
const stores: CoordinationStore[] = [];
const clusters: EtcdCluster[] = [];

/** A fresh client on `c` (each test its own, like separate nodes would have). */
function open(c: EtcdCluster, callTimeoutMs?: number): EtcdStore {
  const s = new EtcdStore(parseEtcdEndpoints(c.endpoints), { callTimeoutMs });
  stores.push(s);
  return s;
}

async function shared(): Promise<EtcdCluster> {
  if (!cluster) throw new Error('no etcd cluster');
  return cluster;
}

test.before(async () => {
  if (hasEtcd) {
    cluster = await EtcdCluster.start();
    clusters.push(cluster);
  }
});

test.after.always(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(clusters.map((c) => c.teardown()));
});

test('endpoints parse as HOST:PORT lists and anything else is refused in one line', (t) => {
  t.deepEqual(parseEtcdEndpoints('127.0.0.1:2379, etcd-0.etcd:2379,[::1]:2380'), ['127.0.0.1:2379', 'etcd-0.etcd:2379', '[::1]:2380']);
  for (const bad of ['', '127.0.0.1', 'http://127.0.0.1:2379', 'h:0', 'h:70000', 'a:1,,b:2']) {
    const err = t.throws(() => parseEtcdEndpoints(bad), { instanceOf: CoordinationError });
    t.false(err!.message.includes('\n'));
  }
});

etcdTest('a configuration is created only if absent', async (t) => {
  const s = open(await shared());
  t.is(await s.getConfig('create'), null);
  const first = await s.compareAndSetConfig('create', { epoch: 1, members: ['a', 'b', 'c'] }, null);
  t.truthy(first);
  t.is(await s.compareAndSetConfig('create', { epoch: 1, members: ['x'] }, null), null);
  t.deepEqual(await s.getConfig('create'), first);
});

etcdTest('two writers on the same version: exactly one wins and the loser sees the winner', async (t) => {
  const c = await shared();
  const [a, b] = [open(c), open(c)];
  const base = await a.compareAndSetConfig('race', { epoch: 1, members: ['n0', 'n1', 'n2'] }, null);
  for (let round = 0; round < 5; round++) {
    const seen = (await a.getConfig('race'))!;
    t.deepEqual((await b.getConfig('race'))!.version, seen.version);
    const epoch = seen.value.epoch + 1;
    const [ra, rb] = await Promise.all([
      a.compareAndSetConfig('race', { epoch, members: ['n1', 'n2'] }, seen.version),
      b.compareAndSetConfig('race', { epoch, members: ['n0', 'n2'] }, seen.version),
    ]);
    t.is([ra, rb].filter((r) => r !== null).length, 1, `round ${round}: exactly one writer wins`);
    const winner = (ra ?? rb)!;
    t.deepEqual(await b.getConfig('race'), winner);
    t.not(winner.version, seen.version);
    // The stale version never wins again.
    t.is(await a.compareAndSetConfig('race', { epoch: epoch + 1, members: ['n9'] }, seen.version), null);
  }
  t.truthy(base);
});

etcdTest('a renewed lease stays live; unrenewed it expires after its TTL and the watch fires', async (t) => {
  const s = open(await shared());
  const events: number[] = [];
  const stop = s.watch('expiry', () => events.push(Date.now()));
  const until = Date.now() + 1.5 * TTL_MS;
  let lastRenew = 0;
  for (;;) {
    lastRenew = Date.now();
    await s.renewLease('expiry', 'm0', INFO, TTL_MS);
    t.deepEqual(await s.liveMembers('expiry'), [{ member: 'm0', info: INFO }]);
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, TTL_MS / 4));
  }
  const before = events.length;
  const gone = await waitFor('the lease to expire', async () => ((await s.liveMembers('expiry')).length === 0 ? Date.now() : undefined), 30_000);
  // etcd expires a lease no earlier than its TTL after the last keep-alive.
  t.true(gone - lastRenew >= TTL_MS - 200, `expired ${gone - lastRenew} ms after the last renewal`);
  await waitFor('a watch event for the expiry', () => (events.length > before ? true : undefined), 10_000);
  // The same client renewing after its lease expired gets a new lease and its key back.
  await s.renewLease('expiry', 'm0', INFO, TTL_MS);
  t.deepEqual(await s.liveMembers('expiry'), [{ member: 'm0', info: INFO }], 'a renewal after expiry grants a new lease');
  stop();
});

etcdTest('release drops the lease at once', async (t) => {
  const c = await shared();
  const [s, other] = [open(c), open(c)];
  await s.renewLease('release', 'm0', INFO, 30_000);
  await s.renewLease('release', 'm1', { host: '127.0.0.8', port: 1 }, 30_000);
  t.deepEqual((await other.liveMembers('release')).map((m) => m.member).sort(), ['m0', 'm1']);
  await s.releaseLease('release', 'm0');
  t.deepEqual(await other.liveMembers('release'), [{ member: 'm1', info: { host: '127.0.0.8', port: 1 } }]);
});

etcdTest('a renewal puts back a member key deleted behind its back and publishes new info', async (t) => {
  const c = await shared();
  const [s, other] = [open(c), open(c)];
  await s.renewLease('repair', 'm0', INFO, 30_000);
  await other.releaseLease('repair', 'm0');
  t.deepEqual(await s.liveMembers('repair'), []);
  await s.renewLease('repair', 'm0', INFO, 30_000);
  t.deepEqual(await other.liveMembers('repair'), [{ member: 'm0', info: INFO }]);
  await s.renewLease('repair', 'm0', { host: '127.0.0.7', port: 7 }, 30_000);
  t.deepEqual(await other.liveMembers('repair'), [{ member: 'm0', info: { host: '127.0.0.7', port: 7 } }]);
});

etcdTest('watch fires on a configuration change made by another client', async (t) => {
  const c = await shared();
  const [s, other] = [open(c), open(c)];
  let fired = 0;
  const stop = s.watch('watched', () => fired++);
  await waitFor('the watch to connect', () => (fired > 0 ? true : undefined), 30_000);
  const before = fired;
  await other.compareAndSetConfig('watched', { epoch: 1, members: ['a'] }, null);
  await waitFor('a watch event for the change', () => (fired > before ? true : undefined), 10_000);
  stop();
  t.pass();
});

etcdTest('invalid configurations and version tokens are refused with a CoordinationError', async (t) => {
  const s = open(await shared());
  await t.throwsAsync(s.compareAndSetConfig('bad', { epoch: -1, members: ['a'] }, null), { instanceOf: CoordinationError });
  await t.throwsAsync(s.compareAndSetConfig('bad', { epoch: 1, members: ['a', 'a'] }, null), { instanceOf: CoordinationError });
  await t.throwsAsync(s.compareAndSetConfig('bad', { epoch: 1, members: ['a'] }, 'rv-12'), { instanceOf: CoordinationError });
  await t.throwsAsync(s.renewLease('bad', 'a', { host: '', port: 1 }, TTL_MS), { instanceOf: CoordinationError });
  t.is(await s.getConfig('bad'), null);
});

/**
 * A compare-and-set retried until etcd answers. A timed-out attempt may still have been applied (etcd
 * commits proposals it could not confirm in time), so a later "lost" is a win when the stored value is ours.
 */
async function casEventually(s: CoordinationStore, chain: string, next: ChainConfig, expected: string): Promise<Versioned<ChainConfig> | null> {
  const r = await eventually('a compare-and-set', () => s.compareAndSetConfig(chain, next, expected));
  if (r) return r;
  const stored = await eventually('a read', () => s.getConfig(chain));
  return stored && JSON.stringify(stored.value) === JSON.stringify(next) ? stored : null;
}

/** Retries `fn` until it succeeds (an etcd election after a kill takes about a second). */
function eventually<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return waitFor(what, async () => ({ v: await fn() }), 30_000, 200).then((r) => r.v);
}

etcdSerial('one of three etcd members down: everything works; two down: calls fail fast; restart: works again', async (t) => {
  const c = await EtcdCluster.start();
  clusters.push(c);
  const callTimeoutMs = 2_000;
  const s = open(c, callTimeoutMs);
  const other = open(c, callTimeoutMs);
  let fired = 0;
  const stop = s.watch('quorum', () => fired++);
  const v1 = await s.compareAndSetConfig('quorum', { epoch: 1, members: ['a', 'b', 'c'] }, null);
  await s.renewLease('quorum', 'a', INFO, TTL_MS * 2);

  await c.kill(0);
  const v2 = await casEventually(s, 'quorum', { epoch: 2, members: ['b', 'c'] }, v1!.version);
  t.truthy(v2, 'the version read before the kill is still current');
  const before = fired;
  t.deepEqual(await other.getConfig('quorum'), v2);
  await eventually('a renewal with one etcd member down', () => s.renewLease('quorum', 'a', INFO, TTL_MS * 2));
  t.deepEqual(await other.liveMembers('quorum'), [{ member: 'a', info: INFO }]);
  const v3 = await casEventually(other, 'quorum', { epoch: 3, members: ['c', 'b'] }, v2!.version);
  t.truthy(v3);
  await waitFor('the watch to see a change with one member down', () => (fired > before ? true : undefined), 30_000);

  await c.kill(1);
  const calls: Array<[string, () => Promise<unknown>, number]> = [
    ['getConfig', () => s.getConfig('quorum'), callTimeoutMs],
    ['compareAndSetConfig', () => s.compareAndSetConfig('quorum', { epoch: 4, members: ['c'] }, v3!.version), callTimeoutMs],
    ['renewLease', () => s.renewLease('quorum', 'a', INFO, TTL_MS * 2), TTL_MS],
    ['liveMembers', () => other.liveMembers('quorum'), callTimeoutMs],
    ['releaseLease', () => other.releaseLease('quorum', 'z'), callTimeoutMs],
  ];
  for (const [name, call, bound] of calls) {
    const started = Date.now();
    await t.throwsAsync(call(), { instanceOf: CoordinationError }, `${name} rejects without quorum`);
    const took = Date.now() - started;
    // The call's own deadline plus scheduling slack on a loaded machine.
    t.true(took < bound + 3_000, `${name} answered in ${took} ms`);
  }

  await c.restart(0);
  t.deepEqual(await eventually('a read after quorum is back', () => s.getConfig('quorum')), v3, 'the failed compare-and-set wrote nothing');
  const v4 = await casEventually(s, 'quorum', { epoch: 4, members: ['c', 'b', 'a'] }, v3!.version);
  t.is(v4!.value.epoch, 4);
  await eventually('a renewal after quorum is back', () => s.renewLease('quorum', 'a', INFO, TTL_MS * 2));
  stop();
});
