/**
 * One produce load against several configurations of the node ("variants": environment and flags),
 * a fresh node per variant per round, rounds alternating the variants so the shared machine's noise hits
 * them alike. The load: `mib` MiB of `batchKib` KiB batches of `recordBytes`-byte records as Produce v3
 * requests (acks=1), request i going to partition i mod `partitions`, `inflight` deep on each of
 * `connections` connections, as fast as the node answers. Per variant (medians of the rounds): MiB/s,
 * p50/p99, the node's CPU ms per MiB, its cores (CPU seconds over wall seconds: above 1.0 means more than
 * the event loop's thread worked) and the event loop's longest stall.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiKey } from '../../node/src/protocol/api-keys.ts';
import { decodeProduceResponse, encodeProduceRequest } from '../../node/src/protocol/apis/produce.ts';
import { encodeRecordBatch } from '../../node/src/protocol/record-batch.ts';
import { Writer } from '../../node/src/protocol/writer.ts';
import { KafkaWire } from '../../e2e/lib/kafka-wire.ts';
import { medianOf } from './measure.ts';
import { PRODUCE_VERSION, produceLoad } from '../produce.ts';
import { loopDelayBetween, scrapeLoopDelay, startServer, stopServer, syncDisk } from './server.ts';

const MiB = 1024 * 1024;

export interface Variant {
  name: string;
  env?: Record<string, string>;
  args?: string[];
}

export interface VariantLoad {
  topic: string;
  mib: number;
  partitions: number;
  batchKib: number;
  recordBytes: number;
  connections: number;
  inflight: number;
  rounds: number;
  /** Untimed, before the load: e.g. creates the topic with its configs (else auto-created). */
  setup?: (address: string) => Promise<void>;
}

export interface VariantSummary {
  variant: string;
  mibPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerMiB: number;
  cores: number;
  maxCores: number;
  loopMaxMs: number;
  /** MiB/s of each round. */
  rounds: number[];
}

interface Run {
  mibPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerMiB: number;
  cores: number;
  loopMaxMs: number;
}

/** One Produce body per partition (the same batch bytes), encoded before timing. */
function bodies(o: VariantLoad): { bodies: Buffer[]; batchBytes: number; perBatch: number } {
  const perBatch = Math.max(1, Math.floor((o.batchKib * 1024) / (o.recordBytes + 12)));
  // Records that compress like text, not like zeros: a recompressing node does real work on them.
  const records = encodeRecordBatch({ records: Array.from({ length: perBatch }, (_, i) => ({ value: Buffer.from(`record ${i} `.repeat(o.recordBytes).slice(0, o.recordBytes)) })) });
  const out = Array.from({ length: o.partitions }, (_, index) => {
    const w = new Writer(records.length + 128);
    encodeProduceRequest(w, PRODUCE_VERSION, { transactionalId: null, acks: 1, timeoutMs: 30_000, topics: [{ name: o.topic, partitions: [{ index, records }] }] });
    return Buffer.from(w.toBuffer());
  });
  return { bodies: out, batchBytes: records.length, perBatch };
}

async function runVariant(root: string, v: Variant, o: VariantLoad): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(root, 'node-'));
  const node = await startServer(dir, undefined, { admin: true, env: v.env ?? {}, args: ['--default-partitions', String(o.partitions), ...(v.args ?? [])] });
  try {
    await o.setup?.(node.address);
    const { bodies: pool, batchBytes, perBatch } = bodies(o);
    // Untimed: creates the topic if setup did not, and warms each partition's first segment.
    const warm = await KafkaWire.connect(node.address);
    for (const body of pool) {
      const p = decodeProduceResponse(await warm.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, body), PRODUCE_VERSION).topics[0]!.partitions[0]!;
      if (p.errorCode !== 0) throw new Error(`warm-up produce failed: ${p.errorCode}\n${node.logTail()}`);
    }
    warm.close();
    syncDisk();
    const before = await scrapeLoopDelay(node);
    const requests = Math.max(o.partitions, Math.round((o.mib * MiB) / batchBytes));
    // produceLoad cycles through the bodies: request i goes to partition i mod partitions.
    const load = await produceLoad(node.address, pool, batchBytes, perBatch, requests, { connections: o.connections, inflight: o.inflight, serverPids: [node.child.pid] });
    const loop = loopDelayBetween(before, await scrapeLoopDelay(node));
    return {
      mibPerSec: load.mibPerSec, p50Ms: load.latencyMs.p50, p99Ms: load.latencyMs.p99, cpuMsPerMiB: load.cpuMsPerMiB.server,
      // CPU ms per MiB times MiB per second: CPU seconds per second, the cores the node kept busy.
      cores: (load.cpuMsPerMiB.server * load.mibPerSec) / 1000, loopMaxMs: loop.max,
    };
  } finally {
    await stopServer(node);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every variant `rounds` times, alternating; medians per variant, in the variants' order. */
export async function runVariants(variants: readonly Variant[], o: VariantLoad): Promise<VariantSummary[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-variants-'));
  const runs = new Map<string, Run[]>(variants.map((v) => [v.name, []]));
  try {
    for (let r = 0; r < o.rounds; r++) {
      for (const v of variants) runs.get(v.name)!.push(await runVariant(root, v, o));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return variants.map((v) => {
    const rs = runs.get(v.name)!;
    const med = (f: (x: Run) => number) => medianOf(rs.map(f));
    return {
      variant: v.name, mibPerSec: med((x) => x.mibPerSec), p50Ms: med((x) => x.p50Ms), p99Ms: med((x) => x.p99Ms),
      cpuMsPerMiB: med((x) => x.cpuMsPerMiB), cores: med((x) => x.cores), maxCores: Math.max(...rs.map((x) => x.cores)),
      loopMaxMs: med((x) => x.loopMaxMs), rounds: rs.map((x) => x.mibPerSec),
    };
  });
}

/** One line per variant, as the variant benches print them. */
export function variantLine(s: VariantSummary): string {
  return `  ${s.variant.padEnd(16)} ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s (rounds ${s.rounds.map((x) => x.toFixed(0)).join(' ')})  p50 ${s.p50Ms.toFixed(2)} ms p99 ${s.p99Ms.toFixed(2)} ms  ` +
    `cpu ${s.cpuMsPerMiB.toFixed(2)} ms/MiB  cores ${s.cores.toFixed(2)} (max ${s.maxCores.toFixed(2)})  loop stall max ${s.loopMaxMs.toFixed(1)} ms`;
}

/** The load options every variant bench takes, with their defaults. */
export const VARIANT_LOAD_ARGS = {
  mib: { type: 'string', default: '128' }, partitions: { type: 'string', default: '4' }, 'batch-kib': { type: 'string', default: '64' },
  record: { type: 'string', default: '1024' }, connections: { type: 'string', default: '4' }, inflight: { type: 'string', default: '8' },
  rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
} as const;

/** The load options from parsed VARIANT_LOAD_ARGS. */
export function variantLoadOf(topic: string, v: Record<string, string | boolean | undefined>): VariantLoad {
  const n = (k: string) => Number(v[k]);
  return { topic, mib: n('mib'), partitions: n('partitions'), batchKib: n('batch-kib'), recordBytes: n('record'), connections: n('connections'), inflight: n('inflight'), rounds: n('rounds') };
}
