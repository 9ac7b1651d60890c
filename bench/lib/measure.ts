/** Timing and formatting helpers for benchmarks. */

export interface Throughput {
  bytes: number;
  seconds: number;
  mibPerSec: number;
}

/** Runs `fn` once and reports bytes/second for the `bytes` it handled. */
export function timed(bytes: number, fn: () => void): Throughput {
  const start = process.hrtime.bigint();
  fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { bytes, seconds, mibPerSec: bytes / (1024 * 1024) / seconds };
}

/** The run with the median throughput (rounds alternate between the two sides, so each gets the same conditions). */
export function median(runs: Throughput[]): Throughput {
  const sorted = [...runs].sort((a, b) => a.mibPerSec - b.mibPerSec);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function fmt(t: Throughput): string {
  return `${t.mibPerSec.toFixed(0).padStart(6)} MiB/s  (${(t.bytes / (1024 * 1024)).toFixed(0)} MiB in ${t.seconds.toFixed(3)} s)`;
}
