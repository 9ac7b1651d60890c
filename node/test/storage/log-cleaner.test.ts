import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Decoder from 'kafkajs/src/protocol/decoder.js';
import decodeKafkaJSBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder.js';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { cleanLog } from '../../src/storage/log-cleaner.ts';
import { CLEANED_SUFFIX, SWAP_SUFFIX } from '../../src/storage/segment-swap.ts';
import { decodeRecordBatches, encodeRecordBatch, validateBatch } from '../../src/protocol/record-batch.ts';
import type { CompressionName } from '../../src/protocol/compression.ts';
import { initCompression } from '../../src/protocol/compression.ts';
import { tempDir, T0 } from './helpers.ts';

const SMALL = { segmentBytes: 2048, indexIntervalBytes: 256 };
const DAY = 24 * 60 * 60 * 1000;

test.before(async () => {
  await initCompression();
});

interface Written { offset: number; key: string | null; value: string | null; timestamp: number }

/** 12 keys, 6 rounds of values, 3 records per batch; k3 and k7 end with a tombstone; some keyless records. */
function fill(log: PartitionLog, compression: CompressionName = 'none', tombstoneTs = T0): Written[] {
  const written: Written[] = [];
  const pending: Omit<Written, 'offset'>[] = [];
  const flush = () => {
    const { baseOffset } = log.append(encodeRecordBatch({ compression, records: pending.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp })) }));
    pending.forEach((r, i) => written.push({ ...r, offset: baseOffset + i }));
    pending.length = 0;
  };
  for (let round = 0; round < 6; round++) {
    for (let k = 0; k < 12; k++) {
      const last = round === 5;
      const tomb = last && (k === 3 || k === 7);
      pending.push({ key: `k${k}`, value: tomb ? null : `r${round}-k${k}`.padEnd(60, '.'), timestamp: tomb ? tombstoneTs : T0 + round * 100 + k });
      if (k === 5) pending.push({ key: null, value: `keyless-${round}`, timestamp: T0 + round * 100 });
      if (pending.length >= 3) flush();
    }
  }
  if (pending.length > 0) flush();
  return written;
}

/** Every record in the log, through reads. */
function readAll(log: PartitionLog): Written[] {
  const out: Written[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const { records } = log.read(offset, { maxBytes: 1 << 20, maxOffset: log.logEndOffset });
    if (records.length === 0) break;
    for (const b of decodeRecordBatches(records)) {
      for (const r of b.records) if (r.offset >= offset) out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null, timestamp: r.timestamp });
      offset = b.header.baseOffset + b.header.lastOffsetDelta + 1;
    }
  }
  return out;
}

/** What compaction must leave of `written` among offsets below `upTo`: each key's latest, keyless records, young tombstones. */
function expectedAfter(written: Written[], upTo: number, now: number, deleteRetentionMs: number): Written[] {
  const latest = new Map<string, number>();
  for (const w of written) if (w.key !== null && w.offset < upTo) latest.set(w.key, w.offset);
  return written.filter((w) => w.offset >= upTo || w.key === null ||
    (latest.get(w.key) === w.offset && (w.value !== null || now - w.timestamp <= deleteRetentionMs)));
}

for (const compression of ['none', 'zstd'] as const) {
  test(`compaction keeps each key's latest record at its offset, below the bound only (${compression})`, async (t) => {
    const log = PartitionLog.open({ dir: tempDir(t), ...SMALL });
    const written = fill(log, compression, T0 + 10_000);
    log.append(encodeRecordBatch({ records: [{ key: 'tail', value: 'x'.repeat(2048) }] })); // rolls
    written.push({ offset: log.logEndOffset - 1, key: 'tail', value: 'x'.repeat(2048), timestamp: -1 });
    const upTo = log.segmentBaseOffsets().at(-1)!; // everything but the active segment
    const r = await cleanLog(log, { upTo, now: T0 + 20_000, deleteRetentionMs: DAY });
    t.true(r.segmentsRewritten > 0);
    t.true(r.tombstonesKept > 0, 'young tombstones stay');
    const got = readAll(log);
    t.deepEqual(got.slice(0, -1), expectedAfter(written, upTo, T0 + 20_000, DAY).slice(0, -1));
    t.is(log.logEndOffset, written.at(-1)!.offset + 1, 'the log end does not move');
    log.close();
  });
}

