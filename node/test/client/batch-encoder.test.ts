import test from 'ava';
import fc from 'fast-check';
import { encodeBatch } from '../../src/client/batch-encoder.ts';
import { encodeRecordBatch, decodeRecordBatch, validateBatch, type RecordInput } from '../../src/protocol/record-batch.ts';

const bytes = fc.oneof(fc.constant(null), fc.string(), fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)));
const record: fc.Arbitrary<RecordInput> = fc.record({
  key: bytes,
  value: bytes,
  headers: fc.array(fc.record({ key: fc.string(), value: bytes }), { maxLength: 3 }),
  timestamp: fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }),
});

test('the fast encoder writes the same bytes as the reference encoder', (t) => {
  fc.assert(fc.property(fc.array(record, { maxLength: 40 }), fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }), (records, now) => {
    const fast = encodeBatch(records, 'none', now);
    const reference = encodeRecordBatch({ records, timestamp: now });
    t.deepEqual(fast, reference);
    validateBatch(fast);
    t.is(decodeRecordBatch(fast).records.length, records.length);
  }), { numRuns: 300 });
});

test('records without timestamps get `now`, and records with a 300-byte-plus length varint round-trip', (t) => {
  const big = Buffer.alloc(70_000, 7);
  const b = encodeBatch([{ value: big }, { value: 'x', key: 'k' }], 'none', 1_700_000_000_000);
  const [a, x] = decodeRecordBatch(b).records;
  t.is(a!.timestamp, 1_700_000_000_000);
  t.deepEqual(a!.value, big);
  t.is(x!.key!.toString(), 'k');
});
