/**
 * Exactly-once consume-transform-produce under crashes. Three chains of two nodes (their configurations
 * in a real 3-member etcd, so chains fail over; SRV records from a real dnsmasq): the first holds the
 * transaction and group coordinators, the second the input topic, the third the output topic. A paced
 * kafkajs producer writes the input; a kafkajs transactional loop reads it read_committed, writes one
 * transformed record per input record and commits the group's offsets in the same transaction
 * (`sendOffsets`). Meanwhile the head of the input's, the output's and the coordinator's chain are each
 * killed with SIGKILL twice, in a seeded random order at seeded random moments (logged), and restarted.
 * The loop, like any exactly-once application, starts over with a new producer (same transactional id,
 * which fences the old one and settles its transaction) and a new consumer on any error.
 *
 * At the end a read_committed reader sees each stored input record's result exactly once in the output,
 * and nothing else. `VONNEGUT_CAMPAIGN_SEED` replays a schedule.
 */
import test from 'ava';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChainCluster } from './lib/chain-cluster.ts';
import { DnsServer } from './lib/dns.ts';
import { EtcdCluster, etcdAvailable } from './lib/etcd-cluster.ts';
import { readAll, waitChain } from './lib/failover-checks.ts';
import { prng } from './lib/prng.ts';
import { requireTool, waitFor } from './lib/tools.ts';

const hasTools = requireTool('dnsmasq') && etcdAvailable();
const campaign = hasTools ? test.serial : test.skip;

const SEED = Number(process.env.VONNEGUT_CAMPAIGN_SEED ?? 18_0207);
const IN = 'ctp-in';
const OUT = 'ctp-out';
const GROUP = 'ctp-transformer';
const TXN_ID = 'ctp-transformer';
/** Pause between two input records: the input keeps flowing through the whole kill schedule. */
const INPUT_PACE_MS = 40;
/** Input records per transaction at most. */
const CHUNK = 20;
/** Bound on every wait for the cluster to heal or the loop to catch up, for a loaded 2-core machine. */
const HEAL_MS = 120_000;

const dns = new DnsServer();
let etcd: EtcdCluster | null = null;
const chains: ChainCluster[] = [];
let transformer: Transformer | null = null;

test.after.always(async () => {
  transformer?.stop();
  await Promise.all(chains.map((c) => c.destroy()));
  await dns.destroy();
  await etcd?.teardown();
});

function client(c: ChainCluster[], clientId: string): Kafka {
  return new Kafka({
    clientId, brokers: c.flatMap((x) => x.nodes.map((n) => n.address)), logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000, restartOnFailure: async () => false },
  });
}

/** The consume-transform-produce loop: one incarnation after another until stopped. */
class Transformer {
  commits = 0;
  incarnations = 0;
  failures: string[] = [];
  /** The input offset the last successful commit moved the group to. */
  committedUpTo = 0;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(private readonly kafka: Kafka) {}

  async run(): Promise<void> {
    while (!this.stopped) {
      this.incarnations++;
      const error = await this.incarnation();
      if (error) this.failures.push(error);
    }
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** One producer and one consumer, until an error or stop(); returns the error, if any. */
  private async incarnation(): Promise<string | null> {
    const producer: Producer = this.kafka.producer({ transactionalId: TXN_ID, maxInFlightRequests: 1, idempotent: true, transactionTimeout: 20_000 });
    const consumer: Consumer = this.kafka.consumer({ groupId: GROUP, readUncommitted: false, maxWaitTimeInMs: 200, sessionTimeout: 15_000, heartbeatInterval: 1_000, maxBytesPerPartition: 16 * 1024 });
    let failed: string | null = null;
    const ended = new Promise<void>((resolve) => (this.wake = resolve));
    const fail = (err: unknown): void => {
      failed ??= `${(err as Error).name}: ${(err as Error).message}`;
      this.wake?.();
    };
    try {
      await producer.connect();
      // The first transaction's InitProducerId fences the previous incarnation and settles its transaction
      // (commits a prepared one, aborts an open one) before this consumer reads the group's offsets.
      await (await producer.transaction()).abort();
      await consumer.connect();
      consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
      await consumer.subscribe({ topic: IN, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          for (let i = 0; i < batch.messages.length && failed === null && !this.stopped; i += CHUNK) {
            const chunk = batch.messages.slice(i, i + CHUNK);
            const next = Number(chunk[chunk.length - 1]!.offset) + 1;
            try {
              const txn = await producer.transaction();
              await txn.send({ topic: OUT, acks: -1, messages: chunk.map((m) => ({ value: `out:${m.value!.toString()}` })) });
              await txn.sendOffsets({ consumerGroupId: GROUP, topics: [{ topic: IN, partitions: [{ partition: 0, offset: String(next) }] }] });
              await txn.commit();
              this.commits++;
              this.committedUpTo = next;
              // The consumer's position moves on only with a committed transaction.
              resolveOffset(chunk[chunk.length - 1]!.offset);
              await heartbeat();
            } catch (err) {
              fail(err);
            }
          }
        },
      });
      await ended;
    } catch (err) {
      fail(err);
    } finally {
      this.wake = null;
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    }
    return failed;
  }
}

