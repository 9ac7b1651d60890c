/**
 * `.timeindex` on a served node: ListOffsets by timestamp answers through it for kcat (`-o s@<ts>`) and
 * kafkajs (admin.fetchTopicOffsetsByTimestamp), and after a kill -9 in the middle of a produce the
 * restarted node answers exactly as a scan of what it holds says it must.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { NodeProcess } from './lib/node-process.ts';
import { fetchFrom } from './lib/raw-kafka.ts';
import { requireTool, run } from './lib/tools.ts';
import { TIME_INDEX_ENTRY_BYTES } from '../node/src/storage/time-index.ts';

const hasKcat = requireTool('kcat');
const T0 = 1_700_000_000_000;
/** Small segments, so a few hundred records span many segments and their time indexes. */
const FLAGS = ['--segment-bytes', '16384'];

const nodes: NodeProcess[] = [];
test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
});

function kafka(address: string): Kafka {
  return new Kafka({ clientId: 'e2e-timeindex', brokers: [address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

/** Every record the node holds in partition 0: offset and timestamp. */
async function held(address: string, topic: string): Promise<{ offset: number; timestamp: number }[]> {
  const out: { offset: number; timestamp: number }[] = [];
  for (;;) {
    const got = await fetchFrom(address, topic, 0, out.length === 0 ? 0 : out[out.length - 1]!.offset + 1, 1 << 20);
    const fresh = got.decoded.filter((r) => out.length === 0 || r.offset > out[out.length - 1]!.offset);
    if (fresh.length === 0) return out;
    out.push(...fresh.map((r) => ({ offset: r.offset, timestamp: r.timestamp })));
  }
}

/** The first offset with a timestamp >= ts (what ListOffsets must answer), or -1. */
function firstAtOrAfter(records: { offset: number; timestamp: number }[], ts: number): number {
  return records.find((r) => r.timestamp >= ts)?.offset ?? -1;
}

const kcatTest = hasKcat ? test.serial : test.skip;

kcatTest('ListOffsets by timestamp through the .timeindex: kcat -o s@<ts> and kafkajs fetchTopicOffsetsByTimestamp', async (t) => {
  const node = new NodeProcess({ args: FLAGS });
  nodes.push(node);
  await node.start();
  const client = kafka(node.address);
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'times', numPartitions: 1 }] });
  const producer = client.producer();
  await producer.connect();
  // 300 records one second apart, in batches of 10, with one batch out of order (CreateTime may step back).
  for (let b = 0; b < 30; b++) {
    const start = b === 20 ? T0 + 5_000 : T0 + b * 10_000;
    await producer.send({ topic: 'times', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${b * 10 + i}`.padEnd(200, '.'), timestamp: String(start + i * 1000) })) });
  }
  await producer.disconnect();
  const segments = fs.readdirSync(path.join(node.dataDir, 'times-0')).filter((f) => f.endsWith('.timeindex'));
  t.true(segments.length > 3, `${segments.length} segments with a .timeindex`);

  const records = await held(node.address, 'times');
  t.is(records.length, 300);
  for (const ts of [T0, T0 + 5_500, T0 + 150_500, T0 + 199_000, T0 + 205_000, T0 + 299_000]) {
    const want = firstAtOrAfter(records, ts);
    const [answer] = await admin.fetchTopicOffsetsByTimestamp('times', ts);
    t.is(Number(answer!.offset), want, `kafkajs at ${ts}`);
    const k = await run('kcat', ['-b', node.address, '-C', '-t', 'times', '-p', '0', '-o', `s@${ts}`, '-c', '1', '-e', '-f', '%o %T\\n'], { timeoutMs: 30_000 });
    t.is(k.code, 0, k.stderr);
    t.is(k.stdout.toString().trim(), `${want} ${records[want]!.timestamp}`, `kcat at ${ts}`);
  }
  await admin.disconnect();
});

test.serial('after kill -9 in the middle of a produce, the restarted node answers ListOffsets by timestamp as its records say', async (t) => {
  const node = new NodeProcess({ args: FLAGS });
  nodes.push(node);
  await node.start();
  const client = kafka(node.address);
  const producer = client.producer({ retry: { retries: 0 } });
  await producer.connect();
  let acked = 0;
  const sending = (async () => {
    for (let b = 0; ; b++) {
      await producer.send({ topic: 'crash', acks: 1, messages: Array.from({ length: 5 }, (_, i) => ({ value: `c${b}-${i}`.padEnd(100, '.'), timestamp: String(T0 + (b * 5 + i) * 100) })) });
      acked = b + 1;
    }
  })().catch(() => undefined);
  // Kill once the log spans several segments, while sends are still going.
  while (acked < 60) await new Promise((r) => setTimeout(r, 20));
  await node.kill('SIGKILL');
  await sending;
  await producer.disconnect().catch(() => undefined);

  await node.start(90_000);
  const records = await held(node.address, 'crash');
  t.true(records.length >= acked * 5, `kept ${records.length} records, ${acked * 5} acknowledged`);
  const admin = client.admin();
  await admin.connect();
  const last = records[records.length - 1]!.timestamp;
  for (let ts = T0; ts <= last; ts += 1_730) {
    const [answer] = await admin.fetchTopicOffsetsByTimestamp('crash', ts);
    t.is(Number(answer!.offset), firstAtOrAfter(records, ts), `at ${ts}`);
  }
  await admin.disconnect();
  // Every .timeindex left on disk is whole 12-byte entries with rising timestamps.
  const dir = path.join(node.dataDir, 'crash-0');
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.timeindex'))) {
    const buf = fs.readFileSync(path.join(dir, f));
    t.is(buf.length % TIME_INDEX_ENTRY_BYTES, 0, f);
    for (let at = TIME_INDEX_ENTRY_BYTES; at < buf.length; at += TIME_INDEX_ENTRY_BYTES) {
      t.true(buf.readBigInt64BE(at) > buf.readBigInt64BE(at - TIME_INDEX_ENTRY_BYTES), `${f} rises at ${at}`);
    }
  }
});
