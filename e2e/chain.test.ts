/**
 * Chain replication end to end: separate node processes on 127.0.x.y addresses, found through SRV
 * records served by a real dnsmasq, with real clients (kcat, kafkajs).
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { ChainCluster } from './lib/chain-cluster.ts';
import { startLoad } from './lib/load.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeProduceResponse, encodeProduceRequest } from '../node/src/protocol/apis/produce.ts';
import { CRC_AT, encodeRecordBatch, walkBatches } from '../node/src/protocol/record-batch.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import { KafkaWire } from './lib/kafka-wire.ts';

const hasTools = requireTool('kcat') && requireTool('dnsmasq');
const chainTest = hasTools ? test.serial : test.skip;

const clusters: ChainCluster[] = [];
async function cluster(name: string, subnet: number, count: number, replicas = count): Promise<ChainCluster> {
  const c = new ChainCluster(name, replicas, subnet);
  clusters.push(c);
  await c.start(count);
  return c;
}
test.after.always(async () => {
  await Promise.all(clusters.map((c) => c.destroy()));
});

function kafkajs(address: string) {
  return new Kafka({ clientId: 'e2e-chain', brokers: [address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

/** Compares the .log files of one partition across members byte for byte. */
function segmentsOf(dataDir: string, dir: string): Map<string, Buffer> {
  const full = path.join(dataDir, dir);
  return new Map(fs.readdirSync(full).filter((f) => f.endsWith('.log')).sort().map((f) => [f, fs.readFileSync(path.join(full, f))]));
}

chainTest('3-node chain over SRV: kcat and kafkajs produce with acks=-1 at the head and every node serves the records', async (t) => {
  const c = await cluster('alpha', 21, 3);
  const roles = await Promise.all([0, 1, 2].map(async (i) => (await c.status(i)).role));
  t.deepEqual(roles, ['head', 'middle', 'tail']);

  const lines = Array.from({ length: 500 }, (_, i) => `k${i}\tkcat-${i}`).join('\n') + '\n';
  const p = await run('kcat', ['-b', c.nodes[1]!.address, '-P', '-t', 'orders', '-K', '\t', '-X', 'acks=all'], { input: lines });
  t.is(p.code, 0, p.stderr);

  const producer = kafkajs(c.nodes[2]!.address).producer();
  await producer.connect();
  for (let i = 0; i < 5; i++) {
    await producer.send({ topic: 'orders', acks: -1, messages: Array.from({ length: 100 }, (_, j) => ({ key: `j${i * 100 + j}`, value: `kafkajs-${i * 100 + j}`, headers: { via: 'kafkajs' } })) });
  }
  await producer.disconnect();

  for (let i = 0; i < 3; i++) {
    const got = await fetchFrom(c.nodes[i]!.address, 'orders', 0, 0);
    t.is(got.errorCode, 0);
    t.is(got.highWatermark, 1000, `node ${i} high-water mark`);
    const values = got.decoded.map((r) => r.value!.toString());
    t.deepEqual(values.slice(0, 500), Array.from({ length: 500 }, (_, j) => `kcat-${j}`));
    t.deepEqual(values.slice(500), Array.from({ length: 500 }, (_, j) => `kafkajs-${j}`));
    t.deepEqual(got.decoded.map((r) => r.offset), Array.from({ length: 1000 }, (_, j) => j));
    t.is(got.decoded[700]!.headers[0]?.value?.toString(), 'kafkajs');
  }
  const head = segmentsOf(c.nodes[0]!.dataDir, 'orders-0');
  for (let i = 1; i < 3; i++) t.deepEqual(segmentsOf(c.nodes[i]!.dataDir, 'orders-0'), head, `node ${i} segments equal the head's`);

  const meta = await run('kcat', ['-b', c.nodes[2]!.address, '-L', '-t', 'orders', '-J']);
  const topic = JSON.parse(meta.stdout.toString()).topics[0];
  const brokers = JSON.parse(meta.stdout.toString()).brokers as { id: number; name: string }[];
  const leader = brokers.find((b) => b.id === topic.partitions[0].leader)!;
  t.is(leader.name, `${c.address(0)}:${c.port}`, 'the head leads');
  t.is(topic.partitions[0].replicas.length, 3);
});

