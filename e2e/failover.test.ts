/**
 * Chains that keep writing through failures: a 3-node chain whose configuration lives in a real 3-member
 * etcd cluster (--coordinator etcd:...), separate node processes, real DNS (dnsmasq) for discovery, and
 * idempotent acks=-1 load from kcat (librdkafka), the native client and a raw Kafka producer that follows
 * the head. Disk loss at each position and crash loops are in failover-positions.test.ts.
 */
import test from 'ava';
import { ChainCluster } from './lib/chain-cluster.ts';
import { EtcdCluster, etcdAvailable } from './lib/etcd-cluster.ts';
import { TOPIC, checkNoLoss, followingLoad, readAll, waitChain } from './lib/failover-checks.ts';
import { KcatProducer } from './lib/kcat-producer.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { createClient } from '../node/src/client/client.ts';

const hasTools = requireTool('dnsmasq') && requireTool('kcat') && etcdAvailable();
const failoverTest = hasTools ? test.serial : test.skip;
/** How long each killed member stays down. */
const DOWN_MS = 15_000;

let etcd: EtcdCluster | null = null;
let chain: ChainCluster | null = null;
let kcat: KcatProducer | null = null;

test.after.always(async () => {
  kcat?.kill();
  await chain?.destroy();
  await etcd?.teardown();
});

failoverTest('SIGKILL of the head, then the middle, then the tail, each down 15 s: writes go on, nothing acknowledged is lost', async (t) => {
  etcd = await EtcdCluster.start(3);
  chain = new ChainCluster('fo', 3, 61);
  chain.extraArgs = ['--coordinator', `etcd:${etcd.endpoints}`];
  await chain.start(3, false);
  const members = await waitChain(chain, 3);
  t.log(`initial chain: ${members.join(' -> ')}`);
  const raw = followingLoad(chain, 'raw');
  kcat = new KcatProducer(chain.nodes.map((n) => n.address).join(','), TOPIC, 'kcat');
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
  await kcat.progress(50);
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
  const kcatExit = await kcat.stop();
  t.is(nativeError, null, 'the native client never gave up');
  t.is(kcatExit, 0, `kcat delivered everything and exited cleanly:\n${kcat.log}`);
  t.is(kcat.failed, 0, 'librdkafka failed no message');
  t.log(`acknowledged: ${raw.acked.length} raw (${raw.errors()} retried attempts), ${native.length} native, ${kcat.delivered.length} kcat`);
  const committed = await checkNoLoss(t, chain, [raw.acked, native, kcat.values]);
  const misplaced = kcat.delivered.filter((d) => committed[d.offset] !== d.value);
  t.deepEqual(misplaced.slice(0, 5), [], 'every kcat delivery report names the offset its record is stored at');
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
