/**
 * The coordination store itself failing, with a 3-node chain (real processes, SRV discovery through a
 * real dnsmasq) on a real 3-member etcd cluster, under continuous idempotent acks=-1 load:
 *
 *   - one of three etcd members killed: nothing changes (same epoch and members everywhere, writes go on);
 *   - two killed (no quorum): no reconfiguration happens (epoch and members stay as they were on every
 *     node for several lease TTLs), the nodes say why in their logs and /readyz;
 *   - etcd back: writes go on, and every acknowledged record is on every member exactly once, in order.
 */
import test from 'ava';
import { ChainCluster, type NodeStatus } from './lib/chain-cluster.ts';
import { EtcdCluster, etcdAvailable } from './lib/etcd-cluster.ts';
import { FailoverWriter } from './lib/failover-writer.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { TOPIC, converge, hwmOf, verify, type Member } from '../scripts/crash-campaign.ts';

const hasTools = requireTool('dnsmasq') && etcdAvailable();
const serial = hasTools ? test.serial : test.skip;
const SUBNET = 113;
/** The lease TTL the nodes run with (their default) and how long "no reconfiguration" is watched. */
const LEASE_TTL_MS = 3_000;
const WATCH_NO_CHANGE_MS = 4 * LEASE_TTL_MS;

let etcd: EtcdCluster | null = null;
let chain: ChainCluster | null = null;

test.after.always(async () => {
  await chain?.destroy();
  await etcd?.teardown();
});

/** Epoch and members as every node reports them. */
async function shapes(c: ChainCluster): Promise<string[]> {
  const all: NodeStatus[] = await Promise.all(c.nodes.map((_, i) => c.status(i)));
  return all.map((s) => JSON.stringify({ epoch: s.epoch, members: s.members }));
}

serial('etcd losing one member changes nothing; losing quorum reconfigures nothing, says why, loses nothing', async (t) => {
  t.timeout(600_000);
  etcd = await EtcdCluster.start();
  const e = etcd;
  chain = new ChainCluster('quorum', 3, SUBNET, undefined, ['--coordinator', `etcd:${e.endpoints}`]);
  const c = chain;
  await c.start(3, false);
  await waitFor('a writable chain of all three', async () => {
    const all = await Promise.all(c.nodes.map((_, i) => c.status(i).catch(() => null)));
    return all.some((s) => s?.writable && s.members.length === 3) ? true : undefined;
  }, 90_000, 200);
  const writer = new FailoverWriter(`${c.address(0)}:${c.port}`, { topic: TOPIC, producerId: 1 + Math.floor(Math.random() * 1e9), bootstrap: () => c.nodes.map((n) => n.address) });
  const members: Member[] = c.nodes.map((node, i) => ({ node, name: `member ${i}` }));
  try {
    writer.resume();
    await writer.progress(200);
    const before = await shapes(c);
    t.is(new Set(before).size, 1, 'every node agrees on the configuration');

    // One etcd member down: writes continue, the configuration does not move.
    await e.kill(0);
    t.log('etcd member 0 killed');
    await writer.progress(300);
    t.deepEqual(await shapes(c), before, 'one etcd member down changes nothing');

    // Quorum lost: nobody can write the configuration; it must stay as it was everywhere.
    await e.kill(1);
    t.log('etcd member 1 killed: no quorum');
    const lostAt = Date.now();
    const ackedAtLoss = writer.ackedRecords;
    while (Date.now() - lostAt < WATCH_NO_CHANGE_MS) {
      t.deepEqual(await shapes(c), before, `no reconfiguration ${Date.now() - lostAt} ms after quorum loss`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // The head stops taking writes at its lease deadline (it cannot know it still holds the lease).
    const stalled = writer.ackedRecords;
    await waitFor('the nodes to say why in /readyz', async () => {
      const bodies = await Promise.all(c.nodes.map(async (n) => {
        const res = await fetch(`http://127.0.0.1:${n.adminPort}/readyz`);
        return { status: res.status, body: await res.text() };
      }));
      return bodies.some((b) => b.status === 503 && /coordinat|etcd|lease/i.test(b.body)) ? true : undefined;
    }, 30_000, 200);
    t.true(c.nodes.some((n) => /coordination store unavailable|lease renewal failed/i.test(n.stderr)), 'the logs say the store is unavailable');
    t.true(writer.ackedRecords - stalled <= writer.batch, 'no writes are acknowledged once the head is past its lease deadline');
    t.log(`${writer.ackedRecords - ackedAtLoss} records acknowledged after quorum loss (before the lease deadline)`);

    // etcd back: writes go on in the same configuration epoch or a later one, nothing lost.
    await e.restart(0);
    await e.restart(1);
    await writer.progress(200, 120_000);
    await writer.pause();
    await converge(members, (i) => hwmOf(members[i]!.node));
    const v = await verify(members, writer.acked);
    t.deepEqual(v, { lost: 0, duplicated: 0, violations: [] }, `${writer.ackedRecords} acknowledged records on every member exactly once, in order`);
  } finally {
    await writer.stop();
  }
});