chainTest('a record is visible to readers only once the tail has it (SIGSTOP the tail)', async (t) => {
  const c = await cluster('bravo', 22, 3);
  t.is((await produceTo(c.nodes[0]!.address, 'paused', 0, ['before'])).errorCode, 0);
  await waitFor('tail has the first record', async () => ((await c.hwm(2, 'paused')) === 1 ? true : undefined));

  await c.nodes[2]!.kill('SIGSTOP');
  let settled = false;
  const pending = produceTo(c.nodes[0]!.address, 'paused', 0, ['while-paused'], -1, 60_000).finally(() => (settled = true));
  // The head has appended it: its log end moves while the committed offset does not.
  await waitFor('head appended', async () => ((await c.status(0)).partitions.find((p) => p.topic === 'paused')!.logEndOffset === 2 ? true : undefined));
  for (const i of [0, 1]) {
    const got = await fetchFrom(c.nodes[i]!.address, 'paused', 0, 0);
    t.is(got.highWatermark, 1, `node ${i} does not commit without the tail`);
    t.deepEqual(got.decoded.map((r) => r.value!.toString()), ['before'], `node ${i} serves only committed records`);
  }
  t.false(settled, 'produce with acks=-1 waits for the tail');

  await c.nodes[2]!.kill('SIGCONT');
  const res = await pending;
  t.is(res.errorCode, 0);
  t.is(res.baseOffset, 1);
  for (let i = 0; i < 3; i++) {
    await waitFor(`node ${i} commits`, async () => ((await c.hwm(i, 'paused')) === 2 ? true : undefined));
    const got = await fetchFrom(c.nodes[i]!.address, 'paused', 0, 0);
    t.deepEqual(got.decoded.map((r) => r.value!.toString()), ['before', 'while-paused']);
  }
});

chainTest('writes before the chain has `replicas` members get NOT_ENOUGH_REPLICAS while reads go on', async (t) => {
  const c = await cluster('charlie', 23, 3);
  t.is((await produceTo(c.nodes[0]!.address, 'early', 0, ['a', 'b'])).errorCode, 0);
  // The third member disappears from DNS (its pod is gone): 2 of 3 members.
  await c.publish(2);
  await waitFor('chain no longer formed', async () => ((await c.status(0)).members.length === 2 ? true : undefined));
  const refused = await produceTo(c.nodes[0]!.address, 'early', 0, ['c']);
  t.is(refused.errorCode, ErrorCode.NOT_ENOUGH_REPLICAS.code);
  const read = await fetchFrom(c.nodes[0]!.address, 'early', 0, 0);
  t.deepEqual(read.decoded.map((r) => r.value!.toString()), ['a', 'b']);
  // It comes back: writes resume.
  await c.publish(3);
  await c.waitWritable();
  t.is((await produceTo(c.nodes[0]!.address, 'early', 0, ['c'])).errorCode, 0);
  const after = await fetchFrom(c.nodes[2]!.address, 'early', 0, 0);
  t.deepEqual(after.decoded.map((r) => r.value!.toString()), ['a', 'b', 'c']);
});

chainTest('SIGKILL of the middle, then the tail, then the head under idempotent acks=-1 load loses and duplicates no acknowledged record', async (t) => {
  const c = await cluster('delta', 24, 3);
  const load = startLoad(c.address(0) + ':' + c.port, 'load');
  await load.progress(200);
  for (const victim of [1, 2, 0]) {
    await c.nodes[victim]!.kill('SIGKILL');
    await c.nodes[victim]!.start();
    await c.waitWritable(60_000);
    await load.progress(200);
  }
  await load.stop();
  t.log(`acknowledged ${load.acked.length} records; ${load.errors()} failed attempts were retried`);

  const hwms = await Promise.all([0, 1, 2].map((i) => c.hwm(i, 'load')));
  await waitFor('all members commit the same prefix', async () => {
    const now = await Promise.all([0, 1, 2].map((i) => c.hwm(i, 'load')));
    return now.every((h) => h === now[0]) ? true : undefined;
  });
  t.log(`high-water marks ${hwms.join(', ')}`);
  for (let i = 0; i < 3; i++) {
    const values: string[] = [];
    for (let offset = 0; ;) {
      const got = await fetchFrom(c.nodes[i]!.address, 'load', 0, offset);
      if (got.decoded.length === 0) break;
      values.push(...got.decoded.map((r) => r.value!.toString()));
      offset = got.decoded[got.decoded.length - 1]!.offset + 1;
    }
    const seen = new Map<string, number>();
    for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
    const lost = load.acked.filter((id) => !seen.has(id));
    const duplicated = load.acked.filter((id) => (seen.get(id) ?? 0) > 1);
    t.deepEqual(lost, [], `node ${i} lost acknowledged records`);
    t.deepEqual(duplicated, [], `node ${i} holds acknowledged records twice`);
    const positions = load.acked.map((id) => values.indexOf(id));
    t.true(positions.every((p, k) => k === 0 || p > positions[k - 1]!), `node ${i} keeps acknowledged records in order`);
  }
  const head = segmentsOf(c.nodes[0]!.dataDir, 'load-0');
  for (let i = 1; i < 3; i++) t.deepEqual(segmentsOf(c.nodes[i]!.dataDir, 'load-0'), head, `node ${i}'s log equals the head's byte for byte`);
});

