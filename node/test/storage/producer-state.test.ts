import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { encodeMarkerBatch } from '../../src/protocol/control-record.ts';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vg-producer-'));
}

const batch = (producerId: number, producerEpoch: number, baseSequence: number, values: string[]) =>
  encodeRecordBatch({ records: values.map((value) => ({ value })), producerId, producerEpoch, baseSequence });

test('a retried idempotent batch gets its original offsets and is stored once', (t) => {
  const dir = tmp();
  const log = PartitionLog.open({ dir });
  t.deepEqual(log.append(batch(7, 0, 0, ['a', 'b'])).baseOffset, 0);
  t.deepEqual(log.append(batch(7, 0, 2, ['c'])).baseOffset, 2);
  const retry = log.append(batch(7, 0, 0, ['a', 'b']));
  t.true(retry.duplicate);
  t.is(retry.baseOffset, 0);
  t.is(retry.lastOffset, 1);
  t.is(log.logEndOffset, 3);
  log.close();
  fs.rmSync(dir, { recursive: true });
});

test('a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER and an older epoch INVALID_PRODUCER_EPOCH; nothing is stored', (t) => {
  const dir = tmp();
  const log = PartitionLog.open({ dir });
  log.append(batch(9, 3, 0, ['a']));
  t.throws(() => log.append(batch(9, 3, 5, ['x'])), { message: /expected 1/ });
  t.throws(() => log.append(batch(9, 2, 1, ['x'])), { message: /older than 3/ });
  t.is(log.logEndOffset, 1);
  t.is(log.append(batch(9, 4, 0, ['new epoch'])).baseOffset, 1);
  log.close();
  fs.rmSync(dir, { recursive: true });
});

test('producer state is rebuilt from the log after a reopen and after replication', (t) => {
  const dir = tmp();
  const log = PartitionLog.open({ dir });
  log.append(batch(11, 0, 0, ['a', 'b', 'c']));
  log.close();
  const reopened = PartitionLog.open({ dir });
  t.true(reopened.append(batch(11, 0, 0, ['a', 'b', 'c'])).duplicate);
  t.is(reopened.append(batch(11, 0, 3, ['d'])).baseOffset, 3);

  const replicaDir = tmp();
  const replica = PartitionLog.open({ dir: replicaDir });
  replica.appendReplicated(reopened.read(0, { maxBytes: 1 << 20, maxOffset: reopened.logEndOffset }).records);
  t.true(replica.append(batch(11, 0, 3, ['d'])).duplicate, 'a new head recognises retries of batches it only replicated');
  reopened.close();
  replica.close();
  fs.rmSync(dir, { recursive: true });
  fs.rmSync(replicaDir, { recursive: true });
});

test('a transaction marker older than the producer\'s epoch in the partition is INVALID_PRODUCER_EPOCH; an equal one (a retry) and a newer one (fencing) are stored', (t) => {
  const dir = tmp();
  const log = PartitionLog.open({ dir });
  const marker = (producerEpoch: number) => encodeMarkerBatch({ producerId: 11, producerEpoch, commit: false, coordinatorEpoch: 1 });
  log.append(encodeRecordBatch({ records: [{ value: 'tx' }], producerId: 11, producerEpoch: 4, baseSequence: 0, transactional: true }));
  t.throws(() => log.append(marker(3)), { message: /epoch 3, older than 4/ });
  t.is(log.logEndOffset, 1, 'the zombie marker was not stored');
  t.is(log.append(marker(4)).baseOffset, 1);
  t.is(log.append(marker(4)).baseOffset, 2, 'a retried marker is harmless');
  t.is(log.append(marker(5)).baseOffset, 3);
  t.throws(() => log.append(batch(11, 4, 1, ['zombie'])), { message: /older than 5/ }, 'the newer marker fenced epoch 4');
  log.close();
  fs.rmSync(dir, { recursive: true });
});
