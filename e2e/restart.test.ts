/**
 * kill -9 of a single node in the middle of produce traffic, then a restart on the same data dir and
 * port: every acknowledged (acks=-1) record is still there at the offset it was acknowledged with, what
 * is there beyond the acknowledged prefix is a prefix of what was sent (never a torn or reordered
 * record), every stored batch has a valid CRC, and the node goes on appending after the last record.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { batchPositions, validateBatch } from '../node/src/protocol/record-batch.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasKcat = requireTool('kcat');
const nodes: NodeProcess[] = [];
const inputs: string[] = [];
test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
  for (const f of inputs) fs.rmSync(f, { force: true });
});

async function node(): Promise<NodeProcess> {
  const n = await startNodeProcess();
  nodes.push(n);
  return n;
}

/** Every batch in every .log file passes its CRC check; returns how many there are. */
function validBatchesOnDisk(dataDir: string, topic: string): number {
  let n = 0;
  for (const dir of fs.readdirSync(dataDir).filter((d) => d.startsWith(`${topic}-`))) {
    for (const f of fs.readdirSync(path.join(dataDir, dir)).filter((x) => x.endsWith('.log'))) {
      const buf = fs.readFileSync(path.join(dataDir, dir, f));
      let end = 0;
      for (const { position, size } of batchPositions(buf)) {
        validateBatch(buf, position, position + size);
        end = position + size;
        n++;
      }
      // Recovery must have cut any torn tail: the file is whole batches only.
      if (end !== buf.length) throw new Error(`${dir}/${f}: ${buf.length - end} bytes after the last whole batch`);
    }
  }
  return n;
}

const PARTITIONS = 3;
const PER_BATCH = 20;

test.serial('kill -9 during kafkajs acks=-1 produce loses no acknowledged record and stores no partial one', async (t) => {
  const n = await node();
  const topic = 'restart-acked';
  const kafka = new Kafka({ clientId: 'e2e-restart', brokers: [n.address], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
  await producer.connect();
  const attempted: string[][] = Array.from({ length: PARTITIONS }, () => []);
  const acked: { baseOffset: number; values: string[] }[][] = Array.from({ length: PARTITIONS }, () => []);
  let stop = false;
  // One sequential sender per partition and no retries, so a partition's log can only ever hold a prefix
  // of what its sender attempted, in order.
  const senders = Array.from({ length: PARTITIONS }, async (_, p) => {
    for (let b = 0; !stop; b++) {
      const values = Array.from({ length: PER_BATCH }, (_, i) => `p${p}-b${b}-r${i}-${'v'.repeat((b * 7 + i) % 300)}`);
      attempted[p]!.push(...values);
      try {
        const [meta] = await producer.send({ topic, acks: -1, timeout: 10_000, messages: values.map((value, i) => ({ partition: p, key: `k${i}`, value, headers: { b: String(b) } })) });
        if (meta!.errorCode !== 0) return;
        acked[p]!.push({ baseOffset: Number(meta!.baseOffset), values });
      } catch {
        return;
      }
    }
  });
  await waitFor('acknowledged batches on every partition', () => (acked.every((a) => a.length >= 15) ? true : undefined), 60_000, 20);
  await n.kill('SIGKILL');
  stop = true;
  await Promise.all(senders);
  await producer.disconnect().catch(() => {});
  const ackedCount = acked.map((a) => a.length);
  t.log(`acknowledged batches per partition before the kill: ${ackedCount.join(', ')}; attempted records: ${attempted.map((a) => a.length).join(', ')}`);

  await n.start();
  t.true(validBatchesOnDisk(n.dataDir, topic) > 0);
  const wire = await KafkaWire.connect(n.address);
  try {
    for (let p = 0; p < PARTITIONS; p++) {
      const { records, highWatermark } = await wire.readAll(topic, p);
      const values = records.map((r) => r.value!.toString());
      t.is(highWatermark, records.length);
      t.true(records.every((r, i) => r.offset === i), `partition ${p}: offsets are 0..n-1`);
      t.deepEqual(values, attempted[p]!.slice(0, values.length), `partition ${p}: the log is a prefix of what was sent`);
      for (const a of acked[p]!) {
        t.deepEqual(values.slice(a.baseOffset, a.baseOffset + a.values.length), a.values, `partition ${p}: acknowledged batch at ${a.baseOffset}`);
      }
      const lastAcked = acked[p]!.at(-1)!;
      t.true(values.length >= lastAcked.baseOffset + PER_BATCH);
      // The node appends after whatever survived.
      const more = await new Kafka({ clientId: 'e2e-restart-2', brokers: [n.address], logLevel: logLevel.NOTHING }).producer();
      await more.connect();
      const [meta] = await more.send({ topic, acks: -1, messages: [{ partition: p, value: 'after restart' }] });
      await more.disconnect();
      t.is(Number(meta!.baseOffset), values.length);
    }
  } finally {
    wire.close();
  }
});

const kcatTest = hasKcat ? test.serial : test.skip;

kcatTest('kill -9 during a kcat acks=all produce leaves an in-order prefix of the input, all of it readable after restart', async (t) => {
  const n = await node();
  const topic = 'restart-kcat';
  const N = 200_000;
  const lines = Array.from({ length: N }, (_, i) => `m-${i}-${'k'.repeat(i % 40)}`);
  // From a file (-l: one message per line): kcat stops reading stdin when the broker dies, and a pipe
  // it left would fail the writer with EPIPE.
  const input = path.join(n.dataDir, '..', `${path.basename(n.dataDir)}-input.txt`);
  fs.writeFileSync(input, lines.join('\n') + '\n');
  inputs.push(input);
  // Small batches and one request in flight keep the stored prefix in input order.
  const producing = run('kcat', [
    '-b', n.address, '-P', '-t', topic, '-p', '0',
    '-X', 'acks=all', '-X', 'linger.ms=5', '-X', 'batch.num.messages=500', '-X', 'max.in.flight=1',
    '-X', 'message.timeout.ms=5000', '-X', 'message.send.max.retries=0', '-l', input,
  ], { timeoutMs: 120_000 });
  const wire = await KafkaWire.connect(n.address);
  // Kill once a real part of the input is committed, while kcat is still sending.
  await waitFor('kcat to have produced 20,000 messages', async () => {
    const { offset, errorCode } = await wire.listOffset(topic, 0, -1);
    return errorCode === 0 && offset >= 20_000 ? offset : undefined;
  }, 60_000, 20);
  wire.close();
  await n.kill('SIGKILL');
  const p = await producing;
  t.log(`kcat exited ${p.code}`);

  await n.start();
  validBatchesOnDisk(n.dataDir, topic);
  const c = await run('kcat', ['-b', n.address, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o|%s\n'], { timeoutMs: 120_000 });
  t.is(c.code, 0, c.stderr);
  const got = c.stdout.toString().trimEnd().split('\n');
  t.true(got.length >= 20_000, `${got.length} records survived`);
  t.true(got.length < N, 'the kill happened before kcat finished');
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== `${i}|${lines[i]}`) return t.fail(`record ${i}: ${got[i]}`);
  }
});
