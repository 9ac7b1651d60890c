/**
 * Produce benchmark: a pipelined load generator against one `vonnegut serve` child process, and, in the
 * same run, the storage-only throughput of the same bytes appended through the storage library directly.
 *
 *   npm run bench:produce -- [--mib 256] [--batch-kib 64,256] [--record 1024] [--connections 4]
 *                            [--inflight 8] [--acks 1] [--rounds 3] [--profile DIR] [--json]
 *
 * For each batch size: `--mib` MiB of `--record`-byte records in RecordBatch v2 batches of about
 * `--batch-kib` KiB, sent as Produce v3 requests (acks 1 by default) with `--inflight` requests
 * outstanding on each of `--connections` connections. Request bodies are encoded once before timing and
 * reused, so the client spends its time on the socket. The storage-only side appends the same batches
 * through LogManager/PartitionLog.append in this process. Neither side fsyncs while timed; `sync` runs
 * before each timed phase so both start without dirty pages to write back. Rounds alternate the two
 * sides and medians are reported. Target: the server reaches at least half of storage-only.
 * Then the same bytes once more, paced (open loop) at half the median server throughput: p50/p99 there
 * is latency without a saturated queue in front (target: p99 <= 5x p50). Around every server phase the
 * node's event-loop delay is scraped from its /metrics (vonnegut_event_loop_delay_seconds), so a p99
 * far above p50 can be told apart as loop stalls (synchronous work, GC) or not.
 *
 * Besides throughput, CPU milliseconds per MiB are reported for the server process, this load
 * generator and storage-only: on a shared 2-core machine throughput follows other people's load, CPU
 * per MiB much less, and it shows whether the server or the load generator is the bottleneck.
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
import { median, medianOf, type Throughput } from './lib/measure.ts';
import { progress } from './lib/progress.ts';
import { medianLoad, runLoad, type LoadResult } from './lib/wire-load.ts';
import { appendThroughStorage } from './lib/storage-baseline.ts';
import { loopDelayBetween, scrapeLoopDelay, startServer, stopServer, syncDisk, type LoopDelay } from './lib/server.ts';

const MiB = 1024 * 1024;
/** Distinct pre-encoded batches cycled through. */
const POOL = 8;
/** Record overhead in a batch for a 1 KiB value with no key or headers (length, attributes, deltas, sizes). */
const RECORD_OVERHEAD = 12;
/** The Produce version every produce load here sends (acks, no transactional id). */
export const PRODUCE_VERSION = 3;
export const TARGET_RATIO = 0.5;
/** Issue 19: at half the maximum throughput, p99 latency within 5x p50. */
export const HALF_LOAD_P99_OVER_P50 = 5;

const parseOptions = () => parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    'batch-kib': { type: 'string', default: '64,256' },
    record: { type: 'string', default: '1024' },
    connections: { type: 'string', default: '4' },
    inflight: { type: 'string', default: '8' },
    acks: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    /** Write a V8 CPU profile of the server process into this directory (node --cpu-prof). */
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
}).values;

export interface ProduceBenchOptions {
  mib: number;
  batchKibs: number[];
  recordBytes: number;
  connections: number;
  inflight: number;
  acks: number;
  rounds: number;
  profile?: string;
  /** Show a progress bar on stderr. */
  progress?: boolean;
}

export interface ProduceBenchResult {
  batchKiB: number;
  batchBytes: number;
  recordsPerBatch: number;
  batches: number;
  server: LoadResult;
  storageMiBps: number;
  storageCpuMsPerMiB: number;
  /** Server throughput over storage-only throughput, medians of the rounds. */
  ratio: number;
  /** Storage-only CPU per MiB over the server's: how much of its CPU the server spends on storage work. */
  cpuRatio: number;
  /** The server's event-loop delay during the median round. */
  loopDelay: LoopDelay;
  /** Paced at half the median round's throughput (open loop): latency where queueing should not dominate. */
  half: { load: LoadResult; loopDelay: LoopDelay };
}

