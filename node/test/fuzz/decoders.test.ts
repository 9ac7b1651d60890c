/**
 * Property-based fuzzing of every decoder that reads bytes from the network or the disk: request headers,
 * every API's request decoder at every version in SUPPORTED, RecordBatch (validate + decode, every
 * codec), MessageSet v0/v1 (plain and gzip-wrapped), the chain link protocol, decompression and frame
 * splitting. Inputs are random bytes and mutations (bit flips, truncations, insertions, hostile length
 * fields) of valid encodings: the samples in ../protocol/codecs.ts and frames captured from kcat/kafkajs.
 * The contract each is held to is in harness.ts.
 */
import test from 'ava';
import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import zlib from 'node:zlib';
import { SUPPORTED } from '../../src/protocol/api-keys.ts';
import { decodeRequestHeader } from '../../src/protocol/header.ts';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';
import { decodeRecordBatch, encodeRecordBatch, validateBatch } from '../../src/protocol/record-batch.ts';
import { decodeMessageSet, encodeMessageSet } from '../../src/protocol/message-set.ts';
import { Compression, compress, decompress, initCompression, type CompressionName } from '../../src/protocol/compression.ts';
import { FrameDecoder, encodeFrame } from '../../src/protocol/frame.ts';
import { decodeHello, decodeLinkMessage, encodeHello, encodeLinkMessage, type LinkMessage } from '../../src/chain/link-protocol.ts';
import { DecodeError } from '../../src/protocol/errors.ts';
import { ALL } from '../protocol/codecs.ts';
import { fixtures } from '../protocol/fixtures.ts';
import { counts, describe, fuzz, inputs, mutated, randomBytes } from './harness.ts';

const RUNS_PER_VERSION = 1500;

test.before(async () => {
  await initCompression();
});

/** Captured request frames (header + body, no size prefix). */
const capturedFrames = fixtures.flatMap(([, f]) => f.frames.map((fr) => ({ apiKey: fr.apiKey, apiVersion: fr.apiVersion, bytes: Buffer.from(fr.hex, 'hex') })));

test('request header: random and mutated captured frames', (t) => {
  const seeds = capturedFrames.map((f) => f.bytes);
  const o = fuzz('request header', inputs(seeds), decodeRequestHeader, {
    numRuns: 20_000,
    valid: (h, input) => {
      if (h.bodyOffset < 8 || h.bodyOffset > input.length) throw new Error(`body offset ${h.bodyOffset} outside the frame`);
    },
  });
  t.log(describe('request header', o));
  t.true(o.decoded > 0 && o.rejected > 0, 'inputs reached both outcomes');
});

for (const c of ALL) {
  const range = SUPPORTED[c.apiKey]!;
  for (let v = range.min; v <= range.max; v++) {
    test(`${c.name} v${v} request decoder: random and mutated encodings`, (t) => {
      const seeds: Buffer[] = [];
      const w = new Writer();
      c.encodeRequest(w, v, c.request(v));
      seeds.push(Buffer.from(w.toBuffer()));
      for (const f of capturedFrames) {
        if (f.apiKey !== c.apiKey || f.apiVersion !== v) continue;
        seeds.push(f.bytes.subarray(decodeRequestHeader(f.bytes).bodyOffset));
      }
      const o = fuzz(`${c.name} v${v}`, inputs(seeds), (b) => c.decodeRequest(new Reader(b), v), {
        numRuns: RUNS_PER_VERSION,
        // A decoded request is well-formed: the encoder accepts it back.
        valid: (req) => c.encodeRequest(new Writer(), v, req),
      });
      t.log(describe(`${c.name} v${v}`, o));
      t.true(o.decoded > 0, 'some inputs decoded');
    });
  }
}

test('whole request frames as the router decodes them: header then body', (t) => {
  const o = fuzz('frame header+body', mutated(capturedFrames.map((f) => f.bytes)), (b) => {
    const h = decodeRequestHeader(b);
    const c = ALL.find((x) => x.apiKey === h.apiKey);
    return h.supported && c ? c.decodeRequest(new Reader(b, h.bodyOffset), h.apiVersion) : h;
  }, { numRuns: 20_000 });
  t.log(describe('frame header+body', o));
  t.true(o.decoded > 0);
});

