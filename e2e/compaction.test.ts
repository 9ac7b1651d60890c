/**
 * Log compaction on a served node, with real clients: kcat and kafkajs produce several values per key
 * and tombstones to a topic whose cleanup.policy is compact (the broker default here,
 * --log-cleanup-policy), the cleaner runs, and both clients read back only each key's last value at its
 * original offset; tombstones disappear once delete.retention.ms has passed.
 */
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { NodeProcess } from './lib/node-process.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasKcat = requireTool('kcat');
const compactionTest = hasKcat ? test.serial : test.skip;
const nodes: NodeProcess[] = [];
test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
});

/** A counter's value from a node's /metrics. */
async function metric(adminPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

interface Seen { offset: number; key: string; value: string | null }

/** Everything kcat reads from the start (a tombstone prints as value "NULL"). */
async function kcatRead(address: string, topic: string): Promise<Seen[]> {
  const r = await run('kcat', ['-b', address, '-C', '-t', topic, '-o', 'beginning', '-e', '-Z', '-f', '%o\t%k\t%s\n'], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.toString().split('\n').filter((l) => l !== '').map((l) => {
    const [offset, key, value] = l.split('\t');
    return { offset: Number(offset), key: key!, value: value === 'NULL' ? null : value! };
  });
}

compactionTest('a compacted topic keeps each key\'s last value at its offset after the cleaner runs; tombstones go after delete.retention.ms (kcat and kafkajs)', async (t) => {
  const node = new NodeProcess({ args: ['--log-cleanup-policy', 'compact', '--segment-bytes', '2048', '--log-cleaner-backoff-ms', '200', '--log-cleaner-delete-retention-ms', '30000'] });
  nodes.push(node);
  await node.start();

  // kcat writes 5 rounds over 10 keys; kafkajs adds a 6th round with tombstones for k2 and k5.
  const lines: string[] = [];
  for (let round = 0; round < 5; round++) for (let k = 0; k < 10; k++) lines.push(`k${k}\tkcat-${round}-${k}-${'p'.repeat(40)}`);
  const p = await run('kcat', ['-b', node.address, '-P', '-t', 'compacted', '-K', '\t', '-X', 'acks=all', '-X', 'linger.ms=0', '-X', 'batch.num.messages=5'], { input: lines.join('\n') + '\n' });
  t.is(p.code, 0, p.stderr);
  const kafka = new Kafka({ clientId: 'e2e-compaction', brokers: [node.address], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  for (let k = 0; k < 10; k++) {
    await producer.send({ topic: 'compacted', acks: -1, messages: [{ key: `k${k}`, value: k === 2 || k === 5 ? null : `kafkajs-${k}-${'q'.repeat(40)}` }] });
  }
  // One more record rolls the segment, so every earlier one is cleanable.
  await producer.send({ topic: 'compacted', acks: -1, messages: [{ key: 'roll', value: 'r'.repeat(3000) }] });
  await producer.disconnect();

  // One partition, one producer at a time: kcat's records are offsets 0-49, kafkajs's 50-59, the roll 60.
  const lastOffsetOf = new Map<string, number>([...Array.from({ length: 10 }, (_, k) => [`k${k}`, 50 + k] as const), ['roll', 60]]);
  const latestOnly = (seen: Seen[]) => seen.length === 11 && seen.every((s) => lastOffsetOf.get(s.key) === s.offset);

  await waitFor('the cleaner compacted the topic', async () => (latestOnly(await kcatRead(node.address, 'compacted')) ? true : undefined), 60_000, 200);
  const compacted = await kcatRead(node.address, 'compacted');
  // Each key once, at the offset it was written at, with its last value; the tombstones still there.
  t.deepEqual(compacted.map((s) => s.offset), Array.from({ length: 11 }, (_, i) => 50 + i));
  t.deepEqual(compacted.slice(0, 10).map((s) => s.value), Array.from({ length: 10 }, (_, k) => (k === 2 || k === 5 ? null : `kafkajs-${k}-${'q'.repeat(40)}`)));

  // kafkajs, an independent decoder, reads the cleaned segments the same way.
  const consumer = kafka.consumer({ groupId: 'compaction-reader' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'compacted', fromBeginning: true });
  const viaKafkajs: Seen[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void viaKafkajs.push({ offset: Number(message.offset), key: message.key!.toString(), value: message.value?.toString() ?? null }) });
  await waitFor('kafkajs read everything', () => (viaKafkajs.length >= compacted.length ? true : undefined), 60_000);
  await consumer.disconnect();
  t.deepEqual(viaKafkajs.sort((a, b) => a.offset - b.offset), compacted);

  // delete.retention.ms is 30 s (long enough for kafkajs to join its group and read them): then the tombstones (and with them k2 and k5) are gone.
  await waitFor('tombstones removed', async () => ((await kcatRead(node.address, 'compacted')).some((s) => s.value === null) ? undefined : true), 120_000, 500);
  const final = await kcatRead(node.address, 'compacted');
  t.deepEqual(final, compacted.filter((s) => s.value !== null));
  t.true(await metric(node.adminPort, 'vonnegut_log_cleaner_rewritten_segments_total') > 0);
});
