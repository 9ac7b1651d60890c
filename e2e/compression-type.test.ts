/**
 * A topic's compression.type enforced as Kafka does, with real kcat producers (librdkafka compresses with
 * -z) against a real node: `producer` stores each batch in the producer's codec; `uncompressed`, `gzip`,
 * `snappy`, `lz4` and `zstd` make the node store every batch in that codec (read back from the segment
 * file on disk), records intact for kcat consumers; a live change through kafkajs's alterConfigs applies to
 * the next produce.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { batchPositions, encodeRecordBatch, readBatchHeader } from '../node/src/protocol/record-batch.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { requireTool, run } from './lib/tools.ts';

const serial = requireTool('kcat') ? test.serial : test.skip;
const { ConfigResourceTypes } = kafkajs;
let node: NodeProcess;

test.before(async () => {
  node = await startNodeProcess({ args: ['--auto-create-topics', 'false'] });
});
test.after.always(async () => {
  await node?.destroy();
});

async function withAdmin<T>(fn: (a: ReturnType<Kafka['admin']>) => Promise<T>, address = node.address): Promise<T> {
  const admin = new Kafka({ brokers: [address], clientId: 'compression-type-test', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Produces lines with kcat compressing them with `codec` (acks=all, one batch per call). */
async function produce(topic: string, codec: string, lines: string[]): Promise<void> {
  const p = await run('kcat', ['-b', node.address, '-P', '-t', topic, '-p', '0', '-z', codec, '-X', 'acks=all', '-X', 'linger.ms=100'], { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
  if (p.code !== 0) throw new Error(`kcat produce failed: ${p.stderr.toString()}`);
}

/** The codec of every batch in the partition's segment files, oldest first. */
function storedCodecs(topic: string): string[] {
  const dir = path.join(node.dataDir, `${topic}-0`);
  const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  return logs.flatMap((f) => {
    const bytes = fs.readFileSync(path.join(dir, f));
    return batchPositions(bytes).map(({ position }) => readBatchHeader(bytes, position).compression);
  });
}

async function consumeAll(topic: string, count: number): Promise<string[]> {
  const c = await run('kcat', ['-b', node.address, '-C', '-t', topic, '-o', 'beginning', '-c', String(count), '-e', '-q'], { timeoutMs: 60_000 });
  return c.stdout.toString().trim().split('\n');
}

const CASES: [config: string, producerCodec: string, stored: string][] = [
  ['producer', 'gzip', 'gzip'],
  ['uncompressed', 'snappy', 'none'],
  ['gzip', 'lz4', 'gzip'],
  ['snappy', 'none', 'snappy'],
  ['lz4', 'gzip', 'lz4'],
  ['zstd', 'snappy', 'zstd'],
];

for (const [config, producerCodec, stored] of CASES) {
  serial(`compression.type=${config}: a ${producerCodec} batch from kcat is stored as ${stored} and consumed intact`, async (t) => {
    const topic = `ct-${config}`;
    await withAdmin((a) => a.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'compression.type', value: config }] }] }));
    const lines = Array.from({ length: 200 }, (_, i) => `${config} record ${i} `.repeat(4).trim());
    await produce(topic, producerCodec, lines);
    t.deepEqual([...new Set(storedCodecs(topic))], [stored]);
    t.deepEqual(await consumeAll(topic, lines.length), lines);
  });
}

serial('changing compression.type with alterConfigs applies to the next produce; earlier batches stay as they were', async (t) => {
  const topic = 'ct-live';
  await withAdmin((a) => a.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] }));
  // librdkafka sends a batch uncompressed when compressing would not shrink it: repetitive values.
  const a = ['a1', 'a2'].map((v) => v.repeat(100));
  const b = ['b1', 'b2'].map((v) => v.repeat(100));
  await produce(topic, 'gzip', a);
  await withAdmin((a) => a.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'compression.type', value: 'zstd' }] }] }));
  await produce(topic, 'gzip', b);
  t.deepEqual(storedCodecs(topic), ['gzip', 'zstd']);
  t.deepEqual(await consumeAll(topic, 4), [...a, ...b]);
});

serial('a batch that recompression grows past max.message.bytes is refused with MESSAGE_TOO_LARGE and nothing is stored', async (t) => {
  const topic = 'ct-too-large';
  await withAdmin((a) => a.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [
    { name: 'compression.type', value: 'uncompressed' }, { name: 'max.message.bytes', value: '4000' },
  ] }] }));
  // 20 KB of repetitive values: a few hundred bytes gzipped, 20 KB as stored uncompressed.
  const batch = encodeRecordBatch({ records: Array.from({ length: 20 }, () => ({ value: 'x'.repeat(1000) })), compression: 'gzip' });
  t.true(batch.length < 4000, `the gzipped batch (${batch.length} bytes) fits the limit as sent`);
  const wire = await KafkaWire.connect(node.address);
  try {
    t.is((await wire.produce(topic, 0, batch, -1)).errorCode, ErrorCode.MESSAGE_TOO_LARGE.code);
    const small = encodeRecordBatch({ records: [{ value: 'fits' }], compression: 'gzip' });
    t.is((await wire.produce(topic, 0, small, -1)).errorCode, 0, 'a batch that fits as stored is accepted');
  } finally {
    wire.close();
  }
  t.deepEqual(storedCodecs(topic), ['none'], 'only the small batch, stored uncompressed');
});

/** `vonnegut_recompressed_requests_total` by thread, from a node's /metrics. */
async function recompressedBy(n: NodeProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${n.adminPort}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^vonnegut_recompressed_requests_total\{thread="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

serial('recompression runs on worker threads by default, and on the event loop with --compression-threads 0', async (t) => {
  // The node above ran every case with its default threads: all of it on workers.
  const byDefault = await recompressedBy(node);
  t.true((byDefault.worker ?? 0) >= 5, JSON.stringify(byDefault));
  t.is(byDefault.event_loop ?? 0, 0, JSON.stringify(byDefault));

  const inline = await startNodeProcess({ args: ['--compression-threads', '0'] });
  t.teardown(() => inline.destroy());
  const topic = 'ct-inline';
  await withAdmin((a) => a.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'compression.type', value: 'zstd' }] }] }), inline.address);
  const lines = Array.from({ length: 50 }, (_, i) => `inline record ${i}`);
  const p = await run('kcat', ['-b', inline.address, '-P', '-t', topic, '-p', '0', '-z', 'gzip', '-X', 'acks=all'], { input: lines.join('\n') + '\n', timeoutMs: 60_000 });
  t.is(p.code, 0, p.stderr.toString());
  const byInline = await recompressedBy(inline);
  t.true((byInline.event_loop ?? 0) >= 1, JSON.stringify(byInline));
  t.is(byInline.worker ?? 0, 0, JSON.stringify(byInline));
});
