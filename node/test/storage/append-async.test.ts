/**
 * PartitionLog.appendManyAsync: the head's group write with its pwritev on libuv's thread pool. It leaves
 * exactly what appendMany leaves; until its bytes have landed nothing a reader sees moves and every other
 * change to the log is refused; a log closed under it answers NOT_LEADER_OR_FOLLOWER and reopens clean.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { FilePool } from '../../src/storage/file-pool.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { tempDir, batch, offsetsAndValues } from './helpers.ts';

function corrupt(buf: Buffer): Buffer {
  const bad = Buffer.from(buf);
  bad[bad.length - 1]! ^= 0xff;
  return bad;
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof KafkaError ? err.codeName : String(err);
  }
};

test('an async group leaves the same files, offsets and outcomes as a synchronous one', async (t) => {
  const syncLog = PartitionLog.open({ dir: tempDir(t), segmentBytes: 4096 });
  const asyncLog = PartitionLog.open({ dir: tempDir(t), segmentBytes: 4096 });
  for (let round = 0; round < 20; round++) {
    const group = () => [batch(0, 3, 200), corrupt(batch(0, 2, 100)), batch(0, 5, 300)];
    const a = syncLog.appendMany(group());
    const b = await asyncLog.appendManyAsync(group());
    t.deepEqual(b.map((r) => r instanceof KafkaError ? r.codeName : r), a.map((r) => r instanceof KafkaError ? r.codeName : r));
  }
  t.true(asyncLog.segmentCount > 3, 'the groups rolled segments');
  t.deepEqual(asyncLog.segmentBaseOffsets(), syncLog.segmentBaseOffsets());
  for (const name of fs.readdirSync(syncLog.dir).filter((f) => /\.(log|index|timeindex)$/.test(f)).sort()) {
    t.deepEqual(fs.readFileSync(path.join(asyncLog.dir, name)), fs.readFileSync(path.join(syncLog.dir, name)), name);
  }
  t.is(asyncLog.logEndOffset, 160);
  for (const at of [0, 77, 150]) t.deepEqual(asyncLog.read(at, { maxBytes: 1 << 20 }), syncLog.read(at, { maxBytes: 1 << 20 }));
});

test('while a write is in flight, readers see nothing new and every other change is refused', async (t) => {
  const log = PartitionLog.open({ dir: tempDir(t) });
  log.append(batch(0, 2));
  const inFlight = log.appendManyAsync([batch(0, 3, 64 * 1024)]);
  t.is(log.logEndOffset, 2);
  t.is(log.read(2, { maxBytes: 1 << 20 }).records.length, 0);
  t.is(codeOf(() => log.appendMany([batch(0, 1)])), 'NOT_LEADER_OR_FOLLOWER');
  t.is(codeOf(() => log.appendReplicated(encodeRecordBatch({ baseOffset: 2, records: [{ value: 'x' }] }))), 'NOT_LEADER_OR_FOLLOWER');
  t.is(codeOf(() => log.truncateTo(1)), 'NOT_LEADER_OR_FOLLOWER');
  await t.throwsAsync(log.appendManyAsync([batch(0, 1)]), { instanceOf: KafkaError, message: /write in flight/ });
  const [r] = await inFlight;
  t.deepEqual(r, { baseOffset: 2, lastOffset: 4, logAppendTime: -1 });
  t.is(log.logEndOffset, 5);
  t.deepEqual(offsetsAndValues(log.read(0, { maxBytes: 1 << 20 }).records).map(([o]) => o), [0, 1, 2, 3, 4]);
  log.truncateTo(3); // the batch holding 3 goes whole
  t.is(log.logEndOffset, 2);
});

test('a log closed under an in-flight write answers NOT_LEADER_OR_FOLLOWER and reopens whole', async (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir });
  log.append(batch(0, 2));
  const inFlight = log.appendManyAsync([batch(0, 4, 32 * 1024)]);
  log.close();
  const err = await t.throwsAsync(inFlight, { instanceOf: KafkaError });
  t.is(err?.codeName, 'NOT_LEADER_OR_FOLLOWER');
  // The write itself went through a descriptor the close waited for: the bytes are whole batches, and
  // recovery keeps them (never acknowledged, as a crash after a write keeps them).
  const reopened = PartitionLog.open({ dir });
  t.true(reopened.logEndOffset === 2 || reopened.logEndOffset === 6);
  t.deepEqual(offsetsAndValues(reopened.read(0, { maxBytes: 1 << 20 }).records).map(([o]) => o), Array.from({ length: reopened.logEndOffset }, (_, i) => i));
});

test('a failed async write (ENOSPC from /dev/full) stores nothing and moves nothing', async (t) => {
  const dir = tempDir(t);
  const files = new FilePool();
  const log = PartitionLog.open({ dir, files });
  // Every write to /dev/full fails with ENOSPC, in libuv's pool thread as a full disk's would; the
  // segment reopens its file by path once the pool has closed the descriptor.
  const logFile = path.join(dir, '00000000000000000000.log');
  fs.rmSync(logFile);
  fs.symlinkSync('/dev/full', logFile);
  files.closeIdle(0, Date.now() + 1);
  const idempotent = encodeRecordBatch({ records: [{ value: 'a' }], producerId: 7, producerEpoch: 0, baseSequence: 0 });
  await t.throwsAsync(log.appendManyAsync([idempotent]), { code: 'ENOSPC' });
  t.is(log.logEndOffset, 0);
  t.is(log.read(0, { maxBytes: 1 << 20 }).records.length, 0);
  // The refused write's producer sequence was forgotten: a retry is new, not a duplicate.
  await t.throwsAsync(log.appendManyAsync([idempotent]), { code: 'ENOSPC' });
  t.is(log.producers.size, 0);
});