campaign('consume-transform-produce with kill -9 of the input\'s, output\'s and coordinator\'s chain heads: read_committed sees every result exactly once', async (t) => {
  const started = Date.now();
  const since = () => `+${((Date.now() - started) / 1000).toFixed(1)}s`;
  t.log(`seed ${SEED} (VONNEGUT_CAMPAIGN_SEED replays it)`);
  etcd = await EtcdCluster.start(3);
  const [coord, input, output] = [['xa', 101], ['xb', 102], ['xc', 103]].map(([name, subnet]) => new ChainCluster(name as string, 2, subnet as number, dns));
  chains.push(coord!, input!, output!);
  const flags = ['--cluster', chains.map((c) => `srv:${c.srvName}`).join(','), '--coordinator', `etcd:${etcd.endpoints}`];
  for (const c of chains) c.extraArgs = flags;
  // One after another: each start republishes the shared dnsmasq's records (a restart of it).
  for (const c of chains) await c.start(2, false);
  await Promise.all(chains.map((c) => waitChain(c, 2, HEAL_MS)));

  // Placement gives each new topic to the least loaded chain, earlier first: filler -> xa, in -> xb, out -> xc.
  const kafka = client(chains, 'ctp');
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of ['ctp-filler', IN, OUT]) {
    await waitFor(`create ${topic}`, () => admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true }).then(() => true, () => undefined), HEAL_MS, 500);
  }
  // Every node follows the placement map on its own: the broker kafkajs asks (once, no retry) may not have the new topics yet.
  const meta = await waitFor('metadata for the new topics', () => admin.fetchTopicMetadata({ topics: [IN, OUT] }).catch(() => undefined), HEAL_MS, 250);
  const { brokers } = await admin.describeCluster();
  const chainOf = (topic: string): string => {
    const leader = brokers.find((b) => b.nodeId === meta.topics.find((x) => x.name === topic)!.partitions[0]!.leader)!;
    return chains.find((c) => leader.host.startsWith(`127.0.${c.subnet}.`))!.name;
  };
  t.deepEqual([chainOf(IN), chainOf(OUT)], [input!.name, output!.name], 'input and output on chains of their own, apart from the coordinator\'s');

  // The input: a paced idempotent producer that keeps going through every failover.
  const acked: string[] = [];
  let inputStopped = false;
  let inputError: unknown = null;
  const inputProducer = client(chains, 'ctp-input').producer({ idempotent: true, maxInFlightRequests: 1 });
  await inputProducer.connect();
  const inputDone = (async () => {
    for (let n = 0; !inputStopped; n++) {
      await inputProducer.send({ topic: IN, acks: -1, messages: [{ value: `r${n}` }] });
      acked.push(`r${n}`);
      await sleep(INPUT_PACE_MS);
    }
  })().catch((err: unknown) => (inputError = err));

  const loopClient = client(chains, 'ctp-loop');
  const tf = new Transformer(loopClient);
  transformer = tf;
  const loop = tf.run();
  await waitFor('the loop commits its first transactions', () => (tf.commits >= 5 ? true : undefined), HEAL_MS, 100);

  // The kill schedule: each role twice, in a seeded order, at seeded moments; each victim restarted at once.
  const rand = prng(SEED);
  const roles: [string, ChainCluster][] = [['input', input!], ['output', output!], ['coordinator', coord!]];
  const schedule = [...roles, ...roles].map((r) => ({ r, k: rand() })).sort((a, b) => a.k - b.k).map((x) => x.r);
  const kills: string[] = [];
  for (const [role, chain] of schedule) {
    await sleep(1_000 + Math.floor(rand() * 4_000));
    const order = await waitChain(chain, 2, HEAL_MS);
    const victim = chain.nodes.findIndex((_, i) => `${chain.name}-${i}` === order[0]);
    const line = `${since()} kill -9 ${order[0]} (head of the ${role} chain ${chain.name}); ${tf.commits} commits so far`;
    kills.push(line);
    t.log(line);
    await chain.nodes[victim]!.kill('SIGKILL');
    await chain.nodes[victim]!.start();
    const healed = await waitChain(chain, 2, HEAL_MS);
    t.log(`${since()} ${chain.name} healed: ${healed.join(' -> ')}`);
  }

  inputStopped = true;
  await inputDone;
  await inputProducer.disconnect();
  t.is(inputError, null, 'the input producer rode out every failover');
  const stored = await readAll(`${input!.nodes[0]!.address}`, IN);
  t.deepEqual(acked.filter((v) => !stored.includes(v)), [], 'every acknowledged input record is stored');
  // The group's offset tells too: a commit whose answer was lost may still have gone through.
  const groupOffset = async (): Promise<number> => Number((await admin.fetchOffsets({ groupId: GROUP, topics: [IN] }))[0]!.partitions[0]!.offset);
  try {
    await waitFor('the loop has processed the whole input', async () => (tf.committedUpTo >= stored.length || (await groupOffset().catch(() => -1)) >= stored.length ? true : undefined), HEAL_MS, 500);
  } catch (err) {
    t.log(`input ${stored.length}, loop at ${tf.committedUpTo}, group at ${await groupOffset().catch((e: Error) => e.message)}, ${tf.commits} commits, ${tf.incarnations} incarnations, failures: ${tf.failures.join(' | ')}`);
    for (const c of chains) for (const n of c.nodes) t.log(`${n.address}: ${n.stderr.split('\n').filter((l) => /warn|error/.test(l)).slice(-8).join('\n')}`);
    throw err;
  }
  tf.stop();
  await loop;

  // Read the output read_committed until every result is there and a few more fetches bring nothing new.
  const reader = kafka.consumer({ groupId: `ctp-check-${SEED}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  const results: string[] = [];
  let fetchesAfterAll = 0;
  const expected = new Set(stored.map((v) => `out:${v}`));
  reader.on(reader.events.FETCH, () => {
    if (new Set(results).size >= expected.size) fetchesAfterAll++;
  });
  await reader.connect();
  await reader.subscribe({ topic: OUT, fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void results.push(message.value!.toString()) });
  await waitFor('every result read and nothing more arriving', () => (fetchesAfterAll >= 5 ? true : undefined), HEAL_MS, 100);
  await reader.disconnect();
  const uncommitted = (await readAll(`${output!.nodes[0]!.address}`, OUT)).filter((v) => v.startsWith('out:')).length;
  await admin.disconnect();

  const counts = new Map<string, number>();
  for (const r of results) counts.set(r, (counts.get(r) ?? 0) + 1);
  t.deepEqual([...expected].filter((v) => counts.get(v) !== 1).map((v) => `${v} x${counts.get(v) ?? 0}`), [], 'each input record\'s result exactly once');
  t.deepEqual(results.filter((r) => !expected.has(r)), [], 'nothing else in the output');
  t.is(kills.length, 6);
  t.log(`${stored.length} input records, ${results.length} results read_committed, ${uncommitted} output records stored in all (aborted and duplicate attempts included); ` +
    `${tf.commits} transactions committed, ${tf.incarnations} loop incarnations, ${kills.length} kills, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  t.log(`loop restarts were caused by: ${[...new Set(tf.failures.map((f) => f.slice(0, 120)))].join(' | ')}`);
});
