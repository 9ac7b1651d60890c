/**
 * The native client and the client CLI against real `vonnegut serve` processes: one solo node, and a
 * 2-node chain on static discovery (head n0, tail n1) for routing: writes at the head, reads at the
 * tail, and recovery from NOT_LEADER_OR_FOLLOWER by refreshing Metadata.
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { NodeProcess, startNodeProcess } from './lib/node-process.ts';
import { run } from './lib/tools.ts';
import { freePort } from './lib/ports.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { batchSize, decodeRecordBatches } from '../node/src/protocol/record-batch.ts';
import { createClient, type Client } from '../node/src/client/index.ts';
import { Connection } from '../node/src/client/connection.ts';
import { metadataRequest } from '../node/src/client/requests.ts';
import { KafkaError } from '../node/src/protocol/errors.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { FrameDecoder, encodeFrame } from '../node/src/protocol/frame.ts';
import { decodeRequestHeader, writeResponseHeader } from '../node/src/protocol/header.ts';
import { decodeMetadataRequest, encodeMetadataResponse } from '../node/src/protocol/apis/metadata.ts';
import { Reader } from '../node/src/protocol/reader.ts';
import { Writer } from '../node/src/protocol/writer.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'node/src/main.ts');

const nodes: NodeProcess[] = [];
const clients: Client[] = [];
const cleanups: (() => void)[] = [];
test.after.always(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const c of cleanups) c();
  await Promise.all(nodes.map((n) => n.destroy()));
});

let solo: Promise<NodeProcess> | undefined;
function soloNode(): Promise<NodeProcess> {
  solo ??= startNodeProcess().then((n) => (nodes.push(n), n));
  return solo;
}

async function client(endpoints: string, extra: Partial<Parameters<typeof createClient>[0]> = {}): Promise<Client> {
  const c = await createClient({ endpoints, retryBackoffMs: 20, maxRetryBackoffMs: 500, retries: 30, ...extra });
  clients.push(c);
  return c;
}

let chain: Promise<{ n0: NodeProcess; n1: NodeProcess }> | undefined;
/** Head n0 and tail n1 on static discovery; resolves once the chain takes writes. */
function twoNodeChain() {
  chain ??= (async () => {
    const [p0, p1] = [await freePort(), await freePort()];
    const discovery = `static:n0=127.0.0.1:${p0},n1=127.0.0.1:${p1}`;
    const mk = (name: string, port: number) => new NodeProcess({ port, args: ['--discovery', discovery, '--node-name', name, '--replicas', '2', '--discovery-refresh-ms', '200'] });
    const n0 = mk('n0', p0);
    const n1 = mk('n1', p1);
    nodes.push(n0, n1);
    await Promise.all([n0.start(), n1.start()]);
    // NOT_ENOUGH_REPLICAS until both know each other: the client's retries wait for that.
    const c = await client(n0.address);
    await c.produce('warm-up', ['x']);
    return { n0, n1 };
  })();
  return chain;
}

test('produce and fetch round trip keys, headers, timestamps and null values', async (t) => {
  const n = await soloNode();
  const c = await client(n.address);
  await c.createTopic('round-trip');
  const res = await c.produce('round-trip', [
    { key: 'k1', value: 'v1', headers: [{ key: 'h', value: 'x' }, { key: 'empty', value: null }], timestamp: 1_600_000_000_000 },
    { key: Buffer.from([0, 1, 2]), value: null, timestamp: 1_600_000_000_500 },
    'plain',
  ]);
  t.deepEqual(res, { partition: 0, baseOffset: 0 });
  const f = await c.fetch('round-trip');
  t.is(f.highWaterMark, 3);
  t.is(f.nextOffset, 3);
  t.deepEqual(f.records.map((r) => r.offset), [0, 1, 2]);
  t.is(f.records[0]!.key!.toString(), 'k1');
  t.is(f.records[0]!.value!.toString(), 'v1');
  t.deepEqual(f.records[0]!.headers.map((h) => [h.key, h.value?.toString() ?? null]), [['h', 'x'], ['empty', null]]);
  t.is(f.records[0]!.timestamp, 1_600_000_000_000);
  t.deepEqual([...f.records[1]!.key!], [0, 1, 2]);
  t.is(f.records[1]!.value, null);
  t.is(f.records[1]!.timestamp, 1_600_000_000_500);
  t.is(f.records[2]!.key, null);
  t.is(f.records[2]!.value!.toString(), 'plain');
});

