/**
 * The aborted-transaction index (storage/txn-index.ts) on real segment files: Kafka's 34-byte entry
 * layout, entries appended to the segment that holds the abort marker (with the transaction's first
 * offset from an earlier segment), cut by truncation, removed with their segment, rebuilt or repaired
 * on open, and read back by PartitionLog.abortedTxns across segments.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { decodeAbortedTxns, encodeAbortedTxn, TXN_ENTRY_SIZE } from '../../src/storage/txn-index.ts';
import { segmentFileName, TXN_INDEX_SUFFIX } from '../../src/storage/log-files.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { encodeMarkerBatch } from '../../src/protocol/control-record.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'vg-txnindex-'));
const txnBatch = (producerId: number, seq: number): Buffer =>
  encodeRecordBatch({ records: [{ value: 'v' }], producerId, producerEpoch: 0, baseSequence: seq, transactional: true });
const abort = (producerId: number): Buffer => encodeMarkerBatch({ producerId, producerEpoch: 0, commit: false, coordinatorEpoch: 1 });
const commit = (producerId: number): Buffer => encodeMarkerBatch({ producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 1 });
const indexFile = (dir: string, base: number): string => path.join(dir, segmentFileName(base, TXN_INDEX_SUFFIX));
const entriesOf = (dir: string, base: number) => decodeAbortedTxns(fs.readFileSync(indexFile(dir, base)));

test('one entry is Kafka\'s 34 bytes: version 0, producerId, firstOffset, lastOffset, lastStableOffset (int64 big-endian)', (t) => {
  const entry = { producerId: 1000, firstOffset: 5, lastOffset: 9, lastStableOffset: 10 };
  const bytes = encodeAbortedTxn(entry);
  t.is(TXN_ENTRY_SIZE, 34);
  t.is(bytes.toString('hex'), '0000' + '00000000000003e8' + '0000000000000005' + '0000000000000009' + '000000000000000a');
  t.deepEqual(decodeAbortedTxns(Buffer.concat([bytes, bytes])), [entry, entry]);
  t.is(decodeAbortedTxns(bytes.subarray(0, 33)), null, 'a torn entry makes the file unreadable (rebuilt)');
  const v1 = Buffer.from(bytes);
  v1.writeInt16BE(1, 0);
  t.is(decodeAbortedTxns(v1), null, 'an unknown version too');
});

/** A log whose segments hold one batch each: txn 7 opens at 0, 8 at 1, 7 aborts at 2, 8 commits at 3, 9 at 4, 9 aborts at 5. */
function build(dir: string, readFirst: boolean): PartitionLog {
  const log = PartitionLog.open({ dir, segmentBytes: 100 });
  if (readFirst) log.transactions(); // state loaded before the aborts: the append path writes the entries
  for (const b of [txnBatch(7, 0), txnBatch(8, 0), abort(7), commit(8), txnBatch(9, 0), abort(9)]) log.append(b);
  return log;
}

const ABORT7 = { producerId: 7, firstOffset: 0, lastOffset: 2, lastStableOffset: 1 }; // 8 was still open at 1
const ABORT9 = { producerId: 9, firstOffset: 4, lastOffset: 5, lastStableOffset: 6 };

for (const readFirst of [false, true]) {
  test(`each abort lands in its marker's segment file, first offset from an earlier segment (state ${readFirst ? 'loaded' : 'not loaded'} at the abort)`, (t) => {
    const dir = tmp();
    const log = build(dir, readFirst);
    t.deepEqual(log.segmentBaseOffsets(), [0, 1, 2, 3, 4, 5], 'one batch per segment');
    t.deepEqual(entriesOf(dir, 2), [ABORT7]);
    t.deepEqual(entriesOf(dir, 5), [ABORT9]);
    for (const base of [0, 1, 3, 4]) t.deepEqual(entriesOf(dir, base), [], `segment ${base} has an empty index`);
    t.deepEqual(log.abortedTxns(0, 6), [ABORT7, ABORT9]);
    t.deepEqual(log.abortedTxns(0, 1), [ABORT7], 'a range holding only the start of 7\'s transaction still lists it');
    t.deepEqual(log.abortedTxns(3, 4), [], 'a range between the transactions lists nothing');
    log.close();
    fs.rmSync(dir, { recursive: true });
  });
}

test('truncation cuts the entries at or past the new end; DeleteRecords deletes the segment\'s file (retention drops segments through the same path)', (t) => {
  const dir = tmp();
  const log = build(dir, false);
  log.truncateTo(5);
  t.false(fs.existsSync(indexFile(dir, 5)), 'the truncated segment went with its index');
  t.deepEqual(log.abortedTxns(0, 5), [ABORT7]);
  log.append(txnBatch(10, 0)); // 5: a new segment at the same base gets a fresh, empty index
  t.deepEqual(entriesOf(dir, 5), []);
  log.advanceLogStart(3);
  for (const base of [0, 1, 2]) t.false(fs.existsSync(indexFile(dir, base)), `segment ${base}'s index deleted with it`);
  t.deepEqual(log.abortedTxns(3, 6), []);
  log.close();
  fs.rmSync(dir, { recursive: true });
});

test('on open a missing index is rebuilt from the log, an entry past the end is cut, and a lost entry is re-added on first use', (t) => {
  const dir = tmp();
  build(dir, false).close();
  fs.rmSync(indexFile(dir, 2));
  fs.writeFileSync(indexFile(dir, 5), Buffer.alloc(0)); // as if killed between the marker's write and its entry's
  fs.appendFileSync(indexFile(dir, 4), encodeAbortedTxn({ producerId: 11, firstOffset: 4, lastOffset: 7, lastStableOffset: 8 })); // past the log end
  fs.writeFileSync(indexFile(dir, 99), encodeAbortedTxn(ABORT9)); // no segment 99: an orphan

  const log = PartitionLog.open({ dir, segmentBytes: 100 });
  t.deepEqual(entriesOf(dir, 2), [ABORT7], 'the missing file is rebuilt on open');
  t.deepEqual(entriesOf(dir, 5), [ABORT9], 'the lost entry is re-added by the same scan');
  t.deepEqual(entriesOf(dir, 4), [], 'the entry for a marker the log does not hold is gone');
  t.false(fs.existsSync(indexFile(dir, 99)), 'an index without its log is removed');
  t.deepEqual(log.abortedTxns(0, 6), [ABORT7, ABORT9]);
  log.close();
  fs.rmSync(dir, { recursive: true });
});

test('a torn index is repaired by the scan that precedes the first read of it', (t) => {
  const dir = tmp();
  build(dir, false).close();
  fs.writeFileSync(indexFile(dir, 2), encodeAbortedTxn(ABORT7).subarray(0, 20)); // a torn write
  const log = PartitionLog.open({ dir, segmentBytes: 100 });
  t.deepEqual(log.abortedTxns(0, 3), [ABORT7]);
  t.deepEqual(entriesOf(dir, 2), [ABORT7]);
  log.close();
  fs.rmSync(dir, { recursive: true });
});