/** `POOL` batches of about `batchBytes` each, and the Produce bodies that carry them; `key` names record i of batch b. */
export function producePool(topic: string, batchBytes: number, recordSize: number, acks = 1, key?: (b: number, i: number, perBatch: number) => string): { batches: Buffer[]; bodies: Buffer[]; perBatch: number } {
  const perBatch = Math.max(1, Math.floor((batchBytes - 61) / (recordSize + RECORD_OVERHEAD + (key ? 8 : 0))));
  const batches = Array.from({ length: POOL }, (_, b) =>
    encodeRecordBatch({ records: Array.from({ length: perBatch }, (_, i) => ({ ...(key ? { key: key(b, i, perBatch) } : {}), value: Buffer.alloc(recordSize, (b * 31 + i) & 0xff) })) }));
  const bodies = batches.map((records) => {
    const w = new Writer(records.length + 128);
    encodeProduceRequest(w, PRODUCE_VERSION, { transactionalId: null, acks, timeoutMs: 30_000, topics: [{ name: topic, partitions: [{ index: 0, records }] }] });
    return Buffer.from(w.toBuffer());
  });
  return { batches, bodies, perBatch };
}

/** Sends `count` produce requests cycling through `bodies`; fails on any error code. */
export async function produceLoad(address: string, bodies: Buffer[], batchBytes: number, perBatch: number, count: number, opts: { connections: number; inflight: number; onDone?: (bytes: number) => void; serverPids?: (number | undefined)[]; ratePerSec?: number }): Promise<LoadResult> {
  return runLoad({
    address, connections: opts.connections, inflight: opts.inflight, requests: count,
    ...(opts.ratePerSec ? { ratePerSec: opts.ratePerSec } : {}),
    ...(opts.onDone ? { onDone: opts.onDone } : {}),
    ...(opts.serverPids ? { serverPids: opts.serverPids } : {}),
    async issue(i: number, conn: KafkaWire) {
      const r = await conn.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, bodies[i % bodies.length]!);
      const p = decodeProduceResponse(r, PRODUCE_VERSION).topics[0]!.partitions[0]!;
      if (p.errorCode !== 0) throw new Error(`produce ${i}: error ${p.errorCode}`);
      return { bytes: batchBytes, records: perBatch };
    },
  });
}

/** Runs the produce bench: for each batch size, rounds alternating storage-only and server; medians. */
export async function runProduceBench(o: ProduceBenchOptions): Promise<ProduceBenchResult[]> {
  const totalBytes = o.mib * MiB;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-produce-'));
  const node = await startServer(path.join(root, 'node'), o.profile, { admin: true });
  const bar = progress(totalBytes * (2 * o.rounds + 1) * o.batchKibs.length, o.progress === true && process.stderr.isTTY === true);
  const results: ProduceBenchResult[] = [];
  try {
    for (const kib of o.batchKibs) {
      const topic = `bench-${kib}k`;
      const { batches, bodies, perBatch } = producePool(topic, kib * 1024, o.recordBytes, o.acks);
      const batchBytes = batches[0]!.length;
      const count = Math.max(1, Math.round(totalBytes / batchBytes));

      // One untimed request creates the topic (auto-creation) and warms the connection path.
      const warm = await KafkaWire.connect(node.address);
      const w = decodeProduceResponse(await warm.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, bodies[0]!), PRODUCE_VERSION).topics[0]!.partitions[0]!;
      if (w.errorCode !== 0) throw new Error(`warm-up produce failed: ${w.errorCode}`);

      const storageRuns: Throughput[] = [];
      const serverRuns: LoadResult[] = [];
      const delays = new Map<LoadResult, LoopDelay>();
      // Rounds alternate storage and server, so both see the same machine; medians are reported.
      for (let r = 0; r < o.rounds; r++) {
        // Both sides start from a disk with no dirty pages, so neither pays for the other's writeback.
        syncDisk();
        bar.phase(`storage ${kib} KiB`);
        const dir = path.join(root, `storage-${kib}-${r}`);
        const { t, logs } = await appendThroughStorage(dir, batches, count, bar);
        logs.close();
        fs.rmSync(dir, { recursive: true, force: true });
        storageRuns.push(t);

        syncDisk();
        bar.phase(`server  ${kib} KiB`);
        const before = await scrapeLoopDelay(node);
        const run = await produceLoad(node.address, bodies, batchBytes, perBatch, count, { connections: o.connections, inflight: o.inflight, onDone: (b) => bar.add(b), serverPids: [node.child.pid] });
        delays.set(run, loopDelayBetween(before, await scrapeLoopDelay(node)));
        serverRuns.push(run);
      }
      const server = medianLoad(serverRuns);
      // Half the median throughput, paced: the same bytes take twice as long, all connections stay open.
      syncDisk();
      bar.phase(`half load ${kib} KiB`);
      const halfBefore = await scrapeLoopDelay(node);
      const halfLoad = await produceLoad(node.address, bodies, batchBytes, perBatch, count, {
        connections: o.connections, inflight: o.inflight, onDone: (b) => bar.add(b), serverPids: [node.child.pid],
        ratePerSec: server.requests / server.seconds / 2,
      });
      const half = { load: halfLoad, loopDelay: loopDelayBetween(halfBefore, await scrapeLoopDelay(node)) };
      const end = await warm.listOffset(topic, 0, -1);
      warm.close();
      if (end.offset !== (count * (o.rounds + 1) + 1) * perBatch) throw new Error(`log end ${end.offset}, expected ${(count * (o.rounds + 1) + 1) * perBatch}`);
      const storage = median(storageRuns);
      const storageCpu = medianOf(storageRuns.map((x) => x.cpuMsPerMiB));
      results.push({
        batchKiB: kib, batchBytes, recordsPerBatch: perBatch, batches: count, server,
        storageMiBps: storage.mibPerSec, storageCpuMsPerMiB: storageCpu,
        ratio: server.mibPerSec / storage.mibPerSec, cpuRatio: storageCpu / server.cpuMsPerMiB.server,
        loopDelay: delays.get(server)!, half,
      });
    }
  } finally {
    bar.stop();
    await stopServer(node);
    fs.rmSync(root, { recursive: true, force: true });
  }
  return results;
}

