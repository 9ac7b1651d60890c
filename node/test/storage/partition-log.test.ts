import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { batchPositions, readBatchHeader, encodeRecordBatch, setBaseOffset } from '../../src/protocol/record-batch.ts';
import { tempDir, batch, offsetsAndValues, T0 } from './helpers.ts';
import { prng } from '../../../e2e/lib/prng.ts';

/** Appends `batches` batches of `per` records each; returns the log. */
function filled(dir: string, batches: number, per: number, opts: Parameters<typeof PartitionLog.open>[0] extends infer O ? Partial<O> : never = {}, valueBytes = 100): PartitionLog {
  const log = PartitionLog.open({ dir, ...opts });
  for (let b = 0; b < batches; b++) log.append(batch(b * per, per, valueBytes));
  return log;
}

/** Every record from `offset` to the end, following reads across segments. */
function readAll(log: PartitionLog, from = log.logStartOffset): [number, string][] {
  const out: [number, string][] = [];
  let offset = from;
  while (offset < log.highWatermark) {
    const { records } = log.read(offset, { maxBytes: 64 * 1024 });
    const got = offsetsAndValues(records).filter(([o]) => o >= offset);
    if (got.length === 0) throw new Error(`no progress at ${offset}`);
    out.push(...got);
    offset = got[got.length - 1]![0] + 1;
  }
  return out;
}

test('append assigns offsets from the log end and read returns the batches', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t) });
  t.deepEqual(log.append(batch(0, 3)), { baseOffset: 0, lastOffset: 2, logAppendTime: -1 });
  t.deepEqual(log.append(Buffer.concat([batch(3, 2), batch(5, 4)])), { baseOffset: 3, lastOffset: 8, logAppendTime: -1 });
  t.is(log.logEndOffset, 9);
  t.is(log.highWatermark, 9);
  const { records, logStartOffset, logEndOffset } = log.read(0, { maxBytes: 1 << 20 });
  t.is(logStartOffset, 0);
  t.is(logEndOffset, 9);
  t.deepEqual(offsetsAndValues(records), Array.from({ length: 9 }, (_, i) => [i, `v${i}`]));
  // A read inside a batch starts at that batch, as Kafka's does.
  t.deepEqual(offsetsAndValues(log.read(4, { maxBytes: 1 << 20 }).records)[0], [3, 'v3']);
  log.close();
});

