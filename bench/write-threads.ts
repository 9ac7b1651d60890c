/**
 * Write-threads benchmark: where a node writes produced batches to its segments, and with how many
 * threads. Three nodes are started per round, one per variant, each on a fresh data dir:
 *
 *   event-loop        --log-writes event-loop: one synchronous pwritev per partition group on the loop
 *   thread-pool x1    --log-writes thread-pool, UV_THREADPOOL_SIZE=1: the pwritev on one pool thread
 *   thread-pool x2    the same with two pool threads (two partitions' groups written at once)
 *
 *   npm run bench:write-threads -- [--mib 128] [--partitions 4] [--batch-kib 64] [--record 1024]
 *                                  [--connections 4] [--inflight 8] [--rounds 3] [--json]
 *
 * The load: `--mib` MiB of `--batch-kib` KiB batches as Produce v3 requests (acks=1), request i going to
 * partition i mod `--partitions`, `--inflight` deep on each of `--connections` connections, as fast as
 * the node answers. Reported per variant (medians of the rounds, which alternate the variants): MiB/s,
 * p50/p99 latency, the node's CPU ms per MiB and its cores (CPU seconds over wall seconds: above 1.0
 * means more than the event loop's thread worked), and the event loop's longest stall. Ratios: x2 over
 * x1 (does a second write thread add throughput?) and thread-pool x1 over event-loop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeProduceResponse, encodeProduceRequest } from '../node/src/protocol/apis/produce.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import { KafkaWire } from '../e2e/lib/kafka-wire.ts';
import { medianOf } from './lib/measure.ts';
import { runLoad, type LoadResult } from './lib/wire-load.ts';
import { loopDelayBetween, scrapeLoopDelay, startServer, stopServer, syncDisk } from './lib/server.ts';

const MiB = 1024 * 1024;
const PRODUCE_VERSION = 3;
const TOPIC = 'bench-write-threads';
/** Target (issue 19): two write threads reach 1.6x one on a multi-partition load. */
export const TARGET_RATIO = 1.6;

const VARIANTS = [
  { name: 'event-loop', env: { VONNEGUT_LOG_WRITES: 'event-loop' } },
  { name: 'thread-pool x1', env: { VONNEGUT_LOG_WRITES: 'thread-pool', UV_THREADPOOL_SIZE: '1' } },
  { name: 'thread-pool x2', env: { VONNEGUT_LOG_WRITES: 'thread-pool', UV_THREADPOOL_SIZE: '2' } },
] as const;

interface Options {
  mib: number;
  partitions: number;
  batchKib: number;
  recordBytes: number;
  connections: number;
  inflight: number;
  rounds: number;
}

interface Run {
  load: LoadResult;
  cores: number;
  loopMaxMs: number;
}

/** One Produce body per partition (the same batch bytes), encoded before timing. */
function bodies(o: Options): { bodies: Buffer[]; batchBytes: number; perBatch: number } {
  const perBatch = Math.max(1, Math.floor((o.batchKib * 1024) / (o.recordBytes + 12)));
  const records = encodeRecordBatch({ records: Array.from({ length: perBatch }, (_, i) => ({ value: Buffer.alloc(o.recordBytes, i & 0xff) })) });
  const out = Array.from({ length: o.partitions }, (_, index) => {
    const w = new Writer(records.length + 128);
    encodeProduceRequest(w, PRODUCE_VERSION, { transactionalId: null, acks: 1, timeoutMs: 30_000, topics: [{ name: TOPIC, partitions: [{ index, records }] }] });
    return Buffer.from(w.toBuffer());
  });
  return { bodies: out, batchBytes: records.length, perBatch };
}

