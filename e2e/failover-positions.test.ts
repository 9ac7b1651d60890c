/**
 * Failover at every position of a 3-node chain whose configuration lives in a real 3-member etcd
 * (--coordinator etcd:...), separate node processes, real DNS (dnsmasq), idempotent acks=-1 load:
 *
 *   - disk loss at the head, the middle and the tail: kill -9, delete the data dir, restart: the chain
 *     keeps accepting writes, the node returns at the tail after catching up, nothing acknowledged is lost;
 *   - the same position killed and restarted over and over, each time before the chain has removed it
 *     (as a crash-looping container is restarted at once): every time the node rejoins at the tail.
 */
import test from 'ava';
import fs from 'node:fs';
import { ChainCluster } from './lib/chain-cluster.ts';
import { EtcdCluster, etcdAvailable } from './lib/etcd-cluster.ts';
import { checkNoLoss, followingLoad, waitChain } from './lib/failover-checks.ts';
import { requireTool, waitFor } from './lib/tools.ts';

const hasTools = requireTool('dnsmasq') && etcdAvailable();
const serial = hasTools ? test.serial : test.skip;
const SUBNET = 117;
const POSITIONS = ['head', 'middle', 'tail'] as const;
/** Kill/restart cycles of one position in the crash-loop test. */
const CYCLES = 4;

let etcd: EtcdCluster | null = null;
let chain: ChainCluster | null = null;

test.after.always(async () => {
  await chain?.destroy();
  await etcd?.teardown();
});

/** The chain, started once for every test of this file. */
async function theChain(): Promise<ChainCluster> {
  if (chain) return chain;
  etcd = await EtcdCluster.start(3);
  chain = new ChainCluster('fp', 3, SUBNET, undefined, ['--coordinator', `etcd:${etcd.endpoints}`]);
  await chain.start(3, false);
  await waitChain(chain, 3);
  return chain;
}

/** The index of the member at `position` of the configuration `order`. */
function memberAt(c: ChainCluster, order: string[], position: (typeof POSITIONS)[number]): number {
  const name = order[POSITIONS.indexOf(position)]!;
  return c.nodes.findIndex((_, i) => `${c.name}-${i}` === name);
}

for (const position of POSITIONS) {
  serial(`${position} disk loss: kill -9, wipe its data dir, restart: writes go on, it returns at the tail, nothing acknowledged is lost`, async (t) => {
    const c = await theChain();
    const raw = followingLoad(c, `wipe-${position}`);
    try {
      await waitFor('load running', () => (raw.acked.length > 50 ? true : undefined), 60_000);
      const order = await waitChain(c, 3);
      const victim = memberAt(c, order, position);
      const before = raw.acked.length;
      await c.nodes[victim]!.kill('SIGKILL');
      fs.rmSync(c.nodes[victim]!.dataDir, { recursive: true, force: true });
      await waitFor(`writes after the ${position} lost its disk`, () => (raw.acked.length > before + 50 ? true : undefined), 60_000);
      await c.nodes[victim]!.start(60_000);
      const after = await waitChain(c, 3);
      t.is(after[2], order[POSITIONS.indexOf(position)], `the wiped ${position} returned at the tail`);
      const rejoined = raw.acked.length;
      await waitFor('writes through the chain it rejoined', () => (raw.acked.length > rejoined + 20 ? true : undefined), 60_000);
    } finally {
      await raw.stop();
    }
    await checkNoLoss(t, c, [raw.acked]);
  });
}

serial(`the head killed and restarted at once ${CYCLES} times, before the chain removes it: it rejoins at the tail every time, nothing acknowledged is lost`, async (t) => {
  const c = await theChain();
  const raw = followingLoad(c, 'crashloop');
  try {
    await waitFor('load running', () => (raw.acked.length > 50 ? true : undefined), 60_000);
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const order = await waitChain(c, 3);
      const victim = memberAt(c, order, 'head');
      await c.nodes[victim]!.kill('SIGKILL');
      // At once: its lease has not lapsed yet, so it starts as a member of the configuration.
      await c.nodes[victim]!.start(60_000);
      const after = await waitChain(c, 3);
      t.is(after[2], order[0], `cycle ${cycle}: the restarted head rejoined at the tail`);
      const rejoined = raw.acked.length;
      await waitFor(`cycle ${cycle}: writes through the rejoined chain`, () => (raw.acked.length > rejoined + 20 ? true : undefined), 60_000);
    }
  } finally {
    await raw.stop();
  }
  await checkNoLoss(t, c, [raw.acked]);
});
