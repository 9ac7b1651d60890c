import test from 'ava';
import { createRequire } from 'node:module';
import { crc32, gzipSync } from 'node:zlib';
import { DecodeError, KafkaError } from '../../src/protocol/errors.ts';
import { decodeMessageSet, encodeMessageSet, recordsMagic, type MessageSetRecord } from '../../src/protocol/message-set.ts';
import { Writer } from '../../src/protocol/writer.ts';
import { decodeRecordBatches } from '../../src/protocol/record-batch.ts';
import { toRecordBatch } from '../../src/server/down-convert.ts';

const require = createRequire(import.meta.url);
/** kafkajs's own MessageSet encoder: an independent implementation to compare bytes with. */
const kafkajsMessageSet = require('kafkajs/src/protocol/messageSet') as (o: {
  messageVersion: number; compression?: number; entries: { key: Buffer | null; value: Buffer | null; timestamp?: number }[];
}) => { buffer: Buffer };

const records: MessageSetRecord[] = [
  { offset: -1, timestamp: 1_700_000_000_000, key: Buffer.from('k1'), value: Buffer.from('hello') },
  { offset: -1, timestamp: 1_700_000_000_001, key: null, value: Buffer.from('world') },
  { offset: -1, timestamp: 1_700_000_000_002, key: Buffer.from('k3'), value: null },
];
const v0 = (rs: MessageSetRecord[]): MessageSetRecord[] => rs.map((r) => ({ ...r, timestamp: -1 }));

test('uncompressed magic 0 and 1 match kafkajs byte for byte and decode back', (t) => {
  for (const magic of [0, 1] as const) {
    const ours = encodeMessageSet(magic === 0 ? v0(records) : records, magic);
    const theirs = kafkajsMessageSet({ messageVersion: magic, compression: 0, entries: records }).buffer;
    t.deepEqual(ours, theirs, `magic ${magic}`);
    const d = decodeMessageSet(ours);
    t.is(d.magic, magic);
    t.is(d.codec, 0);
    t.deepEqual(d.records, magic === 0 ? v0(records) : records);
    t.is(recordsMagic(ours), magic);
  }
});

test('message v0 layout: crc over magic..end', (t) => {
  const buf = encodeMessageSet([{ offset: 5, timestamp: -1, key: null, value: Buffer.from('a') }], 0);
  const body = Buffer.from('00' + '00' + 'ffffffff' + '00000001' + '61', 'hex');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  t.deepEqual(buf, Buffer.concat([Buffer.from('0000000000000005' + '0000000f', 'hex'), crc, body]));
});

/** A compressed wrapper as Kafka's 0.10 producer builds it: relative inner offsets, wrapper at the last one. */
function gzipWrapper(magic: 0 | 1, wrapperOffset: number, inner: MessageSetRecord[], attributes = 1): Buffer {
  const innerSet = encodeMessageSet(inner.map((r, i) => ({ ...r, offset: i })), magic);
  const w = new Writer();
  w.int64(wrapperOffset);
  const sizeAt = w.reserveInt32();
  const crcAt = w.reserveInt32();
  const start = w.offset;
  w.int8(magic).int8(attributes);
  if (magic === 1) w.int64(1_800_000_000_000);
  w.nullableBytes(null).nullableBytes(gzipSync(innerSet));
  w.patchInt32(sizeAt, w.offset - crcAt);
  w.patchInt32(crcAt, crc32(w.toBuffer().subarray(start)) | 0);
  return Buffer.from(w.toBuffer());
}

test('gzip wrapper, magic 1: inner relative offsets become absolute', (t) => {
  const d = decodeMessageSet(gzipWrapper(1, 12, records));
  t.is(d.codec, 1);
  t.deepEqual(d.records.map((r) => r.offset), [10, 11, 12]);
  t.deepEqual(d.records.map((r) => r.value?.toString() ?? null), ['hello', 'world', null]);
  t.deepEqual(d.records.map((r) => r.timestamp), records.map((r) => r.timestamp));
});

test('gzip wrapper with LogAppendTime gives every inner record the wrapper timestamp', (t) => {
  const d = decodeMessageSet(gzipWrapper(1, 2, records, 1 | 0x08));
  t.is(d.timestampType, 1);
  t.deepEqual(d.records.map((r) => r.timestamp), [1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000]);
});

test('gzip wrapper, magic 0: inner offsets are taken as written', (t) => {
  const d = decodeMessageSet(gzipWrapper(0, 0, v0(records)));
  t.deepEqual(d.records.map((r) => r.offset), [0, 1, 2]);
  t.is(d.magic, 0);
});

test('a flipped byte fails the CRC with CORRUPT_MESSAGE', (t) => {
  const buf = encodeMessageSet(records, 1);
  buf[buf.length - 1] ^= 0x01;
  const err = t.throws(() => decodeMessageSet(buf), { instanceOf: KafkaError });
  t.is(err?.codeName, 'CORRUPT_MESSAGE');
});

test('a truncated tail is dropped only when allowed', (t) => {
  const buf = encodeMessageSet(records, 1);
  const cut = buf.subarray(0, buf.length - 3);
  t.throws(() => decodeMessageSet(cut), { instanceOf: KafkaError });
  const d = decodeMessageSet(cut, { allowTruncatedTail: true });
  t.true(d.truncated);
  t.is(d.records.length, 2);
});

test('magic 2 data is refused as a DecodeError', (t) => {
  const buf = encodeMessageSet(records, 1);
  buf[16] = 2;
  t.throws(() => decodeMessageSet(buf), { instanceOf: DecodeError });
});

test('a huge message_size allocates nothing', (t) => {
  const buf = Buffer.from('0000000000000000' + '7fffffff' + '00'.repeat(20), 'hex');
  t.throws(() => decodeMessageSet(buf), { instanceOf: KafkaError });
  t.true(decodeMessageSet(buf, { allowTruncatedTail: true }).truncated);
});

test('a magic 0 MessageSet (no timestamps) is stored as RecordBatch v2 with NO_TIMESTAMP (-1), as Kafka; magic 1 keeps its timestamps', (t) => {
  const v2 = (magic: 0 | 1) => [...decodeRecordBatches(toRecordBatch(encodeMessageSet(magic === 0 ? v0(records) : records, magic)))];
  const [fromV0] = v2(0);
  t.deepEqual(fromV0!.records.map((r) => r.timestamp), [-1, -1, -1]);
  t.is(fromV0!.header.maxTimestamp, -1);
  t.deepEqual(v2(1)[0]!.records.map((r) => r.timestamp), records.map((r) => r.timestamp));
});
