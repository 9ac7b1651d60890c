/**
 * Flush-policy benchmark: what Kafka's flush.messages / flush.ms cost a producer. One `vonnegut serve`
 * child process per policy takes the same pipelined acks=1 load (bench/produce.ts's generator), and in
 * the same run the raw disk is measured twice: sequential writes alone, and each write followed by an
 * fsync (the floor for "every batch durable before its ack").
 *
 *   npm run bench:flush -- [--mib 64] [--batch-kib 16] [--record 1024] [--connections 4] [--inflight 8]
 *                          [--policies none,ms=1000,ms=100,messages=1000,messages=1] [--json]
 *
 * Ratios: each policy against "none" (what durability costs the server) and against the raw disk with
 * the matching fsync behaviour (how close the server gets to the disk).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { timed, type Throughput } from './lib/measure.ts';
import { progress } from './lib/progress.ts';
import { startServer, stopServer, syncDisk } from './lib/server.ts';
import type { LoadResult } from './lib/wire-load.ts';
import { produceLoad, producePool } from './produce.ts';
import { KafkaWire } from '../e2e/lib/kafka-wire.ts';

const MiB = 1024 * 1024;

export interface FlushPolicy {
  name: string;
  args: string[];
  /** Whether every acknowledged batch is on disk (compare with the fsync-per-write baseline). */
  everyBatch: boolean;
}

/** `none`, `ms=N` or `messages=N` → serve flags. */
export function parsePolicy(spec: string): FlushPolicy {
  if (spec === 'none') return { name: 'none', args: [], everyBatch: false };
  const m = /^(ms|messages)=(\d+)$/.exec(spec);
  if (!m) throw new Error(`flush policy must be none, ms=N or messages=N, got ${spec}`);
  const flag = m[1] === 'ms' ? '--flush-ms' : '--flush-messages';
  return { name: `flush.${m[1]}=${m[2]}`, args: [flag, m[2]!], everyBatch: m[1] === 'messages' && Number(m[2]) === 1 };
}

export interface FlushBenchResult {
  policy: string;
  load: LoadResult;
  /** Throughput over the no-policy run's. */
  vsNone: number;
  /** Throughput over the raw disk baseline with the same fsync behaviour. */
  vsRaw: number;
}

/** Raw sequential writes of `count` × `batch` bytes to one file, optionally fsyncing after each. */
function rawAppend(dir: string, batch: Buffer, count: number, fsyncEach: boolean): Throughput {
  const file = path.join(dir, `raw-${fsyncEach ? 'fsync' : 'plain'}.bin`);
  const fd = fs.openSync(file, 'w');
  try {
    return timed(count * batch.length, () => {
      for (let i = 0, pos = 0; i < count; i++, pos += batch.length) {
        fs.writeSync(fd, batch, 0, batch.length, pos);
        if (fsyncEach) fs.fsyncSync(fd);
      }
    });
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
}

export async function runFlushBench(o: { mib: number; batchKib: number; recordBytes: number; connections: number; inflight: number; policies: FlushPolicy[]; progress: boolean }): Promise<{ raw: { plain: Throughput; fsyncEach: Throughput }; results: FlushBenchResult[] }> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-flush-'));
  const topic = 'flush';
  const { batches, bodies, perBatch } = producePool(topic, o.batchKib * 1024, o.recordBytes, 1);
  const batchBytes = batches[0]!.length;
  const count = Math.max(1, Math.round((o.mib * MiB) / batchBytes));
  const bar = progress(count * batchBytes * o.policies.length, o.progress);
  try {
    syncDisk();
    const plain = rawAppend(root, batches[0]!, count, false);
    syncDisk();
    // fsync per write is slow: a tenth of the writes gives a stable rate.
    const fsyncEach = rawAppend(root, batches[0]!, Math.max(50, Math.round(count / 10)), true);
    const loads: { policy: FlushPolicy; load: LoadResult }[] = [];
    for (const policy of o.policies) {
      syncDisk();
      bar.phase(policy.name);
      const node = await startServer(path.join(root, policy.name), undefined, { args: policy.args });
      try {
        const warm = await KafkaWire.connect(node.address);
        await warm.sendEncodedBody(0, 3, bodies[0]!); // creates the topic, untimed
        warm.close();
        loads.push({ policy, load: await produceLoad(node.address, bodies, batchBytes, perBatch, count, { connections: o.connections, inflight: o.inflight, onDone: (b) => bar.add(b), serverPids: [node.child.pid] }) });
      } finally {
        await stopServer(node);
      }
    }
    const none = loads.find((l) => l.policy.name === 'none')?.load.mibPerSec ?? NaN;
    const results = loads.map(({ policy, load }) => ({
      policy: policy.name, load,
      vsNone: load.mibPerSec / none,
      vsRaw: load.mibPerSec / (policy.everyBatch ? fsyncEach.mibPerSec : plain.mibPerSec),
    }));
    return { raw: { plain, fsyncEach }, results };
  } finally {
    bar.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The results as an aligned table. */
export function formatFlush(raw: { plain: Throughput; fsyncEach: Throughput }, results: FlushBenchResult[]): string {
  const rows = [
    ['policy', 'MiB/s', 'cpu ms/MiB', 'p50 ms', 'p99 ms', 'vs none', 'vs raw disk'],
    ['raw disk, write', raw.plain.mibPerSec.toFixed(0), raw.plain.cpuMsPerMiB.toFixed(2), '', '', '', ''],
    ['raw disk, write+fsync each', raw.fsyncEach.mibPerSec.toFixed(1), raw.fsyncEach.cpuMsPerMiB.toFixed(2), '', '', '', ''],
    ...results.map((r) => [r.policy, r.load.mibPerSec.toFixed(1), r.load.cpuMsPerMiB.server.toFixed(2), r.load.latencyMs.p50.toFixed(2), r.load.latencyMs.p99.toFixed(2), r.vsNone.toFixed(2), r.vsRaw.toFixed(2)]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { values: a } = parseArgs({
    options: {
      mib: { type: 'string', default: '64' },
      'batch-kib': { type: 'string', default: '16' },
      record: { type: 'string', default: '1024' },
      connections: { type: 'string', default: '4' },
      inflight: { type: 'string', default: '8' },
      policies: { type: 'string', default: 'none,ms=1000,ms=100,messages=1000,messages=1' },
      json: { type: 'boolean', default: false },
    },
  });
  const opts = {
    mib: Number(a.mib), batchKib: Number(a['batch-kib']), recordBytes: Number(a.record),
    connections: Number(a.connections), inflight: Number(a.inflight),
    policies: a.policies.split(',').map(parsePolicy), progress: !a.json && process.stderr.isTTY === true,
  };
  const { raw, results } = await runFlushBench(opts);
  if (a.json) {
    console.log(JSON.stringify({ config: { ...opts, policies: opts.policies.map((p) => p.name) }, raw, results }, null, 2));
    return;
  }
  console.log(`flush bench: ${opts.mib} MiB per policy, ${opts.batchKib} KiB batches of ${opts.recordBytes} B records, acks=1, ${opts.connections} connections x ${opts.inflight} in flight`);
  console.log(formatFlush(raw, results));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