test('fetch from an offset inside a batch returns only that offset and later, across batches', async (t) => {
  const n = await soloNode();
  const c = await client(n.address);
  const a = await c.produce('from-offset', ['a0', 'a1', 'a2'], { compression: 'gzip' });
  const b = await c.produce('from-offset', ['b0', 'b1']);
  t.is(b.baseOffset, a.baseOffset + 3);
  const f = await c.fetch('from-offset', { offset: 1 });
  t.deepEqual(f.records.map((r) => [r.offset, r.value!.toString()]), [[1, 'a1'], [2, 'a2'], [3, 'b0'], [4, 'b1']]);
  const tail = await c.fetch('from-offset', { offset: 5 });
  t.deepEqual(tail.records, []);
  t.is(tail.highWaterMark, 5);
  t.deepEqual(await c.offsets('from-offset'), { earliest: 0, latest: 5 });
  const err = await t.throwsAsync(c.fetch('from-offset', { offset: 99 }), { instanceOf: KafkaError });
  t.is(err!.codeName, 'OFFSET_OUT_OF_RANGE');
});

test('many produces in flight at once on a small pool all land, each with its own offsets', async (t) => {
  const n = await soloNode();
  const c = await client(n.address, { poolSize: 2 });
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => c.produce('pipelined', [`r${i}-0`, `r${i}-1`])));
  const offsets = results.map((r) => r.baseOffset).sort((x, y) => x - y);
  t.deepEqual(offsets, Array.from({ length: 200 }, (_, i) => i * 2));
  let seen = 0;
  for (let off = 0; off < 400;) {
    const f = await c.fetch('pipelined', { offset: off });
    seen += f.records.length;
    off = f.nextOffset;
  }
  t.is(seen, 400);
  // read() keeps one Fetch ahead and stops at the high-water mark it first saw.
  const read: number[] = [];
  for await (const f of c.read('pipelined', { offset: 1, maxBytes: 1024 })) read.push(...f.records.map((r) => r.offset));
  t.deepEqual(read, Array.from({ length: 399 }, (_, i) => i + 1));
});

test('idempotent produces: concurrent calls merge into batches of one producer id with contiguous sequences, and a resent batch is stored once', async (t) => {
  const n = await soloNode();
  const c = await client(n.address);
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => c.produce('idem', [`i${i}-0`, `i${i}-1`, `i${i}-2`])));
  // Each call gets its own three offsets, in call order (merging keeps the order calls were made).
  t.deepEqual(results.map((r) => r.baseOffset), Array.from({ length: 100 }, (_, i) => i * 3));
  const wire = await KafkaWire.connect(n.address);
  t.teardown(() => wire.close());
  const raw = await wire.fetch('idem', 0, 0);
  const batches = [...decodeRecordBatches(raw.records!)];
  t.true(batches.length < 100, `${batches.length} batches for 100 calls: waiting calls were merged`);
  const ids = new Set(batches.map((b) => b.header.producerId));
  t.is(ids.size, 1);
  t.true([...ids][0]! >= 0, 'batches carry a producer id');
  let seq = 0;
  for (const b of batches) {
    t.is(b.header.baseSequence, seq, 'sequences continue batch after batch');
    seq += b.records.length;
  }
  // The same bytes again, as a retry after a lost answer would send them: the head answers with the
  // original offsets and stores nothing.
  const first = raw.records!.subarray(0, batchSize(raw.records!, 0));
  const resend = Buffer.from(first);
  resend.writeBigInt64BE(0n, 0);
  const again = await wire.produce('idem', 0, resend, -1);
  t.is(again.errorCode, 0);
  t.is(again.baseOffset, 0);
  t.is((await wire.listOffset('idem', 0, -1)).offset, 300, 'nothing stored twice');
});