chainTest('a fourth node joins at the tail, catches up, and becomes the tail', async (t) => {
  const c = await cluster('echo', 25, 3);
  for (let i = 0; i < 20; i++) t.is((await produceTo(c.nodes[0]!.address, 'grow', 0, Array.from({ length: 50 }, (_, j) => `r${i * 50 + j}`))).errorCode, 0);
  await c.publish(4);
  await c.addNode(3);
  await waitFor('new node is the tail', async () => ((await c.status(3)).role === 'tail' ? true : undefined));
  await waitFor('old tail is a middle', async () => ((await c.status(2)).role === 'middle' ? true : undefined));
  await c.waitWritable();
  t.is((await produceTo(c.nodes[0]!.address, 'grow', 0, ['after-join'])).errorCode, 0);
  await waitFor('new tail commits everything', async () => ((await c.hwm(3, 'grow')) === 1001 ? true : undefined));
  const got = await fetchFrom(c.nodes[3]!.address, 'grow', 0, 0);
  t.deepEqual(got.decoded.map((r) => r.value!.toString()), [...Array.from({ length: 1000 }, (_, j) => `r${j}`), 'after-join']);
  t.deepEqual(got.decoded.map((r) => r.offset), Array.from({ length: 1001 }, (_, j) => j));
  t.deepEqual(segmentsOf(c.nodes[3]!.dataDir, 'grow-0'), segmentsOf(c.nodes[0]!.dataDir, 'grow-0'));
});

chainTest('pipelined 128 KiB produces (frames split over socket reads, copied into recycled buffers) reach every member byte for byte', async (t) => {
  const c = await cluster('foxtrot', 26, 3);
  const head = c.nodes[0]!.address;
  const count = 200;
  // Distinct bytes in every batch: a buffer recycled while the replicator still queued it would show.
  const bodies = Array.from({ length: count }, (_, i) => {
    const records = encodeRecordBatch({ records: Array.from({ length: 120 }, (_, k) => ({ value: Buffer.alloc(1024, (i * 7 + k) & 0xff) })) });
    const w = new Writer(records.length + 128);
    encodeProduceRequest(w, 3, { transactionalId: null, acks: 1, timeoutMs: 30_000, topics: [{ name: 'big', partitions: [{ index: 0, records }] }] });
    return Buffer.from(w.toBuffer());
  });
  t.true(bodies[0]!.length > 64 * 1024, 'larger than one socket read');
  t.is((await produceTo(head, 'big', 0, ['create'])).errorCode, 0);
  const conns = await Promise.all([0, 1, 2, 3].map(() => KafkaWire.connect(head)));
  try {
    // acks=1: answered after the head's append, so the head reuses frame buffers while batches still
    // travel down the chain.
    let next = 0;
    await Promise.all(conns.flatMap((conn) => Array.from({ length: 8 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const p = decodeProduceResponse(await conn.sendEncodedBody(ApiKey.Produce, 3, bodies[i]!), 3).topics[0]!.partitions[0]!;
        if (p.errorCode !== 0) throw new Error(`produce ${i}: error ${p.errorCode}`);
      }
    })));
  } finally {
    for (const conn of conns) conn.close();
  }
  const end = 1 + count * 120;
  await waitFor('every member commits all records', async () => {
    const now = await Promise.all([0, 1, 2].map((i) => c.hwm(i, 'big')));
    return now.every((h) => h === end) ? true : undefined;
  }, 60_000);
  const segs = segmentsOf(c.nodes[0]!.dataDir, 'big-0');
  for (let i = 1; i < 3; i++) {
    const theirs = segmentsOf(c.nodes[i]!.dataDir, 'big-0');
    // Buffer.equals: 25 MiB is too much for deepEqual's property walk.
    t.deepEqual([...theirs.keys()], [...segs.keys()]);
    t.true([...segs].every(([f, b]) => theirs.get(f)!.equals(b)), `node ${i}'s log equals the head's byte for byte`);
  }
  // And the head's own log holds what was sent, batch by batch (compared by content, offsets aside).
  const stored = [...segs.values()][0]!;
  let pos = 0;
  const seen = new Set<number>();
  walkBatches(stored, 0, stored.length, (at, size) => {
    if (at === 0) return;
    const batch = stored.subarray(at, at + size);
    const i = bodies.findIndex((b) => b.subarray(b.length - size + CRC_AT).equals(batch.subarray(CRC_AT)));
    if (i >= 0) seen.add(i);
    pos = at + size;
  });
  t.is(pos, stored.length);
  t.is(seen.size, count, 'every batch stored intact');
});
