/**
 * A partition's transactions (storage/partition-txns.ts): the last stable offset stops at the first
 * offset of an undecided transaction (one whose marker is missing or not yet under the high watermark),
 * aborted transactions are listed for the ranges they overlap (from the .txnindex files), a marker's newer epoch fences the
 * producer's older one, and the state rebuilt by scanning the log on reopen equals the one kept by appends.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { encodeMarkerBatch } from '../../src/protocol/control-record.ts';
import { KafkaError } from '../../src/protocol/errors.ts';

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'vg-txns-'));
const txnBatch = (producerId: number, epoch: number, seq: number, n: number): Buffer =>
  encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `v${i}` })), producerId, producerEpoch: epoch, baseSequence: seq, transactional: true });
const plain = (): Buffer => encodeRecordBatch({ records: [{ value: 'plain' }] });
const marker = (producerId: number, epoch: number, commit: boolean): Buffer => encodeMarkerBatch({ producerId, producerEpoch: epoch, commit, coordinatorEpoch: 3 });

test('LSO holds at an open transaction, moves once the marker is under the high watermark; aborts are listed by range', (t) => {
  const dir = tmp();
  const log = PartitionLog.open({ dir });
  log.append(plain()); // 0
  log.append(txnBatch(7, 0, 0, 2)); // 1-2 producer 7
  log.append(txnBatch(8, 0, 0, 1)); // 3 producer 8
  log.append(plain()); // 4
  t.is(log.transactions().lastStableOffset(log.logEndOffset), 1, 'producer 7 is open from offset 1');
  log.append(marker(7, 0, false)); // 5: abort 7
  t.is(log.transactions().lastStableOffset(5), 1, 'the abort marker is not under the high watermark yet');
  t.is(log.transactions().lastStableOffset(6), 3, 'then producer 8, still open, holds it');
  log.append(marker(8, 0, true)); // 6: commit 8
  t.is(log.transactions().lastStableOffset(7), 7);
  t.deepEqual(log.abortedTxns(0, 7), [{ producerId: 7, firstOffset: 1, lastOffset: 5, lastStableOffset: 3 }]);
  t.deepEqual(log.abortedTxns(6, 7), [], 'a range after the abort marker lists nothing');
  t.deepEqual(log.abortedTxns(0, 1), [], 'a range before the transaction lists nothing');
  log.append(txnBatch(7, 0, 2, 1)); // 7: producer 7 opens again
  const kept = { lso: log.transactions().lastStableOffset(8), aborted: log.abortedTxns(0, 8), open: log.transactions().openProducers() };
  log.close();

  const reopened = PartitionLog.open({ dir });
  t.deepEqual({ lso: reopened.transactions().lastStableOffset(8), aborted: reopened.abortedTxns(0, 8), open: reopened.transactions().openProducers() }, kept);
  t.is(kept.lso, 7);
  reopened.close();
  fs.rmSync(dir, { recursive: true });
});

test('a marker with a bumped epoch fences the producer\'s older epoch in that partition; truncation forgets undone transactions', (t) => {
  const dir = tmp();
  const log = PartitionLog.open({ dir });
  log.append(txnBatch(9, 0, 0, 1)); // 0
  log.append(marker(9, 1, false)); // 1: the coordinator aborts with epoch 1
  const err = t.throws(() => log.append(txnBatch(9, 0, 1, 1)));
  t.true(err instanceof KafkaError && err.codeName === 'INVALID_PRODUCER_EPOCH');
  t.is(log.append(txnBatch(9, 1, 0, 1)).baseOffset, 2, 'the new epoch starts at sequence 0');
  t.is(log.transactions().lastStableOffset(3), 2);
  log.truncateTo(2);
  t.is(log.transactions().lastStableOffset(2), 2, 'the truncated open transaction is gone');
  t.deepEqual(log.abortedTxns(0, 2), [{ producerId: 9, firstOffset: 0, lastOffset: 1, lastStableOffset: 2 }]);
  log.close();
  fs.rmSync(dir, { recursive: true });
});