test('tombstones go once older than delete.retention.ms; a second pass changes nothing more', async (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, ...SMALL });
  const written = fill(log);
  log.append(encodeRecordBatch({ records: [{ key: 'tail', value: 'x'.repeat(2048) }] })); // rolls: everything before is cleanable
  const upTo = log.segmentBaseOffsets().at(-1)!;
  await cleanLog(log, { upTo, now: T0 + 500, deleteRetentionMs: 1000 });
  t.true(readAll(log).some((w) => w.key === 'k3' && w.value === null), 'tombstone kept while young');
  const second = await cleanLog(log, { upTo, now: T0 + 5000, deleteRetentionMs: 1000 });
  t.is(second.tombstonesKept, 0);
  const got = readAll(log).filter((w) => w.offset < upTo);
  t.deepEqual(got, expectedAfter(written, upTo, T0 + 5000, 1000));
  t.false(got.some((w) => w.key === 'k3' || w.key === 'k7'), 'deleted keys are gone entirely');
  t.is((await cleanLog(log, { upTo, now: T0 + 5000, deleteRetentionMs: 1000 })).segmentsRewritten, 0);
  log.close();

  // Cleaned segments reopen (recovery accepts the offset gaps) and kafkajs decodes every batch.
  const reopened = PartitionLog.open({ dir, ...SMALL, recoverAll: true });
  t.deepEqual(readAll(reopened).filter((w) => w.offset < upTo), got);
  reopened.close();
  const seen: number[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log')).sort()) {
    const file = fs.readFileSync(path.join(dir, f));
    for (let pos = 0; pos < file.length;) pos += validateBatch(file, pos);
    const decoder = new Decoder(file);
    while (decoder.offset < file.length) {
      const batch = await decodeKafkaJSBatch(decoder);
      for (const r of batch.records) seen.push(Number(r.offset));
    }
  }
  t.deepEqual(seen.filter((o) => o < upTo), got.map((w) => w.offset));
});

test('a crash mid-swap: a .cleaned file is discarded, a .swap file completes on open', async (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, ...SMALL });
  fill(log);
  const bases = log.segmentBaseOffsets();
  log.close();
  const logFile = (b: number) => path.join(dir, `${String(b).padStart(20, '0')}.log`);
  const original = fs.readFileSync(logFile(bases[0]!));
  // A crash before the rename: half a cleaned copy of segment 0.
  fs.writeFileSync(logFile(bases[0]!) + CLEANED_SUFFIX, original.subarray(0, 100));
  // A crash after it: segment 1's complete cleaned copy (here: its first batch only) waiting as .swap.
  const second = fs.readFileSync(logFile(bases[1]!));
  const firstBatch = second.subarray(0, validateBatch(second, 0));
  fs.writeFileSync(logFile(bases[1]!) + SWAP_SUFFIX, firstBatch);
  const reopened = PartitionLog.open({ dir, ...SMALL, recoverAll: false });
  t.deepEqual(fs.readFileSync(logFile(bases[0]!)), original, 'segment 0 untouched');
  t.deepEqual(fs.readFileSync(logFile(bases[1]!)), firstBatch, 'segment 1 swapped');
  t.false(fs.readdirSync(dir).some((f) => f.endsWith(CLEANED_SUFFIX) || f.endsWith(SWAP_SUFFIX)));
  t.true(fs.existsSync(logFile(bases[1]!).replace('.log', '.index')), 'indexes rebuilt');
  t.is(reopened.segmentBaseOffsets().length, bases.length);
  reopened.close();
});