async function runVariant(root: string, variant: (typeof VARIANTS)[number], o: Options): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(root, 'node-'));
  const node = await startServer(dir, undefined, { admin: true, env: { ...variant.env }, args: ['--default-partitions', String(o.partitions)] });
  try {
    const { bodies: pool, batchBytes, perBatch } = bodies(o);
    // Untimed: auto-creates the topic with every partition and warms each partition's first segment.
    const warm = await KafkaWire.connect(node.address);
    for (const body of pool) {
      const p = decodeProduceResponse(await warm.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, body), PRODUCE_VERSION).topics[0]!.partitions[0]!;
      if (p.errorCode !== 0) throw new Error(`warm-up produce failed: ${p.errorCode}\n${node.logTail()}`);
    }
    warm.close();
    syncDisk();
    const before = await scrapeLoopDelay(node);
    const load = await runLoad({
      address: node.address, connections: o.connections, inflight: o.inflight,
      requests: Math.max(o.partitions, Math.round((o.mib * MiB) / batchBytes)),
      serverPids: [node.child.pid],
      async issue(i, conn) {
        const r = await conn.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, pool[i % pool.length]!);
        const p = decodeProduceResponse(r, PRODUCE_VERSION).topics[0]!.partitions[0]!;
        if (p.errorCode !== 0) throw new Error(`produce ${i}: error ${p.errorCode}`);
        return { bytes: batchBytes, records: perBatch };
      },
    });
    const loop = loopDelayBetween(before, await scrapeLoopDelay(node));
    // CPU ms per MiB times MiB per second: CPU seconds per second, the cores the node kept busy.
    const cores = (load.cpuMsPerMiB.server * load.mibPerSec) / 1000;
    return { load, cores, loopMaxMs: loop.max };
  } finally {
    await stopServer(node);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs every variant `rounds` times, alternating; medians per variant. */
export async function runWriteThreadsBench(o: Options) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-write-threads-'));
  const runs = new Map<string, Run[]>(VARIANTS.map((v) => [v.name, []]));
  try {
    for (let r = 0; r < o.rounds; r++) {
      for (const v of VARIANTS) runs.get(v.name)!.push(await runVariant(root, v, o));
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const summary = VARIANTS.map((v) => {
    const rs = runs.get(v.name)!;
    return {
      variant: v.name,
      mibPerSec: medianOf(rs.map((x) => x.load.mibPerSec)),
      p50Ms: medianOf(rs.map((x) => x.load.latencyMs.p50)),
      p99Ms: medianOf(rs.map((x) => x.load.latencyMs.p99)),
      cpuMsPerMiB: medianOf(rs.map((x) => x.load.cpuMsPerMiB.server)),
      cores: medianOf(rs.map((x) => x.cores)),
      maxCores: Math.max(...rs.map((x) => x.cores)),
      loopMaxMs: medianOf(rs.map((x) => x.loopMaxMs)),
      rounds: rs.map((x) => x.load.mibPerSec),
    };
  });
  const [loop, x1, x2] = summary as [typeof summary[0], typeof summary[0], typeof summary[0]];
  return { summary, twoOverOne: x2.mibPerSec / x1.mibPerSec, poolOverLoop: x1.mibPerSec / loop.mibPerSec, p99PoolOverLoop: x1.p99Ms / loop.p99Ms };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mib: { type: 'string', default: '128' }, partitions: { type: 'string', default: '4' }, 'batch-kib': { type: 'string', default: '64' },
      record: { type: 'string', default: '1024' }, connections: { type: 'string', default: '4' }, inflight: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
    },
  });
  const o: Options = {
    mib: Number(values.mib), partitions: Number(values.partitions), batchKib: Number(values['batch-kib']), recordBytes: Number(values.record),
    connections: Number(values.connections), inflight: Number(values.inflight), rounds: Number(values.rounds),
  };
  const res = await runWriteThreadsBench(o);
  if (values.json) {
    console.log(JSON.stringify({ config: { ...o, target: TARGET_RATIO }, ...res }, null, 2));
    return;
  }
  console.log(`write-threads bench: ${o.mib} MiB of ${o.batchKib} KiB batches over ${o.partitions} partitions, acks=1, ${o.connections} connections x ${o.inflight} in flight, median of ${o.rounds} rounds, ${os.cpus().length} cores here`);
  for (const s of res.summary) {
    console.log(`  ${s.variant.padEnd(15)} ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s (rounds ${s.rounds.map((x) => x.toFixed(0)).join(' ')})  p50 ${s.p50Ms.toFixed(2)} ms p99 ${s.p99Ms.toFixed(2)} ms  ` +
      `cpu ${s.cpuMsPerMiB.toFixed(2)} ms/MiB  cores ${s.cores.toFixed(2)} (max ${s.maxCores.toFixed(2)})  loop stall max ${s.loopMaxMs.toFixed(1)} ms`);
  }
  console.log(`  thread-pool x2 / x1 throughput ${res.twoOverOne.toFixed(2)} (target ${TARGET_RATIO})  thread-pool x1 / event-loop throughput ${res.poolOverLoop.toFixed(2)}, p99 ${res.p99PoolOverLoop.toFixed(2)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
