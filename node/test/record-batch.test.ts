import test from 'ava';
import {
  encodeRecordBatch, decodeRecordBatch, decodeRecordBatches, validateBatch, batchProblem, batchPositions,
  readBatchHeader, setBaseOffset, setPartitionLeaderEpoch, batchLastOffset, walkBatches, wholeBatchesLength,
  BATCH_LENGTH_AT, type BatchBytes,
} from '../src/protocol/record-batch.ts';
import { initCompression, compress, decompress, Compression } from '../src/protocol/compression.ts';
import { KafkaError, DecodeError } from '../src/protocol/errors.ts';
import * as snappy from 'snappy';
import * as zlib from 'node:zlib';

test.before(async () => {
  await initCompression();
});

const T0 = 1_700_000_000_000;

test('round trip keeps keys, values, headers and timestamps (null key, empty value, unicode headers)', (t) => {
  const buf = encodeRecordBatch({
    baseOffset: 42,
    records: [
      { key: null, value: 'first', timestamp: T0 },
      { key: 'k2', value: Buffer.alloc(0), timestamp: T0 - 5, headers: [{ key: 'ünïcødé 🦀', value: 'välue' }, { key: 'nil', value: null }] },
      { key: Buffer.from([0, 1, 2]), value: null, timestamp: T0 + 1000 },
    ],
  });
  t.is(validateBatch(buf), buf.length);
  const { header, records } = decodeRecordBatch(buf);
  t.is(header.baseOffset, 42);
  t.is(header.lastOffsetDelta, 2);
  t.is(header.recordsCount, 3);
  t.is(header.maxTimestamp, T0 + 1000);
  t.is(header.baseTimestamp, T0);
  t.is(header.magic, 2);
  t.is(header.producerId, -1);
  t.deepEqual(records.map((r) => r.offset), [42, 43, 44]);
  t.deepEqual(records.map((r) => r.timestamp), [T0, T0 - 5, T0 + 1000]);
  t.is(records[0]!.key, null);
  t.is(records[0]!.value!.toString(), 'first');
  t.is(records[1]!.key!.toString(), 'k2');
  t.is(records[1]!.value!.length, 0);
  t.deepEqual(records[1]!.headers, [{ key: 'ünïcødé 🦀', value: Buffer.from('välue') }, { key: 'nil', value: null }]);
  t.deepEqual(records[2]!.key, Buffer.from([0, 1, 2]));
  t.is(records[2]!.value, null);
});

for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`${codec} batches decode to the records they were made from`, (t) => {
    const records = Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value: `value ${i} `.repeat(20), timestamp: T0 + i }));
    const buf = encodeRecordBatch({ records, compression: codec, baseOffset: 7 });
    validateBatch(buf);
    const h = readBatchHeader(buf);
    t.is(h.compression, codec);
    t.true(buf.length < 500 * 150, 'compressed smaller than the input');
    const out = decodeRecordBatch(buf);
    t.is(out.records.length, 500);
    t.is(out.records[499]!.offset, 506);
    t.is(out.records[123]!.value!.toString(), `value 123 `.repeat(20));
    t.is(out.records[123]!.timestamp, T0 + 123);
  });
}

test('snappy accepts raw blocks (librdkafka) as well as xerial framing (Kafka Java)', (t) => {
  const data = Buffer.from('hello snappy '.repeat(10_000));
  const xerial = compress(Compression.snappy, data);
  t.deepEqual(xerial.subarray(0, 8), Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]));
  t.deepEqual(decompress(Compression.snappy, xerial), data);
  t.deepEqual(decompress(Compression.snappy, snappy.compressSync(data)), data);
});

test('decompression refuses output beyond the cap (zip bomb)', (t) => {
  const bomb = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024));
  t.throws(() => decompress(Compression.gzip, bomb, 1024 * 1024), { instanceOf: DecodeError });
  for (const code of [Compression.snappy, Compression.lz4, Compression.zstd]) {
    const packed = compress(code, Buffer.alloc(4 * 1024 * 1024));
    t.throws(() => decompress(code, packed, 1024 * 1024), { instanceOf: DecodeError }, `codec ${code}`);
    t.is(decompress(code, packed).length, 4 * 1024 * 1024);
  }
  t.throws(() => decompress(Compression.gzip, Buffer.from('not gzip at all')), { instanceOf: DecodeError });
});

test('validateBatch rejects a flipped bit, a bad magic and a truncated batch with CORRUPT_MESSAGE', (t) => {
  const good = encodeRecordBatch({ records: [{ value: 'x' }, { value: 'y' }] });
  const flipped = Buffer.from(good);
  flipped[good.length - 2]! ^= 0x01;
  t.throws(() => validateBatch(flipped), { instanceOf: KafkaError, message: /CRC/ });
  const magic = Buffer.from(good);
  magic[16] = 1;
  const err = t.throws(() => validateBatch(magic), { instanceOf: KafkaError });
  t.is(err.codeName, 'CORRUPT_MESSAGE');
  t.regex(batchProblem(good.subarray(0, good.length - 1), 0)!, /truncated/);
  t.regex(batchProblem(good.subarray(0, 5), 0)!, /bytes left/);
});

