/**
 * The one workload every system of the peers bench gets: `producers` concurrent producers, each with
 * its own client (one connection), pulling operation numbers from one shared counter. One operation is
 * `batch` 1 KiB records sent at once and awaited until every one is acknowledged; how a system carries
 * those records (one request, or one pipelined command per record) is its adapter's business, and is
 * printed with the results. Latency is per operation, from the first send to the last acknowledgement.
 */
import { quantile } from './wire-load.ts';

/** One producer's connection to a system under test. */
export interface PeerProducer {
  /** Sends `records` as one operation; resolves once all are acknowledged, rejects on any error. */
  send(records: Buffer[]): Promise<void>;
  close(): Promise<void>;
}

export interface PeerLoadOptions {
  producers: PeerProducer[];
  /** Records per operation. */
  batch: number;
  /** The records, sent in order in slices of `batch`; the total is `values.length`. */
  values: Buffer[];
  onDone?(bytes: number): void;
}

export interface PeerLoadResult {
  bytes: number;
  records: number;
  operations: number;
  seconds: number;
  mibPerSec: number;
  recordsPerSec: number;
  /** Per operation. */
  latencyMs: { p50: number; p99: number; max: number };
}

/** Runs the workload on `producers` (one worker each) until every record is acknowledged. */
export async function runPeerLoad(o: PeerLoadOptions): Promise<PeerLoadResult> {
  const operations = Math.ceil(o.values.length / o.batch);
  const latencies = new Float64Array(operations);
  let next = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  await Promise.all(o.producers.map(async (p) => {
    for (let i = next++; i < operations; i = next++) {
      const slice = o.values.slice(i * o.batch, (i + 1) * o.batch);
      const t0 = process.hrtime.bigint();
      await p.send(slice);
      latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
      const n = slice.reduce((sum, v) => sum + v.length, 0);
      bytes += n;
      o.onDone?.(n);
    }
  }));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort();
  return {
    bytes, records: o.values.length, operations, seconds,
    mibPerSec: bytes / (1024 * 1024) / seconds,
    recordsPerSec: o.values.length / seconds,
    latencyMs: { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies[latencies.length - 1] ?? NaN },
  };
}

/** `count` distinct records of `size` bytes (a counter in the first four bytes), made once per run. */
export function peerRecords(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const b = Buffer.alloc(size, i % 251);
    b.writeUInt32BE(i >>> 0, 0);
    return b;
  });
}
