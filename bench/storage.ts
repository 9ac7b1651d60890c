/**
 * Storage benchmark: the partition log against plain sequential file I/O on the same disk, same run.
 *
 *   npm run bench:storage -- --mib 256 --batch 100 --record 1024 [--rounds 3] [--fetch-bytes 1048576]
 *                            [--fsync] [--dir D] [--json]
 *
 * Append: `--mib` MiB of `--record`-byte records in batches of `--batch`, through LogManager/PartitionLog
 * .append (validate framing + CRC-32C, patch the base offset, pwrite, index bookkeeping), against a loop
 * of fs.writeSync(fd, buf, 0, len, position) of the same buffers into one file (the same pwrite call
 * the log makes). Batches are encoded ONCE before timing (a pool of distinct batches, reused), so this
 * measures storage, not record encoding.
 * Read: sequential PartitionLog.read of everything, `--fetch-bytes` per call (index lookup, header scan,
 * one pread into a new buffer, trimming to whole batches), against sequential fs.readSync of the same
 * size into a new buffer per call.
 * Fairness: by default neither side fsyncs while timed (both measure the write path into the page
 * cache); with --fsync both end their timed append with an fsync (durable throughput). Both sides read
 * the file they just wrote, so both read from the page cache. Rounds alternate raw/log with fresh files, and the median round of each side is reported.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { LogManager } from '../node/src/storage/log-manager.ts';
import { encodeRecordBatch, validateBatch } from '../node/src/protocol/record-batch.ts';
import { timed, median, fmt, type Throughput } from './lib/measure.ts';
import { progress, type Progress } from './lib/progress.ts';
import { appendRawFile, readRawFile, readThroughStorage } from './lib/storage-baseline.ts';

const MiB = 1024 * 1024;
/** Distinct pre-encoded batches cycled through, so the log does not see one buffer over and over. */
const BATCH_POOL = 16;

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    batch: { type: 'string', default: '100' },
    record: { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
    'fetch-bytes': { type: 'string', default: String(MiB) },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
    fsync: { type: 'boolean', default: false },
  },
});

const totalBytes = Number(args.mib) * MiB;
const perBatch = Number(args.batch);
const recordBytes = Number(args.record);
const rounds = Math.max(1, Number(args.rounds));
const fetchBytes = Number(args['fetch-bytes']);

function encodePool(): Buffer[] {
  return Array.from({ length: BATCH_POOL }, (_, b) =>
    encodeRecordBatch({
      records: Array.from({ length: perBatch }, (_, i) => ({
        key: `key-${b}-${i}`,
        value: Buffer.alloc(recordBytes, (b * 31 + i) & 0xff),
      })),
    }));
}

async function appendLog(dir: string, pool: Buffer[], count: number, bar: Progress): Promise<{ t: Throughput; logs: LogManager }> {
  const logs = await LogManager.open({ dataDir: dir });
  logs.createTopic('bench');
  const log = logs.get('bench', 0)!;
  const t = timed(count * pool[0]!.length, () => {
    for (let i = 0; i < count; i++) {
      const buf = pool[i % BATCH_POOL]!;
      log.append(buf);
      bar.add(buf.length);
    }
    if (args.fsync) log.flush();
  });
  return { t, logs };
}

/** The CRC-32C check alone (validateBatch) over the same batches: the floor of what append adds. */
function crcOnly(pool: Buffer[], count: number): Throughput {
  return timed(count * pool[0]!.length, () => {
    for (let i = 0; i < count; i++) validateBatch(pool[i % BATCH_POOL]!);
  });
}

async function main(): Promise<void> {
  const pool = encodePool();
  const count = Math.max(1, Math.round(totalBytes / pool[0]!.length));
  const bytes = count * pool[0]!.length;
  const root = args.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-'));
  fs.mkdirSync(root, { recursive: true });
  const bar = progress(bytes * 4 * rounds, !args.json && process.stderr.isTTY === true);
  const results = { appendRaw: [] as Throughput[], appendLog: [] as Throughput[], crc: [] as Throughput[], readRaw: [] as Throughput[], readLog: [] as Throughput[] };
  try {
    for (let r = 0; r < rounds; r++) {
      const rawFile = path.join(root, `raw-${r}.bin`);
      const logDir = path.join(root, `log-${r}`);
      bar.phase(`append raw ${r + 1}/${rounds}`);
      results.appendRaw.push(appendRawFile(rawFile, pool, count, { fsync: args.fsync, bar }));
      bar.phase(`append log ${r + 1}/${rounds}`);
      const { t, logs } = await appendLog(logDir, pool, count, bar);
      results.appendLog.push(t);
      results.crc.push(crcOnly(pool, count));
      bar.phase(`read raw ${r + 1}/${rounds}`);
      results.readRaw.push(readRawFile(rawFile, fetchBytes, bar));
      bar.phase(`read log ${r + 1}/${rounds}`);
      results.readLog.push(readThroughStorage(logs, fetchBytes, bar));
      logs.close();
      fs.rmSync(rawFile, { force: true });
      fs.rmSync(logDir, { recursive: true, force: true });
    }
  } finally {
    bar.stop();
    if (!args.dir) fs.rmSync(root, { recursive: true, force: true });
  }

  const append = { raw: median(results.appendRaw), log: median(results.appendLog) };
  const read = { raw: median(results.readRaw), log: median(results.readLog) };
  const crc = median(results.crc);
  // What append costs beyond the raw write, and how much of that is the CRC-32C check Kafka requires.
  const crcShare = crc.seconds / (append.log.seconds - append.raw.seconds);
  const out = {
    config: { fsync: args.fsync, mib: Number(args.mib), batchRecords: perBatch, recordBytes, batchBytes: pool[0]!.length, batches: count, rounds, fetchBytes, dir: root },
    append: {
      rawMiBps: append.raw.mibPerSec, logMiBps: append.log.mibPerSec, ratio: append.log.mibPerSec / append.raw.mibPerSec,
      crcOnlyMiBps: crc.mibPerSec, crcShareOfOverhead: crcShare,
    },
    read: { rawMiBps: read.raw.mibPerSec, logMiBps: read.log.mibPerSec, ratio: read.log.mibPerSec / read.raw.mibPerSec },
    rounds: results,
  };
  if (args.json) {
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  console.log(`storage bench: ${(bytes / MiB).toFixed(0)} MiB, ${count} batches of ${perBatch} x ${recordBytes} B records (${pool[0]!.length} B/batch), median of ${rounds} rounds, ${root}`);
  console.log(`batches pre-encoded; ${args.fsync ? 'append timings end with an fsync on both sides' : 'no fsync while timed on either side'}; reads come from the page cache on both sides`);
  console.log(`append  raw fs.writeSync   ${fmt(append.raw)}`);
  console.log(`append  PartitionLog       ${fmt(append.log)}`);
  console.log(`append  ratio              ${out.append.ratio.toFixed(2)}`);
  console.log(`append  CRC-32C check only ${fmt(crc)}  = ${(crcShare * 100).toFixed(0)}% of the log's extra time`);
  console.log(`read    raw fs.readSync    ${fmt(read.raw)}`);
  console.log(`read    PartitionLog.read  ${fmt(read.log)}`);
  console.log(`read    ratio              ${out.read.ratio.toFixed(2)}`);
}

await main();
