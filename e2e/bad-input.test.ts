/**
 * Bad input against a live node. Each case runs on its own connection while a second, well-behaved
 * client stays connected the whole time; after every case that client must still produce and read
 * back. At the end the process is alive, nothing it logged is an internal error, and every batch in
 * every .log file on disk has a valid CRC (a damaged batch was never stored).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeApiVersionsResponse } from '../node/src/protocol/apis/api-versions.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../node/src/protocol/apis/create-topics.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { writeRequestHeader } from '../node/src/protocol/header.ts';
import { batchPositions, encodeRecordBatch, validateBatch } from '../node/src/protocol/record-batch.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { KafkaWire } from './lib/kafka-wire.ts';

/** Small, so an over-limit prefix is cheap, yet above message.max.bytes (1 MiB) so MESSAGE_TOO_LARGE is reachable. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const CLOSE_TIMEOUT_MS = 15_000;

let node: NodeProcess;
/** The data dir's own parent, so "nothing created next to the data dir" is not disturbed by other tests in /tmp. */
let parent = '';
let good: KafkaWire;
let goodCount = 0;

test.before(async () => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-bad-input-'));
  node = await startNodeProcess({ dataDir: path.join(parent, 'data'), args: ['--max-request-bytes', String(MAX_REQUEST_BYTES)] });
  good = await KafkaWire.connect(node.address);
  await goodClientWorks();
});
test.after.always(async () => {
  good?.close();
  await node?.destroy();
  if (parent) fs.rmSync(parent, { recursive: true, force: true });
});

/** The well-behaved client produces one record on its long-lived connection and reads it back. */
async function goodClientWorks(): Promise<void> {
  const value = `good-${goodCount}`;
  const r = await good.produce('well-behaved', 0, encodeRecordBatch({ records: [{ value }] }), 1);
  if (r.errorCode !== 0 || r.baseOffset !== goodCount) throw new Error(`good produce: error ${r.errorCode} at ${r.baseOffset}, expected ${goodCount}`);
  const { records } = await good.readAll('well-behaved', 0, goodCount);
  if (records[0]?.value?.toString() !== value) throw new Error(`good fetch read ${records[0]?.value}`);
  goodCount++;
}

async function afterCase(t: ExecutionContext): Promise<void> {
  t.false(good.isClosed, 'the well-behaved connection is still open');
  await t.notThrowsAsync(goodClientWorks(), 'the well-behaved client still produces and fetches');
  t.is(node.child?.exitCode, null, 'the node is alive');
}

/** Resolves true when the server closes `conn` within the bound. */
async function closedByServer(conn: KafkaWire): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    conn.closed.then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  return closed;
}

function sizePrefixed(size: number, body: Uint8Array = Buffer.alloc(0)): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(size, 0);
  return Buffer.concat([prefix, body]);
}

/** A request frame (header + body, no size prefix) for any key and version. */
function requestFrame(apiKey: number, version: number, correlationId: number, body: Uint8Array = Buffer.alloc(0)): Buffer {
  const w = new Writer(64);
  writeRequestHeader(w, 1, { apiKey, apiVersion: version, correlationId, clientId: 'bad-input' });
  w.raw(body);
  return w.toBuffer();
}

/** A deterministic pseudo-random generator, so a failing case replays the same bytes. */
function randomBytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function logFileSizes(): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const dir of fs.readdirSync(node.dataDir)) {
    const full = path.join(node.dataDir, dir);
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full)) if (f.endsWith('.log')) sizes.set(`${dir}/${f}`, fs.statSync(path.join(full, f)).size);
  }
  return sizes;
}

test.serial('a frame of random bytes closes only that connection', async (t) => {
  for (const seed of [1, 7, 42, 1234]) {
    const bad = await KafkaWire.connect(node.address);
    const body = randomBytes(200, seed);
    // A random API key of 1000 (our internal replication key) would make this a replication link; keep it a Kafka request.
    body.writeInt16BE(0x7000 | (body.readInt16BE(0) & 0x0fff), 0);
    bad.writeRaw(sizePrefixed(body.length, body));
    t.true(await closedByServer(bad), `seed ${seed}`);
  }
  await afterCase(t);
});

