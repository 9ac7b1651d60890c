/**
 * Several chains sharing the topic space: separate node processes per chain on 127.0.x.y addresses, one
 * real dnsmasq serving every chain's SRV record, real clients.
 */
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { ChainCluster } from './lib/chain-cluster.ts';
import { DnsServer } from './lib/dns.ts';
import { startLoad } from './lib/load.ts';
import { createClient } from '../node/src/client/client.ts';
import { createTopicAt, fetchFrom } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';
import { leadersSeenFrom } from './lib/kcat-metadata.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { uuidToString } from '../node/src/protocol/uuid.ts';
import { readPartitionMetadata } from '../node/src/storage/topic-ids.ts';
import * as path from 'node:path';

const hasTools = requireTool('kcat') && requireTool('dnsmasq');
const clusterTest = hasTools ? test.serial : test.skip;

const dns = new DnsServer();
const chains: ChainCluster[] = [];
const clusterFlag = () => ['--cluster', chains.map((c) => `srv:${c.srvName}`).join(',')];

/** Adds a chain to every node's cluster list (members read it when they next start). */
function defineChain(name: string, subnet: number): ChainCluster {
  const c = new ChainCluster(name, 3, subnet, dns);
  chains.push(c);
  for (const other of chains) other.extraArgs = clusterFlag();
  return c;
}

const everyNode = () => chains.flatMap((c) => c.nodes.map((n) => n.address));

function chainOfLeader(leader: string): string {
  return chains.find((c) => leader.startsWith(`127.0.${c.subnet}.`))!.name;
}

test.after.always(async () => {
  await Promise.all(chains.map((c) => c.destroy()));
  await dns.destroy();
});

const topics = Array.from({ length: 50 }, (_, i) => `t${String(i).padStart(2, '0')}`);

clusterTest('2 chains x 3 nodes: 50 topics created through different nodes spread over both chains and every node agrees on leaders', async (t) => {
  defineChain('ca', 31);
  defineChain('cb', 32);
  for (const c of chains) await c.start(3, false);
  await Promise.all(chains.map((c) => c.waitWritable()));
  const nodes = everyNode();
  for (const [i, topic] of topics.entries()) {
    const code = await createTopicAt(nodes[i % nodes.length]!, topic, 1);
    t.is(code, 0, `create ${topic} through ${nodes[i % nodes.length]}`);
  }
  const views = await Promise.all(nodes.map(async (a) => waitFor(`all topics visible from ${a}`, async () => {
    const m = await leadersSeenFrom(a);
    return topics.every((x) => m.has(x)) ? m : undefined;
  })));
  for (const [i, view] of views.entries()) {
    for (const topic of topics) t.is(view.get(topic), views[0]!.get(topic), `${nodes[i]} agrees on the leader of ${topic}`);
  }
  const perChain = new Map<string, number>();
  for (const topic of topics) {
    const chain = chainOfLeader(views[0]!.get(topic)!);
    perChain.set(chain, (perChain.get(chain) ?? 0) + 1);
  }
  t.log(`topics per chain: ${JSON.stringify(Object.fromEntries(perChain))}`);
  for (const c of chains) t.true((perChain.get(c.name) ?? 0) <= 30, `${c.name} holds at most 60%`);
  for (const topic of topics) {
    const leader = views[0]!.get(topic)!;
    t.true(chains.some((c) => `${c.address(0)}:${c.port}` === leader), `${topic} is led by a chain head`);
  }
  // Topic ids (KIP-516): the controller chose one per topic in the placement map; every node of every
  // chain answers it in Metadata v12, and the owning chain's members hold it in partition.metadata.
  const idViews = await Promise.all(nodes.map(async (a) => {
    const w = await KafkaWire.connect(a);
    try {
      return new Map((await w.metadataTopics(topics)).map((x) => [x.name, uuidToString(x.topicId)]));
    } finally {
      w.close();
    }
  }));
  t.is(new Set(idViews[0]!.values()).size, topics.length, 'one distinct id per topic');
  for (const [i, view] of idViews.entries()) t.deepEqual(view, idViews[0], `${nodes[i]} answers the same topic ids`);
  for (const topic of topics.slice(0, 5)) {
    const owner = chains.find((c) => c.name === chainOfLeader(views[0]!.get(topic)!))!;
    await waitFor(`${topic}'s id on disk at every member of ${owner.name}`, () => (owner.nodes.every((n) => {
      const id = readPartitionMetadata(path.join(n.dataDir, `${topic}-0`));
      return id !== undefined && uuidToString(id) === idViews[0]!.get(topic);
    }) ? true : undefined));
  }
});