test('reads respect maxOffset (exclusive), maxBytes (whole batches) and minOneBatch', (t) => {
  const log = filled(tempDir(t), 10, 5); // offsets 0..49, batches of 5
  const size = [...batchPositions(log.read(0, { maxBytes: 1 << 20 }).records)][0]!.size;
  t.deepEqual(offsetsAndValues(log.read(0, { maxBytes: 1 << 20, maxOffset: 12 }).records).map(([o]) => o), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.is(log.read(0, { maxBytes: 1 << 20, maxOffset: 3 }).records.length, 0, 'batch straddling the bound is withheld');
  t.is(log.read(0, { maxBytes: size * 2 + 10 }).records.length, size * 2);
  t.is(log.read(0, { maxBytes: 1 }).records.length, size, 'at least one whole batch');
  t.is(log.read(0, { maxBytes: 1, minOneBatch: false }).records.length, 0);
  t.is(log.read(50, { maxBytes: 100 }).records.length, 0, 'reading at the log end is empty');
  const err = t.throws(() => log.read(51, { maxBytes: 100 }), { instanceOf: KafkaError });
  t.is(err.codeName, 'OFFSET_OUT_OF_RANGE');
  log.close();
});

test('segments roll at segment.bytes and reads cross them', (t) => {
  const dir = tempDir(t);
  const log = filled(dir, 60, 10, { segmentBytes: 16 * 1024 }); // ~1.5 KiB per batch
  t.true(log.segmentCount >= 5, `rolled into ${log.segmentCount} segments`);
  const files = fs.readdirSync(dir).sort();
  t.true(files.includes('00000000000000000000.log'));
  for (const base of log.segmentBaseOffsets()) {
    t.true(files.includes(`${String(base).padStart(20, '0')}.log`));
    t.true(files.includes(`${String(base).padStart(20, '0')}.index`));
    t.true(fs.statSync(path.join(dir, `${String(base).padStart(20, '0')}.log`)).size <= 16 * 1024);
  }
  t.deepEqual(readAll(log), Array.from({ length: 600 }, (_, i) => [i, `v${i}`]));
  log.close();
});

test('index lookups find the right batch at boundaries and random offsets', (t) => {
  const dir = tempDir(t);
  const rand = prng(7);
  const log = PartitionLog.open({ dir, segmentBytes: 256 * 1024, indexIntervalBytes: 1024 });
  const bounds: [number, number][] = []; // [base, last]
  for (let i = 0, next = 0; i < 400; i++) {
    const n = 1 + Math.floor(rand() * 20);
    log.append(batch(next, n, Math.floor(rand() * 300)));
    bounds.push([next, next + n - 1]);
    next += n;
  }
  t.true(log.segmentCount > 1);
  const check = (offset: number): void => {
    const first = readBatchHeader(log.read(offset, { maxBytes: 1 }).records);
    const expected = bounds.find(([b, l]) => b <= offset && offset <= l)!;
    t.deepEqual([first.baseOffset, first.baseOffset + first.lastOffsetDelta], expected, `offset ${offset}`);
  };
  for (const [b, l] of bounds) {
    check(b);
    check(l);
  }
  for (let i = 0; i < 500; i++) check(Math.floor(rand() * log.logEndOffset));
  log.close();
});

test('reopen after a clean close keeps every record and continues the offsets', (t) => {
  const dir = tempDir(t);
  const log = filled(dir, 30, 7, { segmentBytes: 8 * 1024 });
  const before = readAll(log);
  log.close();
  const again = PartitionLog.open({ dir, segmentBytes: 8 * 1024, recoverAll: false });
  t.is(again.logEndOffset, 210);
  t.deepEqual(readAll(again), before);
  t.is(again.append(batch(210, 2)).baseOffset, 210);
  again.close();
});

test('a deleted .index is rebuilt and lookups are still right', (t) => {
  const dir = tempDir(t);
  const log = filled(dir, 80, 5, { segmentBytes: 32 * 1024, indexIntervalBytes: 512 });
  const before = readAll(log);
  const bases = log.segmentBaseOffsets();
  log.close();
  const firstIndex = path.join(dir, '00000000000000000000.index');
  const indexBytes = fs.readFileSync(firstIndex);
  t.true(indexBytes.length > 16);
  fs.rmSync(firstIndex);
  const again = PartitionLog.open({ dir, segmentBytes: 32 * 1024, indexIntervalBytes: 512, recoverAll: false });
  t.deepEqual(again.segmentBaseOffsets(), bases);
  t.deepEqual(fs.readFileSync(firstIndex), indexBytes, 'rebuilt byte for byte');
  t.deepEqual(readAll(again), before);
  for (let o = 0; o < 400; o += 13) t.is(offsetsAndValues(again.read(o, { maxBytes: 1 }).records).find(([x]) => x === o)?.[1], `v${o}`);
  again.close();
});

test('truncateTo drops whole batches at and after the offset, across segments', (t) => {
  const dir = tempDir(t);
  const log = filled(dir, 40, 5, { segmentBytes: 4 * 1024 });
  const segs = log.segmentCount;
  log.truncateTo(102); // inside batch 100..104: that batch goes
  t.is(log.logEndOffset, 100);
  t.true(log.segmentCount < segs);
  t.deepEqual(readAll(log).map(([o]) => o), Array.from({ length: 100 }, (_, i) => i));
  t.is(log.append(batch(100, 1)).baseOffset, 100);
  log.truncateTo(50);
  t.is(log.logEndOffset, 50);
  t.false(fs.readdirSync(dir).some((f) => /^\d+\.log$/.test(f) && Number(f.slice(0, 20)) >= 50));
  log.close();
  const again = PartitionLog.open({ dir, segmentBytes: 4 * 1024 });
  t.is(again.logEndOffset, 50);
  t.deepEqual(readAll(again).map(([o]) => o), Array.from({ length: 50 }, (_, i) => i));
  again.truncateTo(0);
  t.is(again.logEndOffset, 0);
  t.is(again.read(0, { maxBytes: 100 }).records.length, 0);
  again.close();
});

test('appendReplicated stores batches with their offsets only at the log end', (t) => {
  const leader = filled(tempDir(t), 5, 4);
  const follower = PartitionLog.open({ dir: tempDir(t) });
  const first = leader.read(0, { maxBytes: 1 << 20, maxOffset: 8 }).records;
  t.deepEqual(follower.appendReplicated(Buffer.from(first)), { baseOffset: 0, lastOffset: 7, logAppendTime: -1 });
  const err = t.throws(() => follower.appendReplicated(Buffer.from(first)), { instanceOf: KafkaError });
  t.is(err.codeName, 'OFFSET_OUT_OF_RANGE');
  follower.appendReplicated(Buffer.from(leader.read(8, { maxBytes: 1 << 20 }).records));
  t.deepEqual(follower.read(0, { maxBytes: 1 << 20 }).records, leader.read(0, { maxBytes: 1 << 20 }).records, 'byte-identical');
  leader.close();
  follower.close();
});

test('append refuses a corrupt batch and writes nothing', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t) });
  log.append(batch(0, 2));
  const bad = Buffer.concat([batch(2, 1), batch(3, 1)]);
  bad[bad.length - 1]! ^= 0xff;
  const err = t.throws(() => log.append(bad), { instanceOf: KafkaError });
  t.is(err.codeName, 'CORRUPT_MESSAGE');
  const torn = batch(2, 3);
  t.throws(() => log.append(torn.subarray(0, torn.length - 1)), { instanceOf: KafkaError });
  t.is(log.logEndOffset, 2);
  t.is(offsetsAndValues(log.read(0, { maxBytes: 1 << 20 }).records).length, 2);
  log.close();
});