const CODECS: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

function sampleBatches(): Buffer[] {
  return CODECS.map((compression, i) => encodeRecordBatch({
    baseOffset: i * 10,
    compression,
    timestamp: 1_700_000_000_000,
    producerId: 42, producerEpoch: 1, baseSequence: 7,
    records: [
      { key: 'k', value: 'hello', headers: [{ key: 'h', value: 'v' }] },
      { key: null, value: Buffer.alloc(300, i) },
      { value: null },
    ],
  }));
}

test('RecordBatch: validateBatch then decodeRecordBatch, every codec', (t) => {
  const seeds = sampleBatches();
  const o = fuzz('RecordBatch', inputs(seeds), (b) => {
    validateBatch(b, 0);
    return decodeRecordBatch(b, 1024 * 1024);
  }, {
    numRuns: 20_000,
    valid: (batch) => {
      if (batch.records.length !== batch.header.recordsCount) throw new Error('record count mismatch');
    },
  });
  t.log(describe('RecordBatch', o));
  t.true(o.decoded > 0 && o.rejected > 0);
});

test('RecordBatch decode without a CRC check (what Fetch-side down-conversion sees)', (t) => {
  const o = fuzz('RecordBatch (no CRC)', inputs(sampleBatches()), (b) => decodeRecordBatch(b, 1024 * 1024), { numRuns: 20_000 });
  t.log(describe('RecordBatch (no CRC)', o));
  t.true(o.decoded > 0 && o.rejected > 0);
});

/** A magic-1 wrapper message whose value is the gzip of an inner message set (how old clients compress). */
function gzipWrapper(): Buffer {
  const inner = encodeMessageSet([{ offset: 0, timestamp: 5, key: null, value: Buffer.from('in-1') }, { offset: 1, timestamp: 6, key: Buffer.from('k'), value: Buffer.from('in-2') }], 1);
  const outer = encodeMessageSet([{ offset: 1, timestamp: 6, key: null, value: zlib.gzipSync(inner) }], 1);
  outer[17] = Compression.gzip; // attributes: after offset(8) size(4) crc(4) magic(1)
  outer.writeUInt32BE(crc32(outer.subarray(16)), 12);
  return outer;
}

test('MessageSet v0/v1, plain and gzip-wrapped', (t) => {
  const recs = [
    { offset: 0, timestamp: 1, key: Buffer.from('k'), value: Buffer.from('v') },
    { offset: 1, timestamp: 2, key: null, value: Buffer.alloc(40, 1) },
  ];
  const seeds = [encodeMessageSet(recs, 0), encodeMessageSet(recs, 1), gzipWrapper()];
  t.is(decodeMessageSet(seeds[2]!).records.length, 2, 'the wrapper seed is valid');
  let flip = false;
  const o = fuzz('MessageSet', inputs(seeds), (b) => decodeMessageSet(b, { allowTruncatedTail: (flip = !flip), maxDecompressedBytes: 1024 * 1024 }), { numRuns: 20_000 });
  t.log(describe('MessageSet', o));
  t.true(o.decoded > 0 && o.rejected > 0);
});

