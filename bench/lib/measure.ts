/** Timing and formatting helpers for benchmarks. */

export interface Throughput {
  bytes: number;
  seconds: number;
  mibPerSec: number;
  /** CPU milliseconds (this process, user + system) per MiB. */
  cpuMsPerMiB: number;
}

/** Runs `fn` once and reports bytes/second for the `bytes` it handled. */
export function timed(bytes: number, fn: () => void): Throughput {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const mib = bytes / (1024 * 1024);
  return { bytes, seconds, mibPerSec: mib / seconds, cpuMsPerMiB: (cpu.user + cpu.system) / 1000 / mib };
}

/** The run with the median throughput (rounds alternate between the two sides, so each gets the same conditions). */
export function median(runs: Throughput[]): Throughput {
  const sorted = [...runs].sort((a, b) => a.mibPerSec - b.mibPerSec);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The median of plain numbers. */
export function medianOf(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Throughput with its CPU per MiB, for one line of a report. */
export function fmt(t: Throughput): string {
  return `${t.mibPerSec.toFixed(0).padStart(6)} MiB/s  (${(t.bytes / (1024 * 1024)).toFixed(0)} MiB in ${t.seconds.toFixed(3)} s, cpu ${t.cpuMsPerMiB.toFixed(2)} ms/MiB)`;
}