test('with a committedOffset owner, reads and retention are bounded by the owner\'s mark, clamped to the log', (t) => {
  let committed = 0;
  const log = PartitionLog.open({ dir: tempDir(t), committedOffset: () => committed, segmentBytes: 1024, retentionBytes: 0, retentionMs: -1 });
  for (let i = 0; i < 6; i++) log.append(batch(0, 3, 200));
  t.is(log.highWatermark, 0);
  t.is(log.read(0, { maxBytes: 1 << 20 }).records.length, 0);
  t.is(log.deleteOldSegments(), 0, 'nothing uncommitted is deleted');
  committed = 3;
  t.is(offsetsAndValues(log.read(0, { maxBytes: 1 << 20 }).records).length, 3);
  committed = 99;
  t.is(log.highWatermark, 18, 'clamped to the log end');
  committed = 9;
  t.true(log.deleteOldSegments() > 0);
  t.true(log.logStartOffset <= 9, 'retention stops at the committed offset');
  log.close();
});

test('retention.bytes deletes only whole old segments and advances the log start', (t) => {
  const dir = tempDir(t);
  const log = filled(dir, 50, 5, { segmentBytes: 4 * 1024, retentionBytes: 10 * 1024, retentionMs: -1 });
  const bases = log.segmentBaseOffsets();
  const total = log.size;
  const deleted = log.deleteOldSegments();
  t.true(deleted > 0);
  t.deepEqual(log.segmentBaseOffsets(), bases.slice(deleted));
  t.true(log.size <= 10 * 1024 + 4 * 1024 && log.size < total);
  t.is(log.logStartOffset, bases[deleted]);
  t.false(fs.existsSync(path.join(dir, `${String(bases[0]).padStart(20, '0')}.log`)));
  const err = t.throws(() => log.read(0, { maxBytes: 100 }), { instanceOf: KafkaError });
  t.is(err.codeName, 'OFFSET_OUT_OF_RANGE');
  t.is(readAll(log)[0]![0], bases[deleted]);
  t.is(log.deleteOldSegments(), 0, 'nothing more to delete');
  log.close();
});

