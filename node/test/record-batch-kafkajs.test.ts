/**
 * Interop with an independent implementation: kafkajs 2.2's RecordBatch encoder and decoder.
 * (The `.log`-file direction lives in storage/kafkajs-log.test.ts.)
 */
import test from 'ava';
import Decoder from 'kafkajs/src/protocol/decoder.js';
import decodeKafkaJSBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder.js';
import { RecordBatch } from 'kafkajs/src/protocol/recordBatch/v0/index.js';
import encodeKafkaJSRecord from 'kafkajs/src/protocol/recordBatch/record/v0/index.js';
import { decodeRecordBatch, encodeRecordBatch, validateBatch } from '../src/protocol/record-batch.ts';

const T0 = 1_700_000_000_000;

for (const [name, compression] of [['uncompressed', 0], ['gzip', 1]] as const) {
  test(`our decoder reads a ${name} batch encoded by kafkajs`, async (t) => {
    const records = Array.from({ length: 50 }, (_, i) =>
      encodeKafkaJSRecord({ offsetDelta: i, timestampDelta: i * 10, key: i % 3 === 0 ? null : `key-${i}`, value: `välue-${i}`, headers: { 'h-ü': `hv${i}` } }));
    const enc = await RecordBatch({ compression, firstTimestamp: T0, maxTimestamp: T0 + 490, lastOffsetDelta: 49, records });
    const buf = enc.buffer;
    t.is(validateBatch(buf), buf.length, 'CRC and framing check out');
    const { header, records: out } = decodeRecordBatch(buf);
    t.is(header.compression, name === 'gzip' ? 'gzip' : 'none');
    t.is(out.length, 50);
    for (let i = 0; i < 50; i++) {
      t.is(out[i]!.offset, i);
      t.is(out[i]!.timestamp, T0 + i * 10);
      t.is(out[i]!.key?.toString() ?? null, i % 3 === 0 ? null : `key-${i}`);
      t.is(out[i]!.value!.toString(), `välue-${i}`);
      t.deepEqual(out[i]!.headers, [{ key: 'h-ü', value: Buffer.from(`hv${i}`) }]);
    }
  });
}

test('kafkajs decodes a batch we encoded', async (t) => {
  const buf = encodeRecordBatch({
    baseOffset: 1000,
    records: [
      { key: null, value: 'a', timestamp: T0, headers: [{ key: 'ħ', value: 'x' }] },
      { key: 'k', value: Buffer.alloc(0), timestamp: T0 + 1 },
    ],
    compression: 'gzip',
  });
  const batch = await decodeKafkaJSBatch(new Decoder(buf));
  t.is(batch.firstOffset, '1000');
  t.deepEqual(batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString()]), [
    ['1000', String(T0), null, 'a'],
    ['1001', String(T0 + 1), 'k', ''],
  ]);
  t.deepEqual(batch.records[0]!.headers, { 'ħ': Buffer.from('x') });
});
