/**
 * Every server bench in sequence (produce, fetch, chain), then one summary table of what each measured
 * against its target. `npm run bench` runs this; the `vonnegut bench` CLI command calls runAllBenches.
 *
 *   npm run bench -- [--mib 128] [--rounds 3] [--json [FILE]]      (the `vonnegut bench` command)
 *
 * `--mib` is the data per batch size and round in each bench; the benches' own scripts take the full
 * set of flags (npm run bench:produce / bench:fetch / bench:chain).
 *
 * First, the raw disk: `--mib` MiB of the same 64 KiB batches written with plain sequential pwrite into
 * one file in the same temporary directory the nodes use, then read back 1 MiB per pread (page cache,
 * as the fetch bench's reads are). Every server row carries its ratio against it ("vs disk": produce and
 * chain against the raw write, fetch against the raw read), beside its own target's ratio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, type Throughput } from './lib/measure.ts';
import { syncDisk } from './lib/server.ts';
import { appendRawFile, rawReadBaseline } from './lib/storage-baseline.ts';
import { formatChain, runChainBench, TARGET_RATIO as CHAIN_TARGET, type ChainBenchResult } from './chain.ts';
import { formatFetch, formatKcatFetch, runFetchBench, TARGET_RATIO as FETCH_TARGET, type FetchBenchResult, type KcatFetchResult } from './fetch.ts';
import { formatProduce, producePool, runProduceBench, TARGET_RATIO as PRODUCE_TARGET, type ProduceBenchResult } from './produce.ts';

export interface AllBenchOptions {
  /** MiB per batch size and round in each bench (default 128). */
  mib?: number;
  /** Rounds per bench; medians are reported (default 3). */
  rounds?: number;
  /** Progress bars on stderr (default true when stderr is a terminal). */
  progress?: boolean;
  /** Called with each bench's own report lines as it finishes. */
  onReport?: (lines: string[]) => void;
}

export interface SummaryRow {
  /** `disk` for the raw-disk baseline rows. */
  bench: string;
  case: string;
  mibPerSec: number;
  /** Server CPU milliseconds per MiB (all the chain's members for chain rows; this process's for disk rows). */
  cpuMsPerMiB: number;
  p50Ms: number;
  p99Ms: number;
  /** What the target compares: server / storage-only, or 3-node / 1-node. */
  ratio: number;
  target: number;
  ok: boolean;
  /** MiB/s over the raw disk's (write for produce and chain, read for fetch). */
  vsDisk: number;
}

export interface DiskBaseline {
  batchBytes: number;
  /** Sequential pwrite of the batches into one file, no fsync (median of the rounds). */
  writeMiBps: number;
  /** Sequential 1 MiB preads of that file from the page cache (warm; median of the rounds). */
  readMiBps: number;
  /** The same reads after dropping the file from the page cache (cold; median of the rounds). */
  coldReadMiBps: number;
  writeCpuMsPerMiB: number;
  readCpuMsPerMiB: number;
}

export interface AllBenchResult {
  produce: ProduceBenchResult[];
  fetch: FetchBenchResult[];
  /** kcat reading the fetch bench's log against the raw read of the same bytes (null without kcat). */
  kcat: KcatFetchResult | null;
  chain: ChainBenchResult;
  disk: DiskBaseline;
  summary: SummaryRow[];
}

const MiB = 1024 * 1024;
/** Bytes per pread of the raw read baseline: the fetch bench's largest fetch. */
const DISK_READ_BYTES = MiB;

