/**
 * The peers bench's results as numbers and text: one row per system, and the ratios issue 8 sets targets
 * for (vonnegut's throughput over each peer's, and for the 3-node chain its p99 over JetStream R3's).
 */

/** The systems, in the order they run and print. */
export const SYSTEMS = {
  vonnegut1: 'vonnegut 1-node',
  vonnegut3: 'vonnegut 3-node chain',
  jetstream1: 'JetStream R1',
  jetstream3: 'JetStream R3',
  redis: 'Redis streams',
} as const;
export type SystemName = (typeof SYSTEMS)[keyof typeof SYSTEMS];

export interface PeerRow {
  system: SystemName;
  mibPerSec: number;
  recordsPerSec: number;
  /** Per operation (one batch of records, all acknowledged). */
  p50Ms: number;
  p99Ms: number;
  /** CPU milliseconds of the system's server processes per MiB written. */
  serverCpuMsPerMiB: number;
  /** CPU milliseconds of the load generator (the system's official client) per MiB written. */
  clientCpuMsPerMiB: number;
}

export interface PeerTarget {
  ours: SystemName;
  theirs: SystemName;
  /** Least throughput ratio ours/theirs. */
  throughput: number;
  /** Whether ours' p99 must be no worse than theirs'. */
  p99NoWorse: boolean;
}

/** Issue 8's targets. */
export const PEER_TARGETS: readonly PeerTarget[] = [
  { ours: SYSTEMS.vonnegut3, theirs: SYSTEMS.jetstream3, throughput: 1.5, p99NoWorse: true },
  { ours: SYSTEMS.vonnegut1, theirs: SYSTEMS.jetstream1, throughput: 1.5, p99NoWorse: false },
  { ours: SYSTEMS.vonnegut1, theirs: SYSTEMS.redis, throughput: 1.5, p99NoWorse: false },
];

export interface PeerRatio extends PeerTarget {
  /** ours MiB/s over theirs. */
  throughputRatio: number;
  /** ours p99 over theirs (below 1: ours is better). */
  p99Ratio: number;
  ok: boolean;
}

/** The target ratios for the systems present in `rows` (a target whose systems did not run is left out). */
export function peerRatios(rows: PeerRow[], targets: readonly PeerTarget[] = PEER_TARGETS): PeerRatio[] {
  const by = new Map(rows.map((r) => [r.system, r]));
  return targets.flatMap((t) => {
    const ours = by.get(t.ours);
    const theirs = by.get(t.theirs);
    if (!ours || !theirs) return [];
    const throughputRatio = ours.mibPerSec / theirs.mibPerSec;
    const p99Ratio = ours.p99Ms / theirs.p99Ms;
    const ok = throughputRatio >= t.throughput && (!t.p99NoWorse || p99Ratio <= 1);
    return [{ ...t, throughputRatio, p99Ratio, ok }];
  });
}

/** Rows of cells as aligned text: the first `left` columns left-aligned, the rest right-aligned. */
export function alignTable(cells: string[][], left = 1): string {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]?.length ?? 0)));
  return cells.map((c) => c.map((v, i) => (i < left ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd()).join('\n');
}

/** The results table, one row per system, with each row's throughput relative to JetStream R3's. */
export function formatPeerTable(rows: PeerRow[]): string {
  const base = rows.find((r) => r.system === SYSTEMS.jetstream3);
  return alignTable([
    ['system', 'MiB/s', 'records/s', 'p50 ms', 'p99 ms', 'x JetStream R3', 'cpu ms/MiB server', 'client'],
    ...rows.map((r) => [
      r.system, r.mibPerSec.toFixed(1), r.recordsPerSec.toFixed(0), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2),
      base ? `${(r.mibPerSec / base.mibPerSec).toFixed(2)}x` : '-', r.serverCpuMsPerMiB.toFixed(1), r.clientCpuMsPerMiB.toFixed(1),
    ]),
  ]);
}

/** One line per target: the throughput ratio, the p99 ratio, and whether the target is met. */
export function formatPeerRatios(ratios: PeerRatio[]): string[] {
  return ratios.map((r) => {
    const p99 = `p99 ${r.p99Ratio.toFixed(2)}x${r.p99NoWorse ? ' (target <= 1x)' : ''}`;
    return `${r.ours} / ${r.theirs}: throughput ${r.throughputRatio.toFixed(2)}x (target >= ${r.throughput}x), ${p99}  ${r.ok ? 'ok' : 'BELOW target'}`;
  });
}
