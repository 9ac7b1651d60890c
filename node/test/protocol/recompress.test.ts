/**
 * compression.type on the broker side: every data batch is stored in the topic's codec whatever the
 * producer used, with its header fields (offsets, timestamps, producer id/epoch/sequence, transactional
 * bit) and records unchanged; control batches and batches already in that codec are left alone.
 */
import test from 'ava';
import { Compression, initCompression, type CompressionName } from '../../src/protocol/compression.ts';
import { decodeRecordBatches, encodeRecordBatch, readBatchHeader, validateBatch } from '../../src/protocol/record-batch.ts';
import { recompressBatches, topicCodec } from '../../src/protocol/recompress.ts';

test.before(async () => {
  await initCompression();
});

const CODECS: CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const records = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `value ${i} `.repeat(20), headers: [{ key: 'h', value: `${i}` }], timestamp: 1_700_000_000_000 + i }));

for (const from of CODECS) {
  for (const to of CODECS) {
    test(`a ${from} batch stored as ${to} keeps its header fields and records`, (t) => {
      const batch = encodeRecordBatch({ records, compression: from, producerId: 42, producerEpoch: 3, baseSequence: 7, transactional: true, partitionLeaderEpoch: 5 });
      const out = recompressBatches(batch, Compression[to]);
      t.is(validateBatch(out), out.length, 'one valid batch with a correct CRC');
      const [before, after] = [readBatchHeader(batch), readBatchHeader(out)];
      t.is(after.compression, to);
      const { compression: _a, attributes: _b, batchLength: _c, crc: _d, ...keptAfter } = after;
      const { compression: _e, attributes: _f, batchLength: _g, crc: _h, ...keptBefore } = before;
      t.deepEqual(keptAfter, keptBefore);
      t.is(after.attributes & ~0x07, before.attributes & ~0x07, 'only the codec bits change');
      t.deepEqual([...decodeRecordBatches(out)][0]!.records, [...decodeRecordBatches(batch)][0]!.records);
      if (from === to) t.is(out, batch, 'already in the codec: the same buffer');
    });
  }
}

test('several batches: only those in another codec change; control batches never', (t) => {
  const control = encodeRecordBatch({ records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], control: true, transactional: true, producerId: 9 });
  const lz4 = encodeRecordBatch({ records: records.slice(0, 3), compression: 'lz4' });
  const gzip = encodeRecordBatch({ records: records.slice(3, 6), compression: 'gzip' });
  const out = recompressBatches(Buffer.concat([control, lz4, gzip]), Compression.lz4);
  const headers = [...decodeRecordBatches(out)].map((b) => b.header);
  t.deepEqual(headers.map((h) => h.compression), ['none', 'lz4', 'lz4']);
  t.true(out.subarray(0, control.length).equals(control));
  t.true(out.subarray(control.length, control.length + lz4.length).equals(lz4));
});

test('compression.type names map to Kafka codecs; producer keeps the producer\'s', (t) => {
  t.is(topicCodec('producer'), null);
  t.is(topicCodec('uncompressed'), Compression.none);
  t.is(topicCodec('zstd'), Compression.zstd);
  t.throws(() => topicCodec('brotli'));
});

test('a corrupt batch is refused, not re-sealed', (t) => {
  const batch = encodeRecordBatch({ records: records.slice(0, 2), compression: 'gzip' });
  batch[batch.length - 1]! ^= 0xff;
  t.throws(() => recompressBatches(batch, Compression.lz4), { message: /CRC/ });
});