/** The raw disk under os.tmpdir() (where every bench keeps its data): `mib` MiB written, then read. */
export function measureDisk(mib: number, rounds: number, batchBytes = 64 * 1024): DiskBaseline {
  const pool = producePool('disk', batchBytes, 1024).batches;
  const count = Math.max(1, Math.round((mib * MiB) / pool[0]!.length));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-disk-'));
  const writes: Throughput[] = [];
  const reads: Throughput[] = [];
  const coldReads: Throughput[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const file = path.join(dir, `raw-${r}.bin`);
      // Like the benches' own phases: start with no dirty pages left from whatever ran before.
      syncDisk();
      writes.push(appendRawFile(file, pool, count));
      // The same raw-read baseline as the fetch bench's: cold and warm page cache, said explicitly.
      const { warm, cold } = rawReadBaseline([file], DISK_READ_BYTES);
      reads.push(warm);
      coldReads.push(cold);
      fs.rmSync(file);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const w = median(writes);
  const rd = median(reads);
  return {
    batchBytes: pool[0]!.length, writeMiBps: w.mibPerSec, readMiBps: rd.mibPerSec, coldReadMiBps: median(coldReads).mibPerSec,
    writeCpuMsPerMiB: w.cpuMsPerMiB, readCpuMsPerMiB: rd.cpuMsPerMiB,
  };
}

/** Runs produce, fetch and chain benches one after another (never concurrently: they share the CPU). */
export async function runAllBenches(opts: AllBenchOptions = {}): Promise<AllBenchResult> {
  const mib = opts.mib ?? 128;
  const rounds = opts.rounds ?? 3;
  const progress = opts.progress ?? true;
  const report = opts.onReport ?? (() => {});
  const common = { recordBytes: 1024, connections: 4, inflight: 8, rounds, progress };

  const disk = measureDisk(mib, rounds);
  report([`disk raw sequential pwrite ${disk.writeMiBps.toFixed(0)} MiB/s, pread warm page cache ${disk.readMiBps.toFixed(0)} MiB/s, cold ${disk.coldReadMiBps.toFixed(0)} MiB/s (${disk.batchBytes} B writes, ${DISK_READ_BYTES} B reads)`]);

  const produce = await runProduceBench({ ...common, mib, batchKibs: [64, 256], acks: 1 });
  report(produce.map(formatProduce));
  const fetchRun = await runFetchBench({ ...common, mib, batchKib: 64, fetchKibs: [256, 1024] });
  const fetch = fetchRun.results;
  const kcat = fetchRun.kcat;
  report([...fetch.map(formatFetch), ...formatKcatFetch(fetchRun.raw, kcat)]);
  const chain = await runChainBench({ ...common, mib, batchKib: 64, latencyRequests: 300 });
  report(formatChain(chain));

  const none = { p50: NaN, p99: NaN };
  const summary: SummaryRow[] = [
    row('disk', 'raw sequential pwrite', { mibPerSec: disk.writeMiBps, latencyMs: none, cpuMsPerMiB: { server: disk.writeCpuMsPerMiB } }, NaN, NaN, disk.writeMiBps),
    row('disk', 'raw sequential pread, warm', { mibPerSec: disk.readMiBps, latencyMs: none, cpuMsPerMiB: { server: disk.readCpuMsPerMiB } }, NaN, NaN, disk.readMiBps),
    row('disk', 'raw sequential pread, cold', { mibPerSec: disk.coldReadMiBps, latencyMs: none, cpuMsPerMiB: { server: NaN } }, NaN, NaN, disk.coldReadMiBps),
    ...produce.map((r) => row('produce', `${r.batchKiB} KiB batches, acks=1`, r.server, r.ratio, PRODUCE_TARGET, disk.writeMiBps)),
    ...produce.map((r) => row('produce', `${r.batchKiB} KiB, half load, ratio p99/p50`, r.half.load, r.half.load.latencyMs.p99 / r.half.load.latencyMs.p50, NaN, disk.writeMiBps)),
    ...fetch.map((r) => row('fetch', `${r.fetchKiB} KiB fetches`, r.server, r.ratio, FETCH_TARGET, disk.readMiBps)),
    ...(kcat ? [
      row('fetch', 'kcat consumer, warm', { ...kcat.warm, latencyMs: none }, kcat.warmRatio, FETCH_TARGET, disk.readMiBps),
      row('fetch', 'kcat consumer, cold', { ...kcat.cold, latencyMs: none }, kcat.coldRatio, NaN, disk.coldReadMiBps),
      // The transport alone (no protocol): the ratio here is warm kcat over it.
      row('fetch', 'loopback TCP to cat, warm', { mibPerSec: kcat.loopback.mibPerSec, latencyMs: none, cpuMsPerMiB: { server: kcat.loopback.cpuMsPerMiB.sender } }, kcat.loopbackRatio, NaN, disk.readMiBps),
    ] : []),
    ...chain.runs.map((r) => ({
      ...row('chain', `${r.nodes}-node, acks=-1`, r.load, r.nodes === 1 ? 1 : chain.ratio, r.nodes === 1 ? NaN : CHAIN_TARGET, disk.writeMiBps),
      // One request at a time: the commit path's latency, not queueing behind 32 others.
      p50Ms: r.latencyMs.p50,
      p99Ms: r.latencyMs.p99,
    })),
  ];
  return { produce, fetch, kcat, chain, disk, summary };
}

function row(bench: string, name: string, load: { mibPerSec: number; latencyMs: { p50: number; p99: number }; cpuMsPerMiB: { server: number } }, ratio: number, target: number, diskMiBps: number): SummaryRow {
  return {
    bench, case: name, mibPerSec: load.mibPerSec, cpuMsPerMiB: load.cpuMsPerMiB.server, p50Ms: load.latencyMs.p50, p99Ms: load.latencyMs.p99,
    ratio, target, ok: Number.isNaN(target) || ratio >= target, vsDisk: load.mibPerSec / diskMiBps,
  };
}

/** The summary as an aligned text table; `ratio` is the one each bench's target is about. */
export function formatSummary(rows: SummaryRow[]): string {
  const num = (x: number, digits: number): string => (Number.isNaN(x) ? '-' : x.toFixed(digits));
  const cells = [
    ['bench', 'case', 'MiB/s', 'cpu ms/MiB', 'vs disk', 'p50 ms', 'p99 ms', 'ratio', 'target', ''],
    ...rows.map((r) => [
      r.bench, r.case, r.mibPerSec.toFixed(0), num(r.cpuMsPerMiB, 2), r.vsDisk.toFixed(2), num(r.p50Ms, 2), num(r.p99Ms, 2),
      num(r.ratio, 2), Number.isNaN(r.target) ? '-' : `>= ${r.target}`, Number.isNaN(r.target) ? '' : r.ok ? 'ok' : 'BELOW',
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}