test('patching base offset and leader epoch keeps the CRC valid', (t) => {
  const buf = encodeRecordBatch({ records: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
  setBaseOffset(buf, 0, 1_000_000_000_123);
  setPartitionLeaderEpoch(buf, 0, 17);
  t.is(batchProblem(buf, 0), null);
  const h = readBatchHeader(buf);
  t.is(h.baseOffset, 1_000_000_000_123);
  t.is(h.partitionLeaderEpoch, 17);
  t.is(batchLastOffset(buf, 0), 1_000_000_000_125);
  t.is(decodeRecordBatch(buf).records[2]!.offset, 1_000_000_000_125);
});

test('batch iteration yields whole batches and stops at a partial trailing batch', (t) => {
  const a = encodeRecordBatch({ baseOffset: 0, records: [{ value: 'a' }] });
  const b = encodeRecordBatch({ baseOffset: 1, records: [{ value: 'b' }, { value: 'bb' }] });
  const c = encodeRecordBatch({ baseOffset: 3, records: [{ value: 'c' }] });
  const all = Buffer.concat([a, b, c.subarray(0, c.length - 3)]);
  t.deepEqual([...batchPositions(all)], [{ position: 0, size: a.length }, { position: a.length, size: b.length }]);
  t.deepEqual([...decodeRecordBatches(all)].flatMap((x) => x.records.map((r) => r.value!.toString())), ['a', 'b', 'bb']);
  t.deepEqual([...batchPositions(all.subarray(0, 7))], []);
});

test('the batch walker reads a buffer and a windowed source alike and stops at a partial batch, a bad length or when told', (t) => {
  const a = encodeRecordBatch({ baseOffset: 0, records: [{ value: 'a' }] });
  const b = encodeRecordBatch({ baseOffset: 1, records: [{ value: 'b' }, { value: 'bb' }] });
  const c = encodeRecordBatch({ baseOffset: 3, records: [{ value: 'c' }] });
  const all = Buffer.concat([a, b, c.subarray(0, c.length - 3)]);
  // A source that, like a file window, hands out views of copied bytes at a different index.
  const views: number[] = [];
  const windowed: BatchBytes = {
    view: (position, length) => {
      views.push(length);
      return position + length > all.length ? null : { buf: Buffer.concat([Buffer.alloc(5), all.subarray(position, position + length)]), at: 5 };
    },
  };
  for (const src of [all, windowed]) {
    const seen: number[] = [];
    const end = walkBatches(src, 0, all.length, (position, size, buf, at) => {
      seen.push(batchLastOffset(buf, at));
      t.is(size, position === 0 ? a.length : b.length);
    });
    t.deepEqual(seen, [0, 2]);
    t.is(end, a.length + b.length);
    t.is(walkBatches(src, 0, all.length, () => false), 0, 'visit returning false stops before that batch');
  }
  t.true(views.every((n) => n === 61), 'header views unless whole batches are asked for');
  walkBatches(windowed, 0, all.length, (_p, size, buf, at) => t.is(validateBatch(buf, at, at + size), size), { whole: true });
  t.is(wholeBatchesLength(all), a.length + b.length);
  const badLength = Buffer.from(all);
  badLength.writeInt32BE(3, a.length + BATCH_LENGTH_AT);
  t.is(wholeBatchesLength(badLength), a.length, 'a length below the header size ends the walk');
});

test('LogAppendTime batches give every record the max timestamp', (t) => {
  const buf = encodeRecordBatch({ logAppendTime: true, records: [{ value: 'a', timestamp: T0 }, { value: 'b', timestamp: T0 + 9 }] });
  const { header, records } = decodeRecordBatch(buf);
  t.true(header.logAppendTime);
  t.deepEqual(records.map((r) => r.timestamp), [T0 + 9, T0 + 9]);
});

test('hostile record counts and lengths are DecodeErrors, not allocations', (t) => {
  const buf = encodeRecordBatch({ records: [{ value: 'a' }] });
  const bad = Buffer.from(buf);
  bad.writeInt32BE(0x7fffffff, 57);
  t.throws(() => decodeRecordBatch(bad), { instanceOf: DecodeError });
  const badLen = Buffer.from(buf);
  badLen[61] = 0x7e; // record length varint 63: beyond the batch
  t.throws(() => decodeRecordBatch(badLen), { instanceOf: DecodeError });
});
