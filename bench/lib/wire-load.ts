/**
 * A pipelined load generator over vonnegut's own wire client: `connections` TCP connections, each with
 * `inflight` requests outstanding at all times, pulling request numbers from one shared counter until
 * `requests` have been answered. Records each request's latency (send to response) for percentiles.
 */
import { KafkaWire } from '../../e2e/lib/kafka-wire.ts';
import { cpuSeconds } from './server.ts';

export interface LoadOptions {
  address: string;
  connections: number;
  inflight: number;
  requests: number;
  /** Sends request `i` on `conn` and resolves with the payload bytes and records it moved. */
  issue(i: number, conn: KafkaWire): Promise<{ bytes: number; records: number }>;
  /** Called after each response with the bytes it moved (for a progress bar). */
  onDone?(bytes: number): void;
  /** Server processes whose CPU time is reported per MiB moved (see cpuSeconds). */
  serverPids?: (number | undefined)[];
  /**
   * Open-loop pacing: request `i` is sent no earlier than `i / ratePerSec` seconds after the start, and its
   * latency counts from that scheduled time (so a request held back by a slow one is not forgiven: no
   * coordinated omission). Unset: every worker sends as soon as its previous answer arrives.
   */
  ratePerSec?: number;
}

export interface LoadResult {
  bytes: number;
  records: number;
  requests: number;
  seconds: number;
  mibPerSec: number;
  recordsPerSec: number;
  latencyMs: { p50: number; p99: number; max: number };
  /**
   * CPU milliseconds per MiB moved: the server processes together, each of them (in `serverPids` order:
   * a chain's members), and this load generator.
   */
  cpuMsPerMiB: { server: number; perServer: number[]; client: number };
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Opens `n` connections. */
export async function connectAll(address: string, n: number): Promise<KafkaWire[]> {
  return Promise.all(Array.from({ length: n }, () => KafkaWire.connect(address)));
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const conns = await connectAll(opts.address, opts.connections);
  const latencies = new Float64Array(opts.requests);
  let next = 0;
  let bytes = 0;
  let records = 0;
  const pids = opts.serverPids ?? [];
  const server0 = pids.map(cpuSeconds);
  const client0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const worker = async (conn: KafkaWire): Promise<void> => {
    for (let i = next++; i < opts.requests; i = next++) {
      let t0 = process.hrtime.bigint();
      if (opts.ratePerSec) {
        const due = start + BigInt(Math.round((i / opts.ratePerSec) * 1e9));
        if (due > t0) await new Promise((r) => setTimeout(r, Number(due - t0) / 1e6));
        t0 = due;
      }
      const r = await opts.issue(i, conn);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      bytes += r.bytes;
      records += r.records;
      opts.onDone?.(r.bytes);
    }
  };
  try {
    await Promise.all(conns.flatMap((c) => Array.from({ length: opts.inflight }, () => worker(c))));
  } finally {
    for (const c of conns) c.close();
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const client = process.cpuUsage(client0);
  const mib = bytes / (1024 * 1024);
  const perServer = pids.map((pid, i) => ((cpuSeconds(pid) - server0[i]!) * 1000) / mib);
  const cpuMsPerMiB = { server: perServer.reduce((a, b) => a + b, 0), perServer, client: (client.user + client.system) / 1000 / mib };
  latencies.sort();
  return {
    bytes, records, requests: opts.requests, seconds,
    mibPerSec: bytes / (1024 * 1024) / seconds,
    recordsPerSec: records / seconds,
    latencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies[latencies.length - 1] ?? NaN },
    cpuMsPerMiB,
  };
}

/** The run with the median throughput. */
export function medianLoad(runs: LoadResult[]): LoadResult {
  return [...runs].sort((a, b) => a.mibPerSec - b.mibPerSec)[Math.floor(runs.length / 2)]!;
}
