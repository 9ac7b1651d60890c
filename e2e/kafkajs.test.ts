/**
 * kafkajs 2.2 against one live node: admin creates a 3-partition topic, the producer writes keys, values
 * and headers with acks 1 and -1 to every partition, and two independent readers (raw Fetch with our
 * codecs, and kcat) see every record in order with the offsets the producer was told. Also ListOffsets
 * through admin.fetchTopicOffsets, deleteTopics, and producing to an auto-created topic.
 */
import fs from 'node:fs';
import test from 'ava';
import { Kafka, logLevel, type RecordMetadata } from 'kafkajs';
import { singleNode } from './lib/single-node.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasKcat = requireTool('kcat');

const one = singleNode();

function kafka(): Kafka {
  return new Kafka({ clientId: 'e2e-kafkajs', brokers: [one.node.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

const PARTITIONS = 3;
const PER_SEND = 50;

interface Sent {
  key: string;
  value: string;
  headers: Record<string, string>;
}

function message(round: number, partition: number, i: number, acks: number): Sent {
  return {
    key: `k-${round}-${partition}-${i}`,
    value: `v-${round}-${partition}-${i}-acks${acks}-${'z'.repeat(i % 17)}`,
    headers: { round: String(round), acks: String(acks), idx: String(i) },
  };
}

test.serial('kafkajs admin creates 3 partitions, the producer writes with acks 1 and -1 to each, and raw Fetch and kcat read every record back in order', async (t) => {
  const topic = 'kjs-three';
  const admin = kafka().admin();
  await admin.connect();
  t.true(await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true }));
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  t.is(meta.topics[0]!.partitions.length, PARTITIONS);
  await admin.disconnect();
  t.deepEqual(fs.readdirSync(one.node.dataDir).filter((d) => d.startsWith(topic)).sort(), [0, 1, 2].map((p) => `${topic}-${p}`));

  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const expected: Sent[][] = [[], [], []];
  // Two rounds per acks setting; the offsets the broker acknowledges must be exactly where records land.
  let round = 0;
  for (const acks of [1, -1, 1, -1]) {
    for (let p = 0; p < PARTITIONS; p++) {
      const msgs = Array.from({ length: PER_SEND }, (_, i) => message(round, p, i, acks));
      const meta: RecordMetadata[] = await producer.send({ topic, acks, messages: msgs.map((m) => ({ ...m, partition: p })) });
      t.is(meta.length, 1);
      t.is(meta[0]!.errorCode, 0);
      t.is(meta[0]!.partition, p);
      t.is(Number(meta[0]!.baseOffset), expected[p]!.length, `acknowledged base offset of partition ${p} round ${round}`);
      expected[p]!.push(...msgs);
    }
    round++;
  }
  await producer.disconnect();

  for (let p = 0; p < PARTITIONS; p++) {
    const { records, highWatermark } = await one.wire.readAll(topic, p);
    t.is(highWatermark, expected[p]!.length);
    t.is(records.length, expected[p]!.length);
    records.forEach((r, i) => {
      const want = expected[p]![i]!;
      if (r.offset !== i || r.key?.toString() !== want.key || r.value?.toString() !== want.value) {
        t.fail(`partition ${p} record ${i}: offset ${r.offset} key ${r.key} value ${r.value}`);
      }
      const headers = Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString()]));
      if (JSON.stringify(headers) !== JSON.stringify(want.headers)) t.fail(`partition ${p} record ${i}: headers ${JSON.stringify(headers)}`);
    });
  }

  if (!hasKcat) return;
  for (let p = 0; p < PARTITIONS; p++) {
    const c = await run('kcat', ['-b', one.node.address, '-C', '-t', topic, '-p', String(p), '-o', 'beginning', '-e', '-q', '-f', '%p|%o|%k|%s|%h\n']);
    t.is(c.code, 0, c.stderr);
    const want = expected[p]!.map((m, i) => `${p}|${i}|${m.key}|${m.value}|round=${m.headers.round},acks=${m.headers.acks},idx=${m.headers.idx}`);
    t.deepEqual(c.stdout.toString().trimEnd().split('\n'), want);
  }
});

test.serial('kafkajs admin fetchTopicOffsets reports earliest 0 and latest = records written per partition', async (t) => {
  const topic = 'kjs-offsets';
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  const producer = kafka().producer();
  await producer.connect();
  // Different counts per partition, so a mixed-up partition index shows.
  for (let p = 0; p < PARTITIONS; p++) {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: (p + 1) * 7 }, (_, i) => ({ partition: p, value: `o${i}` })) });
  }
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const byPartition = offsets.sort((a, b) => a.partition - b.partition).map((o) => ({ partition: o.partition, low: o.low, high: o.high, offset: o.offset }));
  t.deepEqual(byPartition, [0, 1, 2].map((p) => ({ partition: p, low: '0', high: String((p + 1) * 7), offset: String((p + 1) * 7) })));
  // Our own ListOffsets agrees.
  t.deepEqual(await one.wire.listOffset(topic, 2, -1), { errorCode: 0, offset: 21 });
  t.deepEqual(await one.wire.listOffset(topic, 2, -2), { errorCode: 0, offset: 0 });
});

test.serial('kafkajs admin deleteTopics removes the topic from metadata and from disk', async (t) => {
  const topic = 'kjs-doomed';
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  t.true((await admin.listTopics()).includes(topic));
  await admin.deleteTopics({ topics: [topic] });
  t.false((await admin.listTopics()).includes(topic));
  await waitFor('partition directories removed', () => (fs.readdirSync(one.node.dataDir).some((d) => d.startsWith(`${topic}-`)) ? undefined : true));
  // Reading a deleted topic is UNKNOWN_TOPIC_OR_PARTITION, not stale data.
  t.is((await one.wire.fetch(topic, 0, 0)).errorCode, 3);
  await t.throwsAsync(admin.deleteTopics({ topics: [topic] }));
  await admin.disconnect();
});

test.serial('kafkajs producer auto-creates an unknown topic and the records are readable', async (t) => {
  const topic = 'kjs-auto-created';
  const producer = kafka().producer({ allowAutoTopicCreation: true });
  await producer.connect();
  const meta = await producer.send({ topic, acks: -1, messages: [{ key: 'a', value: 'first' }, { key: 'b', value: 'second', headers: { h: 'x' } }] });
  await producer.disconnect();
  t.is(meta[0]!.errorCode, 0);
  t.is(Number(meta[0]!.baseOffset), 0);
  t.true(fs.existsSync(`${one.node.dataDir}/${topic}-0`));
  const { records } = await one.wire.readAll(topic, meta[0]!.partition);
  t.deepEqual(records.map((r) => [r.offset, r.key?.toString(), r.value?.toString()]), [[0, 'a', 'first'], [1, 'b', 'second']]);
  t.deepEqual(records[1]!.headers.map((h) => [h.key, h.value?.toString()]), [['h', 'x']]);
});
