import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { LogSegment } from '../../src/storage/segment.ts';
import { FilePool } from '../../src/storage/file-pool.ts';
import { recoverSegment } from '../../src/storage/recovery.ts';
import { batchPositions } from '../../src/protocol/record-batch.ts';
import { tempDir, batch, offsetsAndValues } from './helpers.ts';
import { prng } from '../../../e2e/lib/prng.ts';

const SEGMENT_BYTES = 64 * 1024;
const LOG0 = '00000000000000000000.log';

/** A log of `n` batches of 1..8 records in one segment, closed; returns batch [start, end) byte ranges and offsets. */
function writeLog(dir: string, n: number, seed: number): { ranges: { start: number; end: number; base: number; next: number }[] } {
  const rand = prng(seed);
  const log = PartitionLog.open({ dir, segmentBytes: SEGMENT_BYTES, indexIntervalBytes: 512 });
  for (let i = 0, next = 0; i < n; i++) {
    const count = 1 + Math.floor(rand() * 8);
    log.append(batch(next, count, Math.floor(rand() * 120)));
    next += count;
  }
  log.close();
  const bytes = fs.readFileSync(path.join(dir, LOG0));
  const ranges = [...batchPositions(bytes)].map(({ position, size }) => {
    const base = Number(bytes.readBigInt64BE(position));
    return { start: position, end: position + size, base, next: base + bytes.readInt32BE(position + 23) + 1 };
  });
  return { ranges };
}

function allRecords(log: PartitionLog): [number, string][] {
  return offsetsAndValues(log.read(0, { maxBytes: 1 << 30 }).records);
}

test('a segment torn mid-batch reopens with exactly the whole batches before the tear', (t) => {
  for (const seed of [1, 2, 3]) {
    const dir = tempDir(t);
    const { ranges } = writeLog(dir, 60, seed);
    const rand = prng(seed * 101);
    const victim = ranges[10 + Math.floor(rand() * 40)]!;
    const cut = victim.start + 1 + Math.floor(rand() * (victim.end - victim.start - 1));
    fs.truncateSync(path.join(dir, LOG0), cut);
    const log = PartitionLog.open({ dir, segmentBytes: SEGMENT_BYTES, recoverAll: false });
    t.is(log.logEndOffset, victim.base, `seed ${seed}`);
    t.is(fs.statSync(path.join(dir, LOG0)).size, victim.start, 'torn tail cut off');
    t.deepEqual(allRecords(log), Array.from({ length: victim.base }, (_, i) => [i, `v${i}`]));
    t.deepEqual(log.append(batch(victim.base, 2)), { baseOffset: victim.base, lastOffset: victim.base + 1, logAppendTime: -1 });
    log.close();
  }
});

test('garbage written at random positions: exactly the whole batches before the first damage survive', (t) => {
  for (const seed of [11, 12, 13, 14, 15, 16]) {
    const dir = tempDir(t);
    const { ranges } = writeLog(dir, 80, seed);
    const file = path.join(dir, LOG0);
    const bytes = fs.readFileSync(file);
    const rand = prng(seed);
    // Several runs of garbage; every byte really changes (xor with 1..255). Runs are at least 17 bytes
    // long so each touches CRC-covered bytes or the base offset: the partition leader epoch (bytes
    // 12-15) is, as in Kafka, covered by nothing.
    let firstDamage = Infinity;
    for (let runs = 0; runs < 3; runs++) {
      const at = Math.floor(rand() * (bytes.length - 64));
      const len = 17 + Math.floor(rand() * 40);
      for (let i = at; i < at + len; i++) bytes[i]! ^= 1 + Math.floor(rand() * 255);
      firstDamage = Math.min(firstDamage, at);
    }
    fs.writeFileSync(file, bytes);
    const survivors = ranges.filter((r) => r.end <= firstDamage);
    const expectedEnd = survivors.length > 0 ? survivors[survivors.length - 1]!.next : 0;

    const log = PartitionLog.open({ dir, segmentBytes: SEGMENT_BYTES, recoverAll: false });
    t.is(log.logEndOffset, expectedEnd, `seed ${seed}: damage at byte ${firstDamage}`);
    t.is(fs.statSync(file).size, survivors.length > 0 ? survivors[survivors.length - 1]!.end : 0);
    t.deepEqual(allRecords(log), Array.from({ length: expectedEnd }, (_, i) => [i, `v${i}`]));
    t.is(log.append(batch(expectedEnd, 3)).baseOffset, expectedEnd, 'new writes continue from the right offset');
    log.close();
    const again = PartitionLog.open({ dir, segmentBytes: SEGMENT_BYTES, recoverAll: false });
    t.is(again.logEndOffset, expectedEnd + 3);
    again.close();
  }
});

test('damage in an older segment drops it from there and every later segment (unclean open)', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, segmentBytes: 4 * 1024 });
  for (let i = 0; i < 40; i++) log.append(batch(i * 5, 5, 80));
  const bases = log.segmentBaseOffsets();
  log.close();
  t.true(bases.length >= 4);
  const second = path.join(dir, `${String(bases[1]).padStart(20, '0')}.log`);
  const bytes = fs.readFileSync(second);
  const positions = [...batchPositions(bytes)];
  const hit = positions[2]!;
  bytes[hit.position + 40]! ^= 0x55; // inside the CRC span of the third batch
  fs.writeFileSync(second, bytes);
  const again = PartitionLog.open({ dir, segmentBytes: 4 * 1024, recoverAll: true });
  const expectedEnd = Number(bytes.readBigInt64BE(hit.position));
  t.is(again.logEndOffset, expectedEnd);
  t.deepEqual(again.segmentBaseOffsets(), bases.slice(0, 2));
  t.false(fs.existsSync(path.join(dir, `${String(bases[2]).padStart(20, '0')}.log`)));
  again.close();
});

test('recoverSegment reports what it kept and why it stopped', (t) => {
  const dir = tempDir(t);
  const { ranges } = writeLog(dir, 10, 5);
  fs.appendFileSync(path.join(dir, LOG0), Buffer.from('torn write'));
  const seg = LogSegment.open(dir, 0, { indexIntervalBytes: 512, maxIndexBytes: 1 << 20, files: new FilePool() });
  t.true(seg.needsRecovery, 'a log not ending on a batch boundary needs recovery');
  const result = recoverSegment(seg);
  t.is(result.batches, 10);
  t.is(result.validBytes, ranges[9]!.end);
  t.is(result.truncatedBytes, 10);
  t.is(result.nextOffset, ranges[9]!.next);
  t.regex(result.problem!, /announces|torn/);
  seg.close();
});