test('retention never deletes a segment holding offsets at or above the bound it is given', (t) => {
  const log = filled(tempDir(t), 50, 5, { segmentBytes: 4 * 1024, retentionBytes: 0, retentionMs: 0, committedOffset: () => 0 });
  const bases = log.segmentBaseOffsets();
  t.is(log.deleteOldSegments(), 0, 'a high watermark left at the log start protects everything');
  const bound = bases[4]! + 1; // inside the fifth segment
  t.is(log.deleteOldSegments(Date.now(), bound), 4);
  t.is(log.logStartOffset, bases[4]);
  t.true(log.logStartOffset <= bound);
  t.is(log.deleteOldSegments(Date.now(), bound), 0, 'the segment holding the bound stays');
  t.is(log.deleteOldSegments(Date.now(), log.logEndOffset), bases.length - 5, 'all but the active one once everything is below the bound');
  t.deepEqual(log.segmentBaseOffsets(), bases.slice(-1));
  log.close();
});

test('truncateFullyAndStartAt empties the log and continues from the given offset', (t) => {
  const dir = tempDir(t);
  const log = filled(dir, 4, 5);
  log.truncateFullyAndStartAt(100);
  t.is(log.logStartOffset, 100);
  t.is(log.logEndOffset, 100);
  const replicated = batch(100, 3);
  setBaseOffset(replicated, 0, 100);
  log.appendReplicated(replicated);
  t.deepEqual(readAll(log).map(([o]) => o), [100, 101, 102]);
  log.close();
  const reopened = PartitionLog.open({ dir });
  t.is(reopened.logStartOffset, 100);
  t.is(reopened.logEndOffset, 103);
  reopened.close();
});

test('retention.ms deletes segments whose newest record is too old, never the active one', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t), segmentBytes: 2 * 1024, retentionMs: 60_000 });
  for (let i = 0; i < 30; i++) log.append(batch(i * 5, 5, 100, T0 + i * 10_000)); // 10 s apart
  const bases = log.segmentBaseOffsets();
  // At T0 + 400 s, records older than T0 + 340 s are expired: batches 0..33 all, so every
  // segment but the active one goes.
  t.is(log.deleteOldSegments(T0 + 400_000), bases.length - 1);
  t.deepEqual(log.segmentBaseOffsets(), bases.slice(-1));
  const log2 = PartitionLog.open({ dir: tempDir(t), segmentBytes: 2 * 1024, retentionMs: 60_000 });
  for (let i = 0; i < 30; i++) log2.append(batch(i * 5, 5, 100, T0 + i * 10_000));
  const segs = log2.segmentBaseOffsets();
  const n = log2.deleteOldSegments(T0 + 200_000); // expired: newest timestamp < T0 + 140 s, i.e. batches 0..13
  t.true(n > 0 && n < segs.length - 1);
  const firstKept = log2.read(log2.logStartOffset, { maxBytes: 1 }).records;
  t.true(readBatchHeader(firstKept).baseOffset <= 14 * 5 + 5, 'no segment holding an unexpired record was deleted');
  log.close();
  log2.close();
});

test('offsetForTimestamp finds the first record at or after a time', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t), segmentBytes: 2 * 1024 });
  for (let i = 0; i < 20; i++) {
    log.append(encodeRecordBatch({ records: [0, 1, 2].map((j) => ({ value: 'x', timestamp: T0 + i * 100 + j * 10 })) }));
  }
  t.deepEqual(log.offsetForTimestamp(T0 + 505), { offset: 16, timestamp: T0 + 510 });
  t.deepEqual(log.offsetForTimestamp(0), { offset: 0, timestamp: T0 });
  t.is(log.offsetForTimestamp(T0 + 99_999), null);
  log.close();
});

test('a read with alloc reads into the buffer alloc hands out, with the same bytes as a plain read', (t) => {
  const log = filled(tempDir(t), 10, 5);
  const plain = log.read(5, { maxBytes: 300 }).records;
  const asked: number[] = [];
  const given: Buffer[] = [];
  const alloc = (size: number): Buffer => {
    asked.push(size);
    given.push(Buffer.alloc(size, 0xee));
    return given[given.length - 1]!;
  };
  const pooled = log.read(5, { maxBytes: 300, alloc }).records;
  t.is(asked.length, 1);
  t.is(pooled.buffer, given[0]!.buffer);
  t.true(pooled.equals(plain));
  log.close();
});
