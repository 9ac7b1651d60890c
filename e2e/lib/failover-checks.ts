/**
 * What the failover e2e tests share: member statuses, waiting for a chain of a given size, an idempotent
 * acks=-1 load that follows the head, and the final check that every acknowledged record is on every
 * member exactly once, in order, with identical committed prefixes.
 */
import type { ExecutionContext } from 'ava';
import { ChainCluster, type NodeStatus } from './chain-cluster.ts';
import { fetchFrom, produceTo } from './raw-kafka.ts';
import { waitFor } from './tools.ts';
import { withDeadline } from '../../node/src/coordination/deadline.ts';

/** The topic the failover tests write. */
export const TOPIC = 'orders';

/** The statuses of the members that answer (a killed one does not). */
export async function statuses(c: ChainCluster): Promise<Map<number, NodeStatus>> {
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
export async function waitChain(c: ChainCluster, size: number, timeoutMs = 90_000): Promise<string[]> {
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
export function followingLoad(c: ChainCluster, prefix: string, topic = TOPIC) {
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
        const res = await withDeadline('produce', PRODUCE_DEADLINE_MS, () => produceTo(`${node.address}`, topic, 0, ids, -1, 10_000, { producerId, producerEpoch: 0, baseSequence: n * 5 })).catch(() => ({ errorCode: -1 }));
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
export async function readAll(address: string, topic = TOPIC): Promise<string[]> {
  const values: string[] = [];
  for (let offset = 0; ;) {
    const p = await fetchFrom(address, topic, 0, offset);
    const fresh = p.decoded.filter((r) => r.offset >= offset);
    if (fresh.length === 0) return values;
    // One push per record: spreading a large fetch into push() overflows the call stack.
    for (const r of fresh) values.push(r.value!.toString());
    offset = fresh[fresh.length - 1]!.offset + 1;
  }
}

/**
 * Checks that every acknowledged value of each stream is on every member exactly once and in order, and
 * that the members hold identical committed records; returns those records' values, by offset from 0.
 */
export async function checkNoLoss(t: ExecutionContext, c: ChainCluster, streams: string[][], topic = TOPIC): Promise<string[]> {
  const size = c.nodes.length;
  await waitChain(c, size);
  // Every member committed the same prefix.
  const ends = await waitFor('members agree on the committed offset', async () => {
    const marks = await Promise.all(c.nodes.map((_, i) => c.hwm(i, topic)));
    return marks.every((m) => m === marks[0] && m > 0) ? marks : undefined;
  }, 60_000, 200);
  const reads = await Promise.all(c.nodes.map((n) => readAll(n.address, topic)));
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
  return reads[0]!;
}
