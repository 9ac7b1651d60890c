import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { TIME_INDEX_ENTRY_BYTES } from '../../src/storage/time-index.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { tempDir, T0 } from './helpers.ts';
import { prng } from '../../../e2e/lib/prng.ts';

const SMALL = { segmentBytes: 4 * 1024, indexIntervalBytes: 256 };

/**
 * Appends `n` batches of 1-4 records whose timestamps mostly rise but sometimes step back (as
 * producers' CreateTime does); returns every (offset, timestamp) written.
 */
function fill(log: PartitionLog, n: number, seed: number): { offset: number; timestamp: number }[] {
  const rand = prng(seed);
  const written: { offset: number; timestamp: number }[] = [];
  let clock = T0;
  for (let b = 0; b < n; b++) {
    const count = 1 + Math.floor(rand() * 4);
    const records = Array.from({ length: count }, () => {
      clock += Math.floor(rand() * 50);
      return { value: 'x'.repeat(40), timestamp: rand() < 0.1 ? clock - 500 : clock };
    });
    const { baseOffset } = log.append(encodeRecordBatch({ records }));
    records.forEach((r, i) => written.push({ offset: baseOffset + i, timestamp: r.timestamp }));
  }
  return written;
}

/** What ListOffsets must answer: the first offset whose timestamp is >= ts, found by brute force. */
function expected(written: { offset: number; timestamp: number }[], ts: number): { offset: number; timestamp: number } | null {
  return written.find((w) => w.timestamp >= ts) ?? null;
}

/** The entries of a .timeindex file: [timestamp, absolute offset]. */
function entries(file: string, base: number): [number, number][] {
  const buf = fs.readFileSync(file);
  const out: [number, number][] = [];
  for (let at = 0; at < buf.length; at += TIME_INDEX_ENTRY_BYTES) out.push([Number(buf.readBigInt64BE(at)), base + buf.readInt32BE(at + 8)]);
  return out;
}

function timeIndexFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.timeindex')).sort();
}

test('each segment gets a .timeindex in Kafka\'s format: 12-byte entries, timestamps rising, ending with the segment\'s largest', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, ...SMALL });
  const written = fill(log, 400, 1);
  log.close();
  const files = timeIndexFiles(dir);
  t.is(files.length, fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length);
  const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort();
  for (const [i, name] of files.entries()) {
    const base = Number(name.slice(0, 20));
    const size = fs.statSync(path.join(dir, name)).size;
    t.is(size % TIME_INDEX_ENTRY_BYTES, 0);
    const list = entries(path.join(dir, name), base);
    t.true(list.length > 1, `${name} has entries`);
    for (let k = 1; k < list.length; k++) {
      t.true(list[k]![0] > list[k - 1]![0] && list[k]![1] >= list[k - 1]![1], `${name} entry ${k} rises`);
    }
    // Every entry (T, O): T is the largest timestamp up to O, first reached in O's batch.
    const records = [...decodeRecordBatches(fs.readFileSync(path.join(dir, logs[i]!)))].flatMap((b) => b.records.map((r) => ({ offset: r.offset, timestamp: r.timestamp })));
    for (const [ts, offset] of list) {
      const upTo = records.filter((r) => r.offset <= offset);
      t.is(Math.max(...upTo.map((r) => r.timestamp)), ts);
    }
    if (i < files.length - 1) t.is(list[list.length - 1]![0], Math.max(...records.map((r) => r.timestamp)), `${name} ends with its largest timestamp`);
  }
  // Reopened, lookups through the index agree with a brute-force scan everywhere.
  const reopened = PartitionLog.open({ dir, ...SMALL, recoverAll: false });
  const rand = prng(7);
  const last = written[written.length - 1]!.timestamp;
  for (let k = 0; k < 300; k++) {
    const ts = T0 - 1000 + Math.floor(rand() * (last - T0 + 2000));
    t.deepEqual(reopened.offsetForTimestamp(ts), expected(written, ts), `timestamp ${ts}`);
  }
  reopened.close();
});

test('a deleted or damaged .timeindex is rebuilt on open, identical to the one written', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, ...SMALL });
  const written = fill(log, 300, 2);
  log.close();
  const files = timeIndexFiles(dir);
  const before = new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  fs.rmSync(path.join(dir, files[0]!));
  fs.appendFileSync(path.join(dir, files[1]!), Buffer.from([1, 2, 3])); // a torn entry
  const third = fs.readFileSync(path.join(dir, files[2]!));
  third.writeBigInt64BE(0n, third.length - TIME_INDEX_ENTRY_BYTES); // timestamps no longer rise
  fs.writeFileSync(path.join(dir, files[2]!), third);

  const reopened = PartitionLog.open({ dir, ...SMALL, recoverAll: false });
  for (const f of files.slice(0, 3)) t.deepEqual(fs.readFileSync(path.join(dir, f)), before.get(f), `${f} rebuilt`);
  const mid = written[Math.floor(written.length / 3)]!.timestamp;
  t.deepEqual(reopened.offsetForTimestamp(mid), expected(written, mid));
  reopened.close();
});

test('truncation drops time index entries past the cut and later appends continue it', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, ...SMALL });
  const written = fill(log, 200, 3);
  const cut = written[Math.floor(written.length * 0.8)]!.offset;
  log.truncateTo(cut);
  const kept = written.filter((w) => w.offset < log.logEndOffset);
  const more = fill(log, 50, 4).map((w) => w);
  const all = [...kept, ...more];
  for (const w of all.filter((_, i) => i % 7 === 0)) t.deepEqual(log.offsetForTimestamp(w.timestamp), expected(all, w.timestamp));
  log.close();
  const reopened = PartitionLog.open({ dir, ...SMALL, recoverAll: true });
  for (const w of all.filter((_, i) => i % 11 === 0)) t.deepEqual(reopened.offsetForTimestamp(w.timestamp), expected(all, w.timestamp));
  reopened.close();
});

test('retention by time reads a rolled segment\'s largest timestamp from its .timeindex', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, ...SMALL, retentionMs: 60_000 });
  for (let i = 0; i < 60; i++) log.append(encodeRecordBatch({ timestamp: T0 + i * 10_000, records: [{ value: 'y'.repeat(200) }] }));
  const bases = log.segmentBaseOffsets();
  log.close();
  // Reopened clean: only the active segment is scanned; the others' timestamps come from their time index.
  const reopened = PartitionLog.open({ dir, ...SMALL, retentionMs: 60_000, recoverAll: false });
  const now = T0 + 35 * 10_000 + 60_001; // records up to i = 35 are expired
  // Segment k holds records bases[k] .. bases[k+1]-1, the largest at T0 + (bases[k+1]-1) * 10 s.
  const expired = bases.slice(1, -1).filter((next) => now - (T0 + (next - 1) * 10_000) > 60_000).length;
  t.true(expired > 0 && expired < bases.length - 1, `test setup: ${expired} of ${bases.length} segments expired`);
  t.is(reopened.deleteOldSegments(now), expired);
  t.is(reopened.logStartOffset, bases[expired]);
  reopened.close();
});
