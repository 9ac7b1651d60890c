import test from 'ava';
import { encodeRecordBatch, recordCount } from '../../src/protocol/record-batch.ts';

test('recordCount sums the records of whole batches from their headers and ignores a partial trailing batch header', (t) => {
  const batch = (n: number, compression?: 'gzip') => encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `v${i}` })), ...(compression ? { compression } : {}) });
  const three = Buffer.concat([batch(1), batch(7), batch(100, 'gzip')]);
  t.is(recordCount(three), 108);
  t.is(recordCount(Buffer.concat([three, batch(5).subarray(0, 40)])), 108);
  t.is(recordCount(Buffer.alloc(0)), 0);
});
