/**
 * PartitionLog.appendMany: the produces one event-loop turn brings for a partition, written together.
 * Each request keeps its own outcome; the group's bytes, indexes and producer state are exactly what
 * appending the accepted requests one by one would leave, across a reopen too.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog, type AppendResult } from '../../src/storage/partition-log.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { tempDir, batch, offsetsAndValues } from './helpers.ts';

const idempotent = (producerId: number, baseSequence: number, values: string[]) =>
  encodeRecordBatch({ records: values.map((value) => ({ value })), producerId, producerEpoch: 0, baseSequence });

function corrupt(buf: Buffer): Buffer {
  const bad = Buffer.from(buf);
  bad[bad.length - 1]! ^= 0xff;
  return bad;
}

test('a group gets contiguous offsets in request order; a corrupt request is refused alone and takes no offsets', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t) });
  log.append(batch(0, 2));
  const results = log.appendMany([batch(2, 3), corrupt(batch(100, 4)), batch(5, 1), batch(6, 2)]);
  t.deepEqual(results[0], { baseOffset: 2, lastOffset: 4, logAppendTime: -1 });
  t.true(results[1] instanceof KafkaError);
  t.is((results[1] as KafkaError).codeName, 'CORRUPT_MESSAGE');
  t.deepEqual(results[2], { baseOffset: 5, lastOffset: 5, logAppendTime: -1 });
  t.deepEqual(results[3], { baseOffset: 6, lastOffset: 7, logAppendTime: -1 });
  t.is(log.logEndOffset, 8);
  const expected = Array.from({ length: 8 }, (_, i) => [i, `v${i}`]);
  t.deepEqual(offsetsAndValues(log.read(0, { maxBytes: 1 << 20 }).records), expected);
  // Reads starting inside the group find their batch (the index saw each request as its own append).
  t.deepEqual(offsetsAndValues(log.read(6, { maxBytes: 1 << 20 }).records), expected.slice(6));
});

test('a group whose every request is refused writes nothing', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir });
  const results = log.appendMany([corrupt(batch(0, 1)), Buffer.alloc(0)]);
  t.true(results.every((r) => r instanceof KafkaError));
  t.is(log.logEndOffset, 0);
  t.is(log.size, 0);
});

test('an idempotent retry inside the same group gets the first copy\'s offsets and is stored once', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t) });
  const first = idempotent(7, 0, ['a', 'b']);
  const retry = idempotent(7, 0, ['a', 'b']);
  const next = idempotent(7, 2, ['c']);
  const gap = idempotent(7, 9, ['z']);
  const results = log.appendMany([first, retry, next, gap]);
  t.deepEqual(results[0], { baseOffset: 0, lastOffset: 1, logAppendTime: -1 });
  t.is((results[1] as AppendResult).duplicate, true);
  t.is((results[1] as AppendResult).baseOffset, 0);
  t.deepEqual(results[2], { baseOffset: 2, lastOffset: 2, logAppendTime: -1 });
  t.is((results[3] as KafkaError).codeName, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
  t.is(log.logEndOffset, 3);
});

test('a grouped log reopens with the same records and indexes as one appended request by request', (t) => {
  const grouped = tempDir(t);
  const single = tempDir(t);
  const requests = () => Array.from({ length: 40 }, (_, i) => batch(i * 3, 3, 200));
  const a = PartitionLog.open({ dir: grouped, segmentBytes: 8 * 1024, indexIntervalBytes: 512 });
  for (let i = 0; i < 40; i += 8) a.appendMany(requests().slice(i, i + 8));
  a.close();
  const b = PartitionLog.open({ dir: single, segmentBytes: 8 * 1024, indexIntervalBytes: 512 });
  for (const r of requests()) b.append(r);
  b.close();
  const reopened = PartitionLog.open({ dir: grouped, segmentBytes: 8 * 1024, indexIntervalBytes: 512, recoverAll: false });
  t.is(reopened.logEndOffset, 120);
  for (const offset of [0, 1, 50, 77, 119]) {
    const got = offsetsAndValues(reopened.read(offset, { maxBytes: 1 << 20 }).records).filter(([o]) => o >= offset);
    t.is(got[0]![0], offset);
  }
  // Rolling decisions differ (a group rolls as a whole), but every segment's .log is whole batches
  // and together they hold the same bytes as the one-by-one log.
  const logBytes = (dir: string) => Buffer.concat(fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => fs.readFileSync(path.join(dir, f))));
  t.deepEqual(logBytes(grouped), logBytes(single));
  reopened.close();
});
