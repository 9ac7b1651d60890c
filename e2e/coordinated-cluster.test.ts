/**
 * Failover seen from the rest of the cluster: two chains (ga: 3 nodes, gb: 2) with their configurations
 * in a real 3-member etcd cluster, separate node processes, real DNS (dnsmasq) that keeps publishing the
 * dead node, and real clients. Nodes of the other chain must name the chain's new head as leader (from
 * the store, not from DNS order) and a producer bootstrapped only at the other chain keeps producing.
 */
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { ChainCluster, type NodeStatus } from './lib/chain-cluster.ts';
import { DnsServer } from './lib/dns.ts';
import { EtcdCluster, etcdAvailable } from './lib/etcd-cluster.ts';
import { leadersSeenFrom } from './lib/kcat-metadata.ts';
import { createTopicAt, fetchFrom } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { DEFAULT_LEASE_TTL_MS } from '../node/src/coordination/failover-rules.ts';

const hasTools = requireTool('dnsmasq') && requireTool('kcat') && etcdAvailable();
const clusterTest = hasTools ? test.serial : test.skip;
const TOPIC = 'orders';
/** Beyond the lease TTL: the watch event, the chain's own reconfiguration and kcat's start on a loaded machine. */
const MARGIN_MS = 45_000;

const dns = new DnsServer();
let etcd: EtcdCluster | null = null;
const chains: ChainCluster[] = [];

test.after.always(async () => {
  await Promise.all(chains.map((c) => c.destroy()));
  await dns.destroy();
  await etcd?.teardown();
});

/** The members, head first, of a writable chain as one of its answering members reports them. */
async function writableOrder(c: ChainCluster, size: number, timeoutMs = 120_000): Promise<string[]> {
  return waitFor(`${c.name} writable with ${size} members`, async () => {
    const answers = await Promise.all(c.nodes.map(async (n, i): Promise<NodeStatus | undefined> => (n.child ? c.status(i).catch(() => undefined) : undefined)));
    return answers.find((s) => s?.writable && s.members.length === size)?.members;
  }, timeoutMs, 200);
}

/** `host:port` of a chain member by its name (`<chain>-<i>`). */
function addressOf(c: ChainCluster, name: string): string {
  return `${c.address(Number(name.slice(c.name.length + 1)))}:${c.port}`;
}

clusterTest('SIGKILL of one chain\'s head: the other chain\'s nodes name its new head, and a producer bootstrapped there keeps producing', async (t) => {
  etcd = await EtcdCluster.start(3);
  const a = new ChainCluster('ga', 3, 71, dns);
  const b = new ChainCluster('gb', 2, 72, dns);
  chains.push(a, b);
  const flags = ['--cluster', `srv:${a.srvName},srv:${b.srvName}`, '--coordinator', `etcd:${etcd.endpoints}`];
  a.extraArgs = flags;
  b.extraArgs = flags;
  await a.start(3, false);
  await b.start(2, false);
  const before = await writableOrder(a, 3);
  await writableOrder(b, 2);
  t.log(`chain ga: ${before.join(' -> ')}`);

  // The first chain takes the first topic (placement ties go to the earlier chain).
  const bNodes = b.nodes.map((n) => n.address);
  t.is(await createTopicAt(bNodes[0]!, TOPIC, 1), 0, 'topic created through a node of chain gb');
  const oldHead = addressOf(a, before[0]!);
  for (const at of bNodes) {
    await waitFor(`${at} names ga's head`, async () => ((await leadersSeenFrom(at)).get(TOPIC) === oldHead ? true : undefined), 60_000, 200);
  }

  const acked: { value: string; at: number }[] = [];
  let stop = false;
  let producerError: unknown = null;
  const producer = new Kafka({ clientId: 'e2e-coordinated', brokers: bNodes, logLevel: logLevel.NOTHING, retry: { retries: 50, initialRetryTime: 100, maxRetryTime: 1_000 } }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const load = (async () => {
    for (let n = 0; !stop; n++) {
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ value: `v-${n}` }] });
      acked.push({ value: `v-${n}`, at: Date.now() });
    }
  })().catch((err: unknown) => {
    producerError = err;
  });
  await waitFor('producer running', () => (acked.length >= 20 ? true : undefined), 60_000);

  const victim = a.nodes.findIndex((_, i) => `ga-${i}` === before[0]);
  const killedAt = Date.now();
  await a.nodes[victim]!.kill('SIGKILL');
  const after = await writableOrder(a, 2);
  const newHead = addressOf(a, after[0]!);
  t.not(newHead, oldHead, 'chain ga failed over to another head');
  for (const at of bNodes) {
    await waitFor(`${at} names ga's new head`, async () => ((await leadersSeenFrom(at)).get(TOPIC) === newHead ? true : undefined), DEFAULT_LEASE_TTL_MS + MARGIN_MS, 200);
  }
  t.log(`gb's nodes named ga's new head ${after[0]} ${Date.now() - killedAt} ms after the kill (dnsmasq still publishes ${before[0]})`);

  const ackedAtKill = acked.filter((x) => x.at <= killedAt).length;
  await waitFor('produces acknowledged after the failover', () => (acked.length >= ackedAtKill + 50 ? true : undefined), 90_000, 200);
  stop = true;
  await load;
  await producer.disconnect();
  t.is(producerError, null, 'the producer bootstrapped at gb never gave up');
  const firstAfter = acked.find((x) => x.at > killedAt);
  t.log(`${acked.length} records acknowledged; first after the kill ${firstAfter ? firstAfter.at - killedAt : -1} ms after it`);

  // Every acknowledged record is in ga's committed log, read at its new tail.
  const tail = addressOf(a, after[after.length - 1]!);
  const stored = new Set<string>();
  for (let offset = 0; ;) {
    const p = await fetchFrom(tail, TOPIC, 0, offset);
    const fresh = p.decoded.filter((r) => r.offset >= offset);
    if (fresh.length === 0) break;
    for (const r of fresh) stored.add(r.value!.toString());
    offset = fresh[fresh.length - 1]!.offset + 1;
  }
  t.deepEqual(acked.filter((x) => !stored.has(x.value)).map((x) => x.value), [], 'every acknowledged record is stored');
});