test.serial('random bytes inside a Produce request with a valid header never disturb other clients', async (t) => {
  for (const seed of [3, 99]) {
    const bad = await KafkaWire.connect(node.address);
    const frame = requestFrame(ApiKey.Produce, 3, 1, randomBytes(300, seed));
    const reply = bad.sendFrame(ApiKey.Produce, 3, 1, frame).then(() => 'answered', () => 'closed');
    // Either the body does not parse (closed) or it parses into something answered with an error; never a crash.
    const closed = await closedByServer(bad);
    t.log(`seed ${seed}: ${closed ? 'closed' : await reply}`);
    bad.close();
  }
  await afterCase(t);
});

test.serial('a truncated frame followed by a close leaves the node serving others', async (t) => {
  const bad = await KafkaWire.connect(node.address);
  const frame = requestFrame(ApiKey.Produce, 3, 1, encodeRecordBatch({ records: [{ value: 'never whole' }] }));
  bad.writeRaw(sizePrefixed(frame.length, frame).subarray(0, frame.length / 2));
  bad.socket.end();
  await bad.closed;
  await afterCase(t);
  t.false(fs.existsSync(path.join(node.dataDir, 'never-whole-0')));
});

test.serial('a size prefix over --max-request-bytes closes the connection before the body is sent', async (t) => {
  const bad = await KafkaWire.connect(node.address);
  bad.writeRaw(sizePrefixed(MAX_REQUEST_BYTES + 1));
  t.true(await closedByServer(bad));
  const huge = await KafkaWire.connect(node.address);
  huge.writeRaw(sizePrefixed(0x7fffffff));
  t.true(await closedByServer(huge));
  await afterCase(t);
});

test.serial('a negative size prefix closes the connection', async (t) => {
  const bad = await KafkaWire.connect(node.address);
  bad.writeRaw(sizePrefixed(-5, Buffer.from('abcdefgh')));
  t.true(await closedByServer(bad));
  await afterCase(t);
});

test.serial('an unknown API key closes the connection', async (t) => {
  const bad = await KafkaWire.connect(node.address);
  const frame = requestFrame(77, 0, 5);
  bad.writeRaw(sizePrefixed(frame.length, frame));
  t.true(await closedByServer(bad));
  await afterCase(t);
});

test.serial('ApiVersions at an unknown version gets UNSUPPORTED_VERSION in the v0 layout and the connection stays open', async (t) => {
  const conn = await KafkaWire.connect(node.address);
  const frame = requestFrame(ApiKey.ApiVersions, 99, 4242);
  // Read the answer as v0 (what the client must expect when the broker does not know its version).
  const r = await conn.sendFrame(ApiKey.ApiVersions, 0, 4242, frame);
  const res = decodeApiVersionsResponse(r, 0);
  t.is(res.errorCode, ErrorCode.UNSUPPORTED_VERSION.code);
  t.is(r.remaining, 0, 'exactly the v0 layout');
  t.true(res.apiKeys.some((k) => k.apiKey === ApiKey.ApiVersions && k.minVersion === 0));
  // The client retries at a version it now knows, on the same connection.
  t.is((await conn.apiVersions(3)).errorCode, 0);
  t.false(conn.isClosed);
  conn.close();
  await afterCase(t);
});

test.serial('an unsupported version of another API closes the connection', async (t) => {
  for (const [apiKey, version] of [[ApiKey.Produce, 99], [ApiKey.Fetch, 500], [ApiKey.Metadata, -1]] as const) {
    const bad = await KafkaWire.connect(node.address);
    const frame = requestFrame(apiKey, version, 9);
    bad.writeRaw(sizePrefixed(frame.length, frame));
    t.true(await closedByServer(bad), `api ${apiKey} v${version}`);
  }
  await afterCase(t);
});