clusterTest('kcat and kafkajs produce to and consume from every topic, bootstrapped from any node', async (t) => {
  const nodes = everyNode();
  for (const [i, topic] of topics.entries()) {
    const input = Array.from({ length: 5 }, (_, j) => `kcat-${topic}-${j}`).join('\n') + '\n';
    const p = await run('kcat', ['-b', nodes[(i + 1) % nodes.length]!, '-P', '-t', topic, '-X', 'acks=all'], { input });
    t.is(p.code, 0, p.stderr);
  }
  const producer = new Kafka({ clientId: 'e2e-cluster', brokers: [nodes[4]!], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.sendBatch({ acks: -1, topicMessages: topics.map((topic) => ({ topic, messages: [{ key: 'k', value: `kafkajs-${topic}` }] })) });
  await producer.disconnect();
  for (const [i, topic] of topics.entries()) {
    const c = await run('kcat', ['-b', nodes[(i + 3) % nodes.length]!, '-C', '-t', topic, '-o', 'beginning', '-e', '-q']);
    t.is(c.code, 0, c.stderr);
    t.deepEqual(c.stdout.toString().trimEnd().split('\n'), [...Array.from({ length: 5 }, (_, j) => `kcat-${topic}-${j}`), `kafkajs-${topic}`]);
  }
  // Every member of the owning chain serves the same committed records; the other chain refuses.
  const ownerName = chainOfLeader((await leadersSeenFrom(nodes[0]!)).get('t07')!);
  const owner = chains.find((c) => c.name === ownerName)!;
  const other = chains.find((c) => c !== owner)!;
  for (const n of owner.nodes) t.is((await fetchFrom(n.address, 't07', 0, 0)).decoded.length, 6);
  t.is((await fetchFrom(other.nodes[2]!.address, 't07', 0, 0)).errorCode, 6, 'NOT_LEADER_OR_FOLLOWER from a chain that does not own it');
});

clusterTest('the native client, bootstrapped through SRV, produces at heads and reads every topic from the tails', async (t) => {
  const client = await createClient({ endpoints: `srv:${chains[1]!.srvName}`, dnsServer: dns.address });
  try {
    for (const topic of topics.slice(0, 20)) {
      await client.produce(topic, [`native-${topic}-a`, `native-${topic}-b`], { acks: -1 });
    }
    // Freeze every head: reads that still work cannot have come from a head.
    await Promise.all(chains.map((c) => c.nodes[0]!.kill('SIGSTOP')));
    try {
      for (const topic of topics.slice(0, 20)) {
        const got = await client.fetch(topic, { offset: 0 });
        t.deepEqual(got.records.map((r) => r.value!.toString()).slice(-2), [`native-${topic}-a`, `native-${topic}-b`], topic);
        t.is(got.highWaterMark, 8);
      }
    } finally {
      await Promise.all(chains.map((c) => c.nodes[0]!.kill('SIGCONT')));
    }
  } finally {
    await client.close();
  }
});

clusterTest('a third chain joins: existing topics stay where they were and stay readable, new topics land on it first', async (t) => {
  const before = await leadersSeenFrom(everyNode()[0]!);
  // The new chain's name is added to every node's cluster list; members restart one at a time, tail first.
  const cc = defineChain('cc', 33);
  await cc.start(3, false);
  for (const c of chains.slice(0, 2)) {
    for (const i of [2, 1, 0]) {
      await c.nodes[i]!.kill('SIGTERM');
      await c.nodes[i]!.start();
      await c.waitWritable(60_000);
    }
  }
  await cc.waitWritable();
  const after = await waitFor('every node sees all topics', async () => {
    const m = await leadersSeenFrom(cc.nodes[1]!.address);
    return topics.every((x) => m.has(x)) ? m : undefined;
  });
  for (const topic of topics) t.is(after.get(topic), before.get(topic), `${topic} did not move`);
  for (const topic of ['n0', 'n1', 'n2']) t.is(await createTopicAt(everyNode()[1]!, topic, 1), 0);
  const now = await waitFor('new topics visible', async () => {
    const m = await leadersSeenFrom(everyNode()[0]!);
    return ['n0', 'n1', 'n2'].every((x) => m.has(x)) ? m : undefined;
  });
  for (const topic of ['n0', 'n1', 'n2']) t.is(chainOfLeader(now.get(topic)!), 'cc', `${topic} lands on the new chain`);
  const c = await run('kcat', ['-b', cc.nodes[0]!.address, '-C', '-t', 't11', '-o', 'beginning', '-e', '-q']);
  // 5 kcat + 1 kafkajs + 2 native-client records.
  t.is(c.stdout.toString().trimEnd().split('\n').length, 8, 'old topics stay readable');
});

clusterTest('killing the head of one chain under load loses no acknowledged record there, and the other chain never notices', async (t) => {
  const leaders = await leadersSeenFrom(everyNode()[0]!);
  const victimChain = chains.find((c) => c.name === chainOfLeader(leaders.get('t00')!))!;
  const otherTopic = topics.find((x) => chainOfLeader(leaders.get(x)!) !== victimChain.name)!;
  const other = chains.find((c) => c.name === chainOfLeader(leaders.get(otherTopic)!))!;
  const victimLoad = startLoad(`${victimChain.address(0)}:${victimChain.port}`, 't00');
  const otherLoad = startLoad(`${other.address(0)}:${other.port}`, otherTopic);
  // The native client writes to the same chain through its own retries, idempotently (the default at acks=-1).
  const clientTopic = topics.find((x) => x !== 't00' && chainOfLeader(leaders.get(x)!) === victimChain.name)!;
  // Retries span well over the restart below (up to a minute on a loaded machine): ~200 x <= 500 ms.
  const client = await createClient({ endpoints: everyNode().join(','), retries: 200, maxRetryBackoffMs: 500 });
  const clientAcked: string[] = [];
  let stopClient = false;
  let clientError: unknown = null;
  const clientDone = (async () => {
    for (let n = 0; !stopClient; n++) {
      await client.produce(clientTopic, [`c-${n}`], { acks: -1 });
      clientAcked.push(`c-${n}`);
    }
  })().catch((err: unknown) => {
    clientError = err;
  });
  await Promise.all([victimLoad.progress(100), otherLoad.progress(100)]);
  await victimChain.nodes[0]!.kill('SIGKILL');
  await victimChain.nodes[0]!.start();
  await victimChain.waitWritable(60_000);
  await Promise.all([victimLoad.progress(100), otherLoad.progress(100)]);
  const clientBefore = clientAcked.length;
  await waitFor('the native client makes progress after the kill', () => {
    if (clientError !== null) throw clientError;
    return clientAcked.length > clientBefore + 20 ? true : undefined;
  }, 60_000, 20);
  stopClient = true;
  await clientDone;
  t.is(clientError, null, 'the native client never gave up');
  await client.close();
  await Promise.all([victimLoad.stop(), otherLoad.stop()]);
  const clientRead = (await fetchFrom(victimChain.nodes[2]!.address, clientTopic, 0, 0)).decoded.map((r) => r.value!.toString());
  t.deepEqual(clientAcked.filter((v) => clientRead.filter((x) => x === v).length !== 1), [], 'every record the native client was told is stored is there exactly once');
  t.log(`native client: ${clientAcked.length} acknowledged through the kill`);
  t.log(`victim chain: ${victimLoad.acked.length} acknowledged, ${victimLoad.errors()} retried; other chain: ${otherLoad.acked.length} acknowledged, ${otherLoad.errors()} retried`);
  t.is(otherLoad.errors(), 0, 'the other chain never failed a write');
  for (const [c, load, topic] of [[victimChain, victimLoad, 't00'], [other, otherLoad, otherTopic]] as const) {
    // Every topic already holds at least the 6 records of the kcat/kafkajs test.
    await waitFor('tail committed everything acknowledged', async () => ((await c.hwm(2, topic)) >= load.acked.length + 6 ? true : undefined));
    const values: string[] = [];
    for (let offset = 0; ;) {
      const got = await fetchFrom(c.nodes[2]!.address, topic, 0, offset);
      if (got.decoded.length === 0) break;
      values.push(...got.decoded.map((r) => r.value!.toString()));
      offset = got.decoded[got.decoded.length - 1]!.offset + 1;
    }
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    t.deepEqual(load.acked.filter((id) => counts.get(id) !== 1), [], `${topic}: every acknowledged record exactly once at the tail`);
  }
});