test('idempotent merging stays under the broker\'s message.max.bytes: 20 concurrent 100 KiB produces all land', async (t) => {
  const n = await soloNode();
  const c = await client(n.address);
  const value = Buffer.alloc(10 * 1024, 7);
  // 2 MB in all: one merged batch would be MESSAGE_TOO_LARGE; the calls alone are not.
  const results = await Promise.all(Array.from({ length: 20 }, () => c.produce('big-merge', Array.from({ length: 10 }, () => value))));
  t.deepEqual(results.map((r) => r.baseOffset), Array.from({ length: 20 }, (_, i) => i * 10));
  const wire = await KafkaWire.connect(n.address);
  t.teardown(() => wire.close());
  const sizes: number[] = [];
  for (let off = 0; off < 200;) {
    const raw = await wire.fetch('big-merge', 0, off);
    for (let pos = 0; pos < raw.records!.length; pos += batchSize(raw.records!, pos)) sizes.push(batchSize(raw.records!, pos));
    off = [...decodeRecordBatches(raw.records!)].at(-1)!.records.at(-1)!.offset + 1;
  }
  t.true(sizes.length > 1 && sizes.every((b) => b < 1024 * 1024), `batch sizes ${sizes.join(', ')}`);
});

test('createTopic, listTopics, describeTopics and deleteTopic; errors keep their Kafka code', async (t) => {
  const n = await soloNode();
  const c = await client(n.address);
  await c.createTopic('admin-a', { partitions: 3 });
  t.true((await c.listTopics()).includes('admin-a'));
  const [d] = await c.describeTopics(['admin-a']);
  t.deepEqual(d!.partitions.map((p) => [p.partition, p.leader, p.tail]), [0, 1, 2].map((p) => [p, n.address, n.address]));
  const dup = await t.throwsAsync(c.createTopic('admin-a'), { instanceOf: KafkaError });
  t.is(dup!.codeName, 'TOPIC_ALREADY_EXISTS');
  await c.produce('admin-a', ['p2'], { partition: 2 });
  t.is((await c.fetch('admin-a', { partition: 2 })).records[0]!.value!.toString(), 'p2');
  await c.deleteTopic('admin-a');
  t.false((await c.listTopics()).includes('admin-a'));
  const gone = await t.throwsAsync(c.fetch('admin-a'), { instanceOf: KafkaError });
  t.is(gone!.code, 3);
  const bad = await t.throwsAsync(c.createTopic('no/slashes'), { instanceOf: KafkaError });
  t.is(bad!.codeName, 'INVALID_TOPIC_EXCEPTION');
});

test('in a 2-node chain the client writes at the head and reads at the tail', async (t) => {
  const { n0, n1 } = await twoNodeChain();
  // Bootstrapping from the tail still routes writes to the head.
  const c = await client(n1.address);
  await c.createTopic('routed');
  const [d] = await c.describeTopics(['routed']);
  t.is(d!.partitions[0]!.leader, n0.address);
  t.is(d!.partitions[0]!.tail, n1.address);
  const { baseOffset } = await c.produce('routed', ['one', 'two']);
  t.is(baseOffset, 0);
  // acks=-1 answered: committed, so the tail serves it at once.
  const f = await c.fetch('routed');
  t.deepEqual(f.records.map((r) => r.value!.toString()), ['one', 'two']);
  t.is(f.highWaterMark, 2);
});

test('a client told the tail is the leader gets NOT_LEADER_OR_FOLLOWER, refreshes Metadata and lands at the head', async (t) => {
  const { n0, n1 } = await twoNodeChain();
  const lie = await lyingMetadataServer(n0.address, n1.port);
  cleanups.push(lie.close);
  const retried: unknown[] = [];
  // Not idempotent: an idempotent producer's InitProducerId would look up the controller first and use up the lie.
  const c = await client(`127.0.0.1:${lie.port}`, { onRetry: (err) => retried.push(err), idempotent: false });
  // Stands in for a stale view (the head moved): the first Metadata names n1 as every partition's leader.
  const { baseOffset } = await c.produce('moved', ['after-refresh']);
  t.true(lie.lies >= 1);
  t.true(retried.some((e) => e instanceof KafkaError && e.code === ErrorCode.NOT_LEADER_OR_FOLLOWER.code), `retries seen: ${retried.map(String).join(', ')}`);
  const [d] = await c.describeTopics(['moved']);
  t.is(d!.partitions[0]!.leader, n0.address);
  const f = await c.fetch('moved', { offset: baseOffset });
  t.is(f.records[0]!.value!.toString(), 'after-refresh');
});