/** One line per batch size. */
export function formatProduce(r: ProduceBenchResult): string {
  const s = r.server;
  const h = r.half.load;
  return (
    `produce batch ${String(r.batchKiB).padStart(4)} KiB  server ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s ${(s.recordsPerSec / 1000).toFixed(0).padStart(5)}k rec/s  ` +
    `p50 ${s.latencyMs.p50.toFixed(2)} ms p99 ${s.latencyMs.p99.toFixed(2)} ms  storage-only ${r.storageMiBps.toFixed(0).padStart(5)} MiB/s  ` +
    `ratio ${r.ratio.toFixed(2)} ${r.ratio >= TARGET_RATIO ? 'ok' : `BELOW target ${TARGET_RATIO}`}  ` +
    `cpu ms/MiB server ${s.cpuMsPerMiB.server.toFixed(2)} client ${s.cpuMsPerMiB.client.toFixed(2)} storage-only ${r.storageCpuMsPerMiB.toFixed(2)} (cpu ratio ${r.cpuRatio.toFixed(2)})  ` +
    `loop delay p50 <= ${r.loopDelay.p50} p99 <= ${r.loopDelay.p99} max ${r.loopDelay.max.toFixed(1)} ms\n` +
    `produce batch ${String(r.batchKiB).padStart(4)} KiB  at half load ${h.mibPerSec.toFixed(0).padStart(5)} MiB/s  p50 ${h.latencyMs.p50.toFixed(2)} ms p99 ${h.latencyMs.p99.toFixed(2)} ms ` +
    `(p99/p50 ${(h.latencyMs.p99 / h.latencyMs.p50).toFixed(1)}, target <= ${HALF_LOAD_P99_OVER_P50})  cpu ms/MiB server ${h.cpuMsPerMiB.server.toFixed(2)}  ` +
    `loop delay p50 <= ${r.half.loopDelay.p50} p99 <= ${r.half.loopDelay.p99} max ${r.half.loopDelay.max.toFixed(1)} ms`
  );
}

async function main(): Promise<void> {
  // Parsed here, not at import: bench/fetch.ts imports this module with its own flags.
  const args = parseOptions();
  const opts: ProduceBenchOptions = {
    mib: Number(args.mib), batchKibs: args['batch-kib'].split(',').map(Number), recordBytes: Number(args.record),
    connections: Number(args.connections), inflight: Number(args.inflight), acks: Number(args.acks),
    rounds: Math.max(1, Number(args.rounds)), progress: !args.json, ...(args.profile ? { profile: args.profile } : {}),
  };
  const results = await runProduceBench(opts);
  const { progress: _, ...config } = opts;
  if (args.json) {
    console.log(JSON.stringify({ config: { ...config, produceVersion: PRODUCE_VERSION, target: TARGET_RATIO }, results }, null, 2));
    return;
  }
  console.log(`produce bench: ${opts.mib} MiB per batch size and round, ${opts.recordBytes} B records, acks=${opts.acks}, ${opts.connections} connections x ${opts.inflight} in flight, median of ${opts.rounds} rounds, server in a child process`);
  for (const r of results) console.log(formatProduce(r));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