test.serial('a batch with a wrong CRC is CORRUPT_MESSAGE and nothing is stored', async (t) => {
  const conn = await KafkaWire.connect(node.address);
  t.is((await conn.produce('crc', 0, encodeRecordBatch({ records: [{ value: 'first' }] }), 1)).errorCode, 0);
  const endBefore = (await conn.listOffset('crc', 0, -1)).offset;
  const sizesBefore = logFileSizes();
  const batch = encodeRecordBatch({ records: [{ key: 'k', value: 'payload that will be damaged' }, { value: 'second' }] });
  // Flip one bit inside the CRC-covered span (the last record's value).
  batch[batch.length - 3]! ^= 0x01;
  const r = await conn.produce('crc', 0, batch, 1);
  t.is(r.errorCode, ErrorCode.CORRUPT_MESSAGE.code);
  // A wrong CRC field itself is caught the same way.
  const badCrc = encodeRecordBatch({ records: [{ value: 'x' }] });
  badCrc.writeUInt32BE((badCrc.readUInt32BE(17) ^ 0xffffffff) >>> 0, 17);
  t.is((await conn.produce('crc', 0, badCrc, -1)).errorCode, ErrorCode.CORRUPT_MESSAGE.code);
  t.is((await conn.listOffset('crc', 0, -1)).offset, endBefore, 'log end unchanged');
  t.deepEqual(logFileSizes(), sizesBefore, '.log file sizes unchanged');
  t.false(conn.isClosed, 'a corrupt batch is an error response, not a closed connection');
  conn.close();
  await afterCase(t);
});

test.serial('topic names with / or .. are INVALID_TOPIC_EXCEPTION and create nothing on disk', async (t) => {
  const conn = await KafkaWire.connect(node.address);
  // The high-water mark checkpoint is rewritten (temp file + rename) every second: not part of the comparison.
  const listing = (): string[] => fs.readdirSync(node.dataDir).filter((f) => !f.startsWith('replication-offset-checkpoint')).sort();
  const before = listing();
  const parentBefore = fs.readdirSync(parent).sort();
  for (const topic of ['..', '.', 'a/b', '../escape', '../../etc', 'x/../y', '']) {
    const r = await conn.produce(topic, 0, encodeRecordBatch({ records: [{ value: 'v' }] }), 1);
    t.is(r.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION.code, `produce to ${JSON.stringify(topic)}`);
    const created = decodeCreateTopicsResponse(
      await conn.send(ApiKey.CreateTopics, 2, (w) => encodeCreateTopicsRequest(w, 2, { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false })),
      2,
    );
    t.is(created.topics[0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION.code, `create ${JSON.stringify(topic)}`);
    t.not((await conn.fetch(topic, 0, 0)).errorCode, 0, `fetch ${JSON.stringify(topic)}`);
  }
  t.deepEqual(listing(), before, 'data dir unchanged');
  t.deepEqual(fs.readdirSync(parent).sort(), parentBefore, 'nothing created next to the data dir');
  conn.close();
  await afterCase(t);
});

test.serial('a batch over message.max.bytes is MESSAGE_TOO_LARGE and nothing is stored', async (t) => {
  const conn = await KafkaWire.connect(node.address);
  t.is((await conn.produce('big', 0, encodeRecordBatch({ records: [{ value: 'small' }] }), 1)).errorCode, 0);
  const sizesBefore = logFileSizes();
  const big = encodeRecordBatch({ records: Array.from({ length: 3 }, (_, i) => ({ value: Buffer.alloc(600 * 1024, i) })) });
  t.true(big.length < MAX_REQUEST_BYTES);
  t.is((await conn.produce('big', 0, big, 1)).errorCode, ErrorCode.MESSAGE_TOO_LARGE.code);
  t.is((await conn.listOffset('big', 0, -1)).offset, 1);
  t.deepEqual(logFileSizes(), sizesBefore);
  conn.close();
  await afterCase(t);
});

test.serial('after all of it the node is alive, logged no internal error, and every stored batch is valid', async (t) => {
  await afterCase(t);
  t.notRegex(node.stderr, /request handler failed|unexpected error/);
  let batches = 0;
  for (const [file] of logFileSizes()) {
    const buf = fs.readFileSync(path.join(node.dataDir, file));
    for (const { position, size } of batchPositions(buf)) {
      t.notThrows(() => validateBatch(buf, position, position + size), `${file}@${position}`);
      batches++;
    }
  }
  t.true(batches >= goodCount);
});
