/**
 * Chains that keep writing through failures: a 3-node chain whose configuration lives in a real 3-member
 * etcd cluster (--coordinator etcd:...), separate node processes, real DNS (dnsmasq) for discovery, and
 * idempotent acks=-1 load from the native client and from a raw Kafka producer that follows the head.
 */
import test from 'ava';
import fs from 'node:fs';
import { ChainCluster, type NodeStatus } from './lib/chain-cluster.ts';
import { EtcdCluster, etcdAvailable } from './lib/etcd-cluster.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { createClient } from '../node/src/client/client.ts';
import { withDeadline } from '../node/src/coordination/deadline.ts';

const hasTools = requireTool('dnsmasq') && etcdAvailable();
const failoverTest = hasTools ? test.serial : test.skip;
const TOPIC = 'orders';
/** How long each killed member stays down. */
const DOWN_MS = 15_000;

let etcd: EtcdCluster | null = null;
let chain: ChainCluster | null = null;

test.after.always(async () => {
  await chain?.destroy();
  await etcd?.teardown();
});

/** The statuses of the members that answer (a killed one does not). */
async function statuses(c: ChainCluster): Promise<Map<number, NodeStatus>> {
  const out = new Map<number, NodeStatus>();
  await Promise.all(c.nodes.map(async (n, i) => {
    if (!n?.child) return;
    try {
      out.set(i, await c.status(i));
    } catch {
      // Not answering: down or starting.
    }
  }));
  return out;
}

/** Waits until one member leads a writable chain of `size` members; returns the members in order. */
async function waitChain(c: ChainCluster, size: number, timeoutMs = 90_000): Promise<string[]> {
  return waitFor(`a writable chain of ${size}`, async () => {
    for (const s of (await statuses(c)).values()) {
      if (s.writable && s.members.length === size) return s.members;
    }
    return undefined;
  }, timeoutMs, 200);
}

/** How long the load waits for one produce before it tries the next member. */
const PRODUCE_DEADLINE_MS = 15_000;

