/**
 * KIP-392 with an unmodified librdkafka consumer (kcat): a 3-node chain with its configuration in a real
 * etcd (one member: only the chain's nodes are under test here), real DNS (dnsmasq). Bootstrapped at the
 * head, kcat is told to read at the tail (Fetch v11 preferred_read_replica) and does; after the tail is
 * SIGKILLed the head sends consumers on to the new tail, and no record is missed.
 */
import test from 'ava';
import { ChainCluster, type NodeStatus } from './lib/chain-cluster.ts';
import { EtcdCluster, etcdAvailable } from './lib/etcd-cluster.ts';
import { createTopicAt, produceTo } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasTools = requireTool('dnsmasq') && requireTool('kcat') && etcdAvailable();
const replicaTest = hasTools ? test.serial : test.skip;
const TOPIC = 'reads';

let etcd: EtcdCluster | null = null;
let chain: ChainCluster | null = null;

test.after.always(async () => {
  await chain?.destroy();
  await etcd?.teardown();
});

/** The members, head first, of the writable chain of `size` as an answering member reports them. */
async function writableOrder(c: ChainCluster, size: number, timeoutMs = 120_000): Promise<string[]> {
  return waitFor(`a writable chain of ${size}`, async () => {
    const answers = await Promise.all(c.nodes.map(async (n, i): Promise<NodeStatus | undefined> => (n.child ? c.status(i).catch(() => undefined) : undefined)));
    return answers.find((s) => s?.writable && s.members.length === size)?.members;
  }, timeoutMs, 200);
}

/** Records of TOPIC a node has returned to Fetch requests (vonnegut_topic_records_out_total). */
async function recordsOut(c: ChainCluster, i: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${c.nodes[i]!.adminPort}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`vonnegut_topic_records_out_total{topic="${TOPIC}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Produces `values` at the chain's current head, retrying through failover. */
async function produceAll(c: ChainCluster, values: string[]): Promise<void> {
  for (let at = 0; at < values.length;) {
    const batch = values.slice(at, at + 100);
    const order = await writableOrder(c, c.nodes.filter((n) => n.child).length);
    const head = c.nodes[Number(order[0]!.slice(c.name.length + 1))]!;
    const res = await produceTo(head.address, TOPIC, 0, batch, -1, 10_000).catch(() => ({ errorCode: -1 }));
    if (res.errorCode === 0) at += batch.length;
  }
}

const index = (c: ChainCluster, name: string) => Number(name.slice(c.name.length + 1));

replicaTest('kcat bootstrapped at the head reads at the tail (preferred_read_replica), and once the tail dies reads everything at the new tail', async (t) => {
  etcd = await EtcdCluster.start(1);
  chain = new ChainCluster('rr', 3, 73);
  chain.extraArgs = ['--coordinator', `etcd:${etcd.endpoints}`];
  await chain.start(3, false);
  const order = await writableOrder(chain, 3);
  const [head, middle, tail] = order.map((name) => index(chain!, name)) as [number, number, number];
  const headAddress = chain.nodes[head]!.address;
  t.is(await createTopicAt(headAddress, TOPIC, 1), 0);
  const first = Array.from({ length: 2000 }, (_, i) => `a-${i}`);
  await produceAll(chain, first);

  // One-shot read to the end, bootstrapped only at the head.
  const once = await run('kcat', ['-b', headAddress, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q'], { timeoutMs: 120_000 });
  t.is(once.code, 0, once.stderr);
  t.deepEqual(once.stdout.toString().trim().split('\n'), first, 'kcat read every record, in order');
  t.true((await recordsOut(chain, tail)) >= first.length, 'the tail returned the records');
  t.is(await recordsOut(chain, head), 0, 'the head returned none: it named the tail instead');

  // The tail dies: the chain drops it and its middle becomes the tail. A consumer bootstrapped at the
  // head now reads there (librdkafka before 2.1 keeps fetching from a dead preferred replica until its
  // 5-minute lease ends; 2.1+ goes back to the leader when the connection fails: docs/kubernetes.md).
  const seenByTail = await recordsOut(chain, middle);
  await chain.nodes[tail]!.kill('SIGKILL');
  const after = await writableOrder(chain, 2);
  t.is(after[after.length - 1], order[1], 'the middle became the tail');
  const second = Array.from({ length: 500 }, (_, i) => `b-${i}`);
  await produceAll(chain, second);
  const again = await run('kcat', ['-b', headAddress, '-C', '-t', TOPIC, '-o', 'beginning', '-e', '-q'], { timeoutMs: 120_000 });
  t.is(again.code, 0, again.stderr);
  t.deepEqual(again.stdout.toString().trim().split('\n'), [...first, ...second], 'every record once, in order, after the tail died');
  t.true((await recordsOut(chain, middle)) - seenByTail >= first.length + second.length, 'the new tail served them');
  t.log(`records returned: head ${await recordsOut(chain, head)}, new tail ${await recordsOut(chain, middle)}`);
});