// A function: sample batches need initCompression() (zstd), which test.before awaits.
const linkMessages = (): LinkMessage[] => [
  { type: 'append', epoch: 3, topic: 'orders', partition: 2, partitionCount: 3, batches: sampleBatches()[0]! },
  { type: 'truncate', epoch: 3, topic: 'orders', partition: 0, offset: 1234567890123 },
  { type: 'create', epoch: 3, topic: 'new', partitionCount: 6, topicId: Buffer.from('7b3c9d2e4f5a6b7c8d9e0f1a2b3c4d5e', 'hex') },
  { type: 'delete', epoch: 3, topic: 'old' },
  { type: 'ping' },
  { type: 'state', epoch: 7, topics: [{ topic: 'a', partitionCount: 2, partitions: [{ partition: 0, logEnd: 10, hwm: 8 }, { partition: 1, logEnd: 0, hwm: 0 }] }] },
  { type: 'ack', epoch: 3, acks: [{ topic: 'a', partition: 1, hwm: 99 }, { topic: 'b', partition: 0, hwm: 3 }] },
  { type: 'pong', chainReady: true, tail: 'vg-2' },
  { type: 'error', errorCode: 74, message: 'stale epoch 3; current epoch 5', epoch: 5 },
];

test('chain link messages and Hello', (t) => {
  const seeds = linkMessages().map((m) => Buffer.from(encodeLinkMessage(m)));
  const o = fuzz('link message', inputs(seeds), decodeLinkMessage, {
    numRuns: 20_000,
    valid: (m) => void encodeLinkMessage(m),
  });
  const w = new Writer();
  encodeHello(w, { epoch: 4, from: 'vg-0', to: 'vg-1' });
  const h = fuzz('link hello', inputs([Buffer.from(w.toBuffer())]), (b) => decodeHello(new Reader(b)), { numRuns: 5_000 });
  t.log(describe('link message', o));
  t.log(describe('link hello', h));
  t.true(o.decoded > 0 && o.rejected > 0);
});

for (const name of CODECS.filter((c) => c !== 'none')) {
  test(`decompress ${name}: random and mutated compressed data, capped output`, (t) => {
    const code = Compression[name];
    const seeds = [Buffer.from('hello hello hello hello'), Buffer.alloc(5000, 7), Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 31) & 0xff))]
      .map((d) => compress(code, d));
    const o = fuzz(`decompress ${name}`, inputs(seeds), (b) => decompress(code, b, 64 * 1024), {
      numRuns: 5_000,
      valid: (out) => {
        if (out.length > 64 * 1024) throw new Error(`output of ${out.length} bytes past the cap`);
      },
    });
    t.log(describe(`decompress ${name}`, o));
    t.true(o.decoded > 0 && o.rejected > 0);
  });

  test(`decompress ${name}: a bomb (16 MiB of zeros) is refused past the cap without growing memory`, (t) => {
    const code = Compression[name];
    const bomb = compress(code, Buffer.alloc(16 * 1024 * 1024));
    const before = process.memoryUsage().arrayBuffers;
    t.throws(() => decompress(code, bomb, 1024 * 1024), { instanceOf: DecodeError });
    t.true(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
  });
}

test('FrameDecoder: random chunkings of random and mutated streams', (t) => {
  const stream = Buffer.concat(capturedFrames.slice(0, 6).map((f) => encodeFrame(f.bytes)));
  const arb = fc.tuple(fc.oneof(mutated([stream]), randomBytes([stream])), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 16 }));
  let runs = 0;
  const o = fuzz('FrameDecoder', arb.map(([bytes, cuts]) => Buffer.concat([Buffer.from([cuts.length]), Buffer.from(cuts), bytes])), (b) => {
    runs++;
    const n = b[0]!;
    const cuts = [...b.subarray(1, 1 + n)];
    const bytes = b.subarray(1 + n);
    const d = new FrameDecoder(4096);
    let frames = 0;
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const len = cuts[i % cuts.length]!;
      for (const f of d.push(bytes.subarray(at, at + len))) {
        if (f.length > 4096) throw new Error('frame beyond the max size');
        frames++;
      }
      at += len;
    }
    if (d.bufferedBytes > 4096 + 4) throw new Error(`decoder holds ${d.bufferedBytes} bytes`);
    return frames;
  }, { numRuns: 10_000 });
  t.log(describe('FrameDecoder', o));
  t.is(runs, o.runs);
});

test.after('fuzz counts', (t) => {
  let total = 0;
  for (const [, o] of counts) total += o.runs;
  t.log(`${counts.size} decoders, ${total} inputs in all`);
});