/** Produces numbered idempotent acks=-1 batches through whichever member leads, recording gaps between acks. */
function followingLoad(c: ChainCluster, prefix: string) {
  const acked: string[] = [];
  const ackTimes: number[] = [];
  let stop = false;
  let errors = 0;
  const producerId = 1 + Math.floor(Math.random() * 1e9);
  let target = 0;
  const done = (async () => {
    for (let n = 0; !stop; n++) {
      const ids = Array.from({ length: 5 }, (_, j) => `${prefix}-${n}-${j}`);
      for (;;) {
        const node = c.nodes[target]!;
        // A client-side deadline: a SIGSTOPped head accepts the request and never answers it.
        const res = await withDeadline('produce', PRODUCE_DEADLINE_MS, () => produceTo(`${node.address}`, TOPIC, 0, ids, -1, 10_000, { producerId, producerEpoch: 0, baseSequence: n * 5 })).catch(() => ({ errorCode: -1 }));
        if (res.errorCode === 0) {
          acked.push(...ids);
          ackTimes.push(Date.now());
          break;
        }
        errors++;
        target = (target + 1) % c.nodes.length;
        if (stop) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  return {
    acked,
    errors: () => errors,
    /** The longest time between two acknowledgements within [from, to]. */
    longestGap(from: number, to: number): number {
      const inWindow = ackTimes.filter((t) => t >= from && t <= to);
      let gap = 0;
      let prev = from;
      for (const t of inWindow) {
        gap = Math.max(gap, t - prev);
        prev = t;
      }
      return Math.max(gap, to - prev);
    },
    ackedBetween: (from: number, to: number) => ackTimes.filter((t) => t >= from && t <= to).length,
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

/** Reads every committed record of the topic from one member. */
async function readAll(address: string): Promise<string[]> {
  const values: string[] = [];
  for (let offset = 0; ;) {
    const p = await fetchFrom(address, TOPIC, 0, offset);
    const fresh = p.decoded.filter((r) => r.offset >= offset);
    if (fresh.length === 0) return values;
    // One push per record: spreading a large fetch into push() overflows the call stack.
    for (const r of fresh) values.push(r.value!.toString());
    offset = fresh[fresh.length - 1]!.offset + 1;
  }
}

/** Every acknowledged value once, in acknowledgement order, on every member; members identical. */
async function checkNoLoss(t: import('ava').ExecutionContext, c: ChainCluster, streams: string[][]): Promise<void> {
  const size = c.nodes.length;
  await waitChain(c, size);
  // Every member committed the same prefix.
  const ends = await waitFor('members agree on the committed offset', async () => {
    const marks = await Promise.all(c.nodes.map((_, i) => c.hwm(i, TOPIC)));
    return marks.every((m) => m === marks[0] && m > 0) ? marks : undefined;
  }, 60_000, 200);
  const reads = await Promise.all(c.nodes.map((n) => readAll(n.address)));
  for (const [i, r] of reads.entries()) {
    t.is(r.length, ends[i], `member ${i} reads its whole committed prefix`);
    t.deepEqual(r, reads[0], `member ${i} holds the same committed records as member 0`);
  }
  const count = new Map<string, number>();
  for (const v of reads[0]!) count.set(v, (count.get(v) ?? 0) + 1);
  for (const acked of streams) {
    t.deepEqual(acked.filter((v) => count.get(v) !== 1), [], 'every acknowledged record is stored exactly once');
    const at = new Map(reads[0]!.map((v, i) => [v, i] as const));
    const positions = acked.map((v) => at.get(v) ?? -1);
    t.true(positions.every((p, i) => i === 0 || p > positions[i - 1]!), 'acknowledged records are stored in the order acknowledged');
  }
}

failoverTest('SIGKILL of the head, then the middle, then the tail, each down 15 s: writes go on, nothing acknowledged is lost', async (t) => {
  etcd = await EtcdCluster.start(3);
  chain = new ChainCluster('fo', 3, 61);
  chain.extraArgs = ['--coordinator', `etcd:${etcd.endpoints}`];
  await chain.start(3, false);
  const members = await waitChain(chain, 3);
  t.log(`initial chain: ${members.join(' -> ')}`);
  const raw = followingLoad(chain, 'raw');
  const client = await createClient({ endpoints: chain.nodes.map((n) => n.address).join(','), retries: 500, maxRetryBackoffMs: 300 });
  const native: string[] = [];
  let stopNative = false;
  let nativeError: unknown = null;
  const nativeDone = (async () => {
    for (let n = 0; !stopNative; n++) {
      await client.produce(TOPIC, [`native-${n}`], { acks: -1 });
      native.push(`native-${n}`);
    }
  })().catch((err: unknown) => {
    nativeError = err;
  });
  await waitFor('load running', () => (raw.acked.length > 100 ? true : undefined), 60_000);
  for (const position of ['head', 'middle', 'tail'] as const) {
    const order = await waitChain(chain, 3);
    const victimName = order[position === 'head' ? 0 : position === 'middle' ? 1 : 2]!;
    const victim = chain.nodes.findIndex((_, i) => `fo-${i}` === victimName);
    const killedAt = Date.now();
    await chain.nodes[victim]!.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, DOWN_MS));
    const restartAt = Date.now();
    t.true(raw.ackedBetween(killedAt, restartAt) > 0, `writes went on while the ${position} was down`);
    t.log(`${position} (${victimName}) killed: longest write gap ${raw.longestGap(killedAt, restartAt)} ms, ${raw.ackedBetween(killedAt, restartAt)} batches acknowledged while down`);
    await chain.nodes[victim]!.start(60_000);
    const after = await waitChain(chain, 3);
    t.is(after[2], victimName, `the restarted ${position} rejoined at the tail`);
  }
  stopNative = true;
  await nativeDone;
  await client.close();
  await raw.stop();
  t.is(nativeError, null, 'the native client never gave up');
  t.log(`acknowledged: ${raw.acked.length} raw (${raw.errors()} retried attempts), ${native.length} native`);
  await checkNoLoss(t, chain, [raw.acked, native]);
});

failoverTest('head disk loss: kill -9, wipe its data dir, restart: it returns at the tail and nothing acknowledged is lost', async (t) => {
  const c = chain!;
  const raw = followingLoad(c, 'wipe');
  await waitFor('load running', () => (raw.acked.length > 50 ? true : undefined), 60_000);
  const order = await waitChain(c, 3);
  const victim = c.nodes.findIndex((_, i) => `fo-${i}` === order[0]);
  const before = raw.acked.length;
  await c.nodes[victim]!.kill('SIGKILL');
  fs.rmSync(c.nodes[victim]!.dataDir, { recursive: true, force: true });
  await waitFor('writes after the head lost its disk', () => (raw.acked.length > before + 50 ? true : undefined), 60_000);
  await c.nodes[victim]!.start(60_000);
  const after = await waitChain(c, 3);
  t.is(after[2], order[0], 'the wiped head returned at the tail');
  await raw.stop();
  await checkNoLoss(t, c, [raw.acked]);
});

failoverTest('fencing: a SIGSTOPped head is replaced; after SIGCONT it commits nothing and its clients are re-routed', async (t) => {
  const c = chain!;
  const order = await waitChain(c, 3);
  const victim = c.nodes.findIndex((_, i) => `fo-${i}` === order[0]);
  const raw = followingLoad(c, 'fence');
  await waitFor('load running', () => (raw.acked.length > 50 ? true : undefined), 60_000);
  await c.nodes[victim]!.kill('SIGSTOP');
  const newOrder = await waitChain(c, 2, 60_000);
  t.false(newOrder.includes(order[0]!), 'the stopped head was removed and another member leads');
  const during = raw.acked.length;
  await waitFor('writes at the new head', () => (raw.acked.length > during + 50 ? true : undefined), 60_000);
  await c.nodes[victim]!.kill('SIGCONT');
  // Straight to the old head, as a client with stale metadata would: refused, never committed there.
  const res = await produceTo(c.nodes[victim]!.address, TOPIC, 0, ['stale-write'], -1, 10_000);
  t.not(res.errorCode, 0, 'the old head takes no write after it was replaced');
  const after = await waitChain(c, 3);
  t.is(after[2], order[0], 'the old head rejoined at the tail');
  await raw.stop();
  await checkNoLoss(t, c, [raw.acked]);
  const all = await readAll(c.nodes[0]!.address);
  t.false(all.includes('stale-write'), 'nothing written to the deposed head is committed');
});

failoverTest('rolling restart of all three, tail first, under load: no produce fails for a client with default retries', async (t) => {
  const c = chain!;
  const client = await createClient({ endpoints: c.nodes.map((n) => n.address).join(',') });
  const native: string[] = [];
  let stop = false;
  let error: unknown = null;
  const done = (async () => {
    for (let n = 0; !stop; n++) {
      await client.produce(TOPIC, [`rolling-${n}`], { acks: -1 });
      native.push(`rolling-${n}`);
    }
  })().catch((err: unknown) => {
    error = err;
  });
  // As a StatefulSet rolls: highest ordinal first.
  for (const victim of [2, 1, 0]) {
    await waitChain(c, 3);
    await c.nodes[victim]!.kill('SIGTERM');
    await c.nodes[victim]!.start(60_000);
    await waitChain(c, 3);
  }
  stop = true;
  await done;
  await client.close();
  t.is(error, null, 'no produce failed');
  t.true(native.length > 0);
  await checkNoLoss(t, c, [native]);
});
