/**
 * Every server bench in sequence (produce, fetch, chain), then one summary table of what each measured
 * against its target. `npm run bench` runs this; the `vonnegut bench` CLI command calls runAllBenches.
 *
 *   npm run bench -- [--mib 128] [--rounds 3] [--json]      (the `vonnegut bench` command)
 *
 * `--mib` is the data per batch size and round in each bench; the benches' own scripts take the full
 * set of flags (npm run bench:produce / bench:fetch / bench:chain).
 */
import { formatChain, runChainBench, TARGET_RATIO as CHAIN_TARGET, type ChainBenchResult } from './chain.ts';
import { formatFetch, runFetchBench, TARGET_RATIO as FETCH_TARGET, type FetchBenchResult } from './fetch.ts';
import { formatProduce, runProduceBench, TARGET_RATIO as PRODUCE_TARGET, type ProduceBenchResult } from './produce.ts';

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
  bench: string;
  case: string;
  mibPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** What the target compares: server / storage-only, or 3-node / 1-node. */
  ratio: number;
  target: number;
  ok: boolean;
}

export interface AllBenchResult {
  produce: ProduceBenchResult[];
  fetch: FetchBenchResult[];
  chain: ChainBenchResult;
  summary: SummaryRow[];
}

/** Runs produce, fetch and chain benches one after another (never concurrently: they share the CPU). */
export async function runAllBenches(opts: AllBenchOptions = {}): Promise<AllBenchResult> {
  const mib = opts.mib ?? 128;
  const rounds = opts.rounds ?? 3;
  const progress = opts.progress ?? true;
  const report = opts.onReport ?? (() => {});
  const common = { recordBytes: 1024, connections: 4, inflight: 8, rounds, progress };

  const produce = await runProduceBench({ ...common, mib, batchKibs: [64, 256], acks: 1 });
  report(produce.map(formatProduce));
  const fetch = (await runFetchBench({ ...common, mib, batchKib: 64, fetchKibs: [256, 1024] })).results;
  report(fetch.map(formatFetch));
  const chain = await runChainBench({ ...common, mib, batchKib: 64, latencyRequests: 300 });
  report(formatChain(chain));

  const summary: SummaryRow[] = [
    ...produce.map((r) => row('produce', `${r.batchKiB} KiB batches, acks=1`, r.server, r.ratio, PRODUCE_TARGET)),
    ...fetch.map((r) => row('fetch', `${r.fetchKiB} KiB fetches`, r.server, r.ratio, FETCH_TARGET)),
    ...chain.runs.map((r) => ({
      ...row('chain', `${r.nodes}-node, acks=-1`, r.load, r.nodes === 1 ? 1 : chain.ratio, r.nodes === 1 ? NaN : CHAIN_TARGET),
      // One request at a time: the commit path's latency, not queueing behind 32 others.
      p50Ms: r.latencyMs.p50,
      p99Ms: r.latencyMs.p99,
    })),
  ];
  return { produce, fetch, chain, summary };
}

function row(bench: string, name: string, load: { mibPerSec: number; latencyMs: { p50: number; p99: number } }, ratio: number, target: number): SummaryRow {
  return { bench, case: name, mibPerSec: load.mibPerSec, p50Ms: load.latencyMs.p50, p99Ms: load.latencyMs.p99, ratio, target, ok: Number.isNaN(target) || ratio >= target };
}

/** The summary as an aligned text table. */
export function formatSummary(rows: SummaryRow[]): string {
  const cells = [
    ['bench', 'case', 'MiB/s', 'p50 ms', 'p99 ms', 'ratio', 'target', ''],
    ...rows.map((r) => [
      r.bench, r.case, r.mibPerSec.toFixed(0), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2),
      r.ratio.toFixed(2), Number.isNaN(r.target) ? '-' : `>= ${r.target}`, Number.isNaN(r.target) ? '' : r.ok ? 'ok' : 'BELOW',
    ]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}