test('a producer started before the chain is formed retries NOT_ENOUGH_REPLICAS until it is', async (t) => {
  const [p0, p1] = [await freePort(), await freePort()];
  const discovery = `static:m0=127.0.0.1:${p0},m1=127.0.0.1:${p1}`;
  const mk = (name: string, port: number) => new NodeProcess({ port, args: ['--discovery', discovery, '--node-name', name, '--replicas', '2', '--discovery-refresh-ms', '200'] });
  const m0 = mk('m0', p0);
  const m1 = mk('m1', p1);
  nodes.push(m0, m1);
  await m0.start();
  const retried: unknown[] = [];
  const c = await client(m0.address, { onRetry: (err) => retried.push(err), retries: 200 });
  const pending = c.produce('formed-late', ['x']);
  // Start the tail only once the head has refused at least once, so the retry path is the one tested.
  while (retried.length === 0) await new Promise((r) => setTimeout(r, 20));
  await m1.start();
  t.is((await pending).baseOffset, 0);
  t.true(retried.some((e) => e instanceof KafkaError && e.codeName === 'NOT_ENOUGH_REPLICAS'));
});

test('vonnegut produce then consume --from-beginning --max-messages round-trips lines, keys and JSON output', async (t) => {
  const n = await soloNode();
  const lines = Array.from({ length: 2500 }, (_, i) => `key${i % 7}:value ${i}`);
  const cli = (args: string[], input?: string) => run(process.execPath, ['--import', 'tsx', MAIN, ...args], { input, timeoutMs: 90_000, env: { VONNEGUT_BOOTSTRAP: n.address } });
  const p = await cli(['produce', 'cli-topic', '--key-delimiter', ':', '--batch-size', '300'], `${lines.join('\n')}\n`);
  t.is(p.code, 0, p.stderr);
  t.regex(p.stderr, /produced 2500 records to cli-topic-0 at offsets 0\.\.2499/);
  const c = await cli(['consume', 'cli-topic', '--from-beginning', '--max-messages', '2500', '--format', 'key-value', '-K', ':']);
  t.is(c.code, 0, c.stderr);
  t.deepEqual(c.stdout.toString().split('\n').slice(0, -1), lines);
  const some = await cli(['consume', 'cli-topic', '--offset', '10', '--max-messages', '2', '--format', 'json', '-b', n.address]);
  t.deepEqual(some.stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as { offset: number; key: string; value: string }).map((r) => [r.offset, r.key, r.value]), [[10, 'key3', 'value 10'], [11, 'key4', 'value 11']]);
  // Without --from-beginning the consumer starts at the end and, not following, prints nothing.
  const none = await cli(['consume', 'cli-topic']);
  t.is(none.code, 0, none.stderr);
  t.is(none.stdout.length, 0);
  const topics = await cli(['topics', 'list']);
  t.true(topics.stdout.toString().split('\n').includes('cli-topic'));
  const missing = await cli(['topics', 'delete', 'no-such-topic']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /UNKNOWN_TOPIC_OR_PARTITION/);
});

/**
 * A Metadata-only broker for bootstrapping: it answers with the real cluster's Metadata except that
 * every partition's leader is the broker on `leaderPort`. The client's later refreshes ask the
 * brokers it learned, which tell the truth.
 */
async function lyingMetadataServer(truthAddress: string, leaderPort: number) {
  const [host, port] = [truthAddress.split(':')[0]!, Number(truthAddress.split(':')[1])];
  const truth = await Connection.connect(host, port);
  const state = { lies: 0, port: 0, close: () => {} };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    const decoder = new FrameDecoder();
    s.on('error', () => {});
    s.on('data', async (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        const h = decodeRequestHeader(frame);
        const req = decodeMetadataRequest(new Reader(frame, h.bodyOffset), h.apiVersion);
        const md = await truth.request(metadataRequest(req.topics?.map((x) => x.name ?? '') ?? null, req.allowAutoTopicCreation));
        const wrong = md.brokers.find((b) => b.port === leaderPort)!;
        for (const t of md.topics) for (const p of t.partitions) p.leaderId = wrong.nodeId;
        state.lies++;
        const w = new Writer();
        writeResponseHeader(w, h.apiKey, h.apiVersion, h.correlationId);
        encodeMetadataResponse(w, h.apiVersion, md);
        s.write(encodeFrame(w.toBuffer()));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = () => {
    truth.close();
    for (const s of sockets) s.destroy();
    server.close();
  };
  return state;
}
