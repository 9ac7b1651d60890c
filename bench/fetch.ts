/**
 * Fetch benchmark: a pipelined Fetch load against one `vonnegut serve` child process, and, in the same
 * run, the storage-only read throughput of the same log through PartitionLog.read in this process.
 *
 *   npm run bench:fetch -- [--mib 256] [--batch-kib 64] [--fetch-kib 256,1024] [--record 1024]
 *                          [--connections 4] [--inflight 8] [--profile DIR] [--json]
 *
 * The node is filled (untimed) through Produce with `--mib` MiB of `--batch-kib` KiB batches. Then for
 * each fetch size the log is cut into disjoint ranges of whole batches (offsets are known: every batch
 * holds the same number of records), and Fetch v4 requests for those ranges are kept `--inflight` deep
 * on each of `--connections` connections; every response must carry exactly its range's bytes. The
 * storage-only side appends the same batches to its own log and reads it sequentially with the same
 * byte limit per read. Both read from the page cache. Target: the server reaches 0.7 of storage-only.
 *
 * This Node load generator costs more CPU per MiB than the server, so the bench also reads the whole
 * log with kcat (librdkafka, about the server's CPU per MiB or less) and compares it with the raw-read
 * baseline, plain 1 MiB fs.readSync of the storage-only log's segment files into one reused buffer:
 * both with the page cache warm, and both cold (the server's segments and the raw files dropped from
 * the page cache with posix_fadvise DONTNEED first). Target: kcat's fetch reaches 0.7 of the warm raw
 * read. Warm, that raw read is one memcpy from the page cache (4-17 GiB/s here), which no path through
 * TCP and a consumer approaches: see docs/performance.md "Fetch" for what bounds the ratio.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeFetchResponse, encodeFetchRequest } from '../node/src/protocol/apis/fetch.ts';
import { KafkaWire } from '../e2e/lib/kafka-wire.ts';
import { median, medianOf, type Throughput } from './lib/measure.ts';
import { progress } from './lib/progress.ts';
import { medianLoad, runLoad, type LoadResult } from './lib/wire-load.ts';
import { appendThroughStorage, dropFileCache, rawReadBaseline, readThroughStorage, type RawReadBaseline } from './lib/storage-baseline.ts';
import { startServer, stopServer } from './lib/server.ts';
import { hasKcat, kcatConsume, type KcatConsumeResult } from './lib/kcat-consume.ts';
import { loopbackBaseline, type LoopbackBaseline } from './lib/loopback-baseline.ts';
import { producePool, produceLoad } from './produce.ts';

const MiB = 1024 * 1024;
const FETCH_VERSION = 4;
export const TARGET_RATIO = 0.7;
const TOPIC = 'bench-fetch';

export interface FetchBenchOptions {
  mib: number;
  batchKib: number;
  fetchKibs: number[];
  recordBytes: number;
  connections: number;
  inflight: number;
  rounds: number;
  profile?: string;
  progress?: boolean;
}

/** Bytes per pread of the raw-read baseline: kcat's fetch size (librdkafka's fetch.message.max.bytes default). */
const RAW_READ_BYTES = MiB;

/** kcat reading the whole log, against raw reads of the same bytes, both warm and both cold. */
export interface KcatFetchResult {
  warm: KcatConsumeResult;
  cold: KcatConsumeResult;
  /** kcat MiB/s over raw-read MiB/s, page cache warm on both sides (target 0.7), and cold on both. */
  warmRatio: number;
  coldRatio: number;
  /** The same bytes through loopback TCP to `cat` (warm page cache), and warm kcat over it. */
  loopback: LoopbackBaseline;
  loopbackRatio: number;
}

export interface FetchBenchResult {
  fetchKiB: number;
  fetchBytes: number;
  requests: number;
  server: LoadResult;
  storageMiBps: number;
  storageCpuMsPerMiB: number;
  ratio: number;
  cpuRatio: number;
}

/** Fills a node, then for each fetch size alternates storage-only reads and server Fetch load; medians. */
export async function runFetchBench(o: FetchBenchOptions): Promise<{ batchBytes: number; logBytes: number; results: FetchBenchResult[]; raw: RawReadBaseline; kcat: KcatFetchResult | null }> {
  const { connections, inflight, rounds, fetchKibs } = o;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-fetch-'));
  const server = await startServer(path.join(root, 'node'), o.profile);
  const { batches, bodies, perBatch } = producePool(TOPIC, o.batchKib * 1024, o.recordBytes);
  const batchBytes = batches[0]!.length;
  const count = Math.max(1, Math.round((o.mib * MiB) / batchBytes));
  const logBytes = count * batchBytes;
  const bar = progress(logBytes * 2 * (1 + fetchKibs.length * rounds), o.progress === true && process.stderr.isTTY === true);
  const results: FetchBenchResult[] = [];
  let raw: RawReadBaseline | undefined;
  let kcat: KcatFetchResult | null = null;
  try {
    bar.phase('fill server');
    await produceLoad(server.address, bodies, batchBytes, perBatch, count, { connections, inflight, onDone: (b) => bar.add(b) });
    const check = await KafkaWire.connect(server.address);
    const end = await check.listOffset(TOPIC, 0, -1);
    check.close();
    if (end.offset !== count * perBatch) throw new Error(`server log end ${end.offset}, expected ${count * perBatch}`);
    bar.phase('fill storage');
    const { logs } = await appendThroughStorage(path.join(root, 'storage'), batches, count, bar);
    const segmentFiles = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => path.join(dir, f));
    const rawFiles = segmentFiles(path.join(root, 'storage', 'bench-0'));
    const serverFiles = segmentFiles(path.join(root, 'node', `${TOPIC}-0`));

    // kcat against the raw read of the same bytes, rounds alternating, medians: warm (page cache), then
    // cold (the server's segments and the raw files dropped from the page cache before each side).
    bar.phase('raw read / kcat');
    const raws: RawReadBaseline[] = [];
    const kcats: { warm: KcatConsumeResult; cold: KcatConsumeResult }[] = [];
    const loops: LoopbackBaseline[] = [];
    for (let r = 0; r < rounds; r++) {
      raws.push(rawReadBaseline(rawFiles, RAW_READ_BYTES));
      if (hasKcat()) {
        loops.push(await loopbackBaseline(rawFiles, RAW_READ_BYTES));
        const warm = await kcatConsume(server.address, TOPIC, count * perBatch, logBytes, server.child.pid);
        dropFileCache(serverFiles);
        const cold = await kcatConsume(server.address, TOPIC, count * perBatch, logBytes, server.child.pid);
        kcats.push({ warm, cold });
      }
    }
    const byMiBps = <T extends { mibPerSec: number }>(xs: T[]): T => [...xs].sort((a, b) => a.mibPerSec - b.mibPerSec)[Math.floor(xs.length / 2)]!;
    raw = { warm: byMiBps(raws.map((x) => x.warm)), cold: byMiBps(raws.map((x) => x.cold)) };
    if (kcats.length > 0) {
      const warm = byMiBps(kcats.map((k) => k.warm));
      const cold = byMiBps(kcats.map((k) => k.cold));
      const loopback = byMiBps(loops);
      kcat = {
        warm, cold, warmRatio: warm.mibPerSec / raw.warm.mibPerSec, coldRatio: cold.mibPerSec / raw.cold.mibPerSec,
        loopback, loopbackRatio: warm.mibPerSec / loopback.mibPerSec,
      };
    }

    for (const kib of fetchKibs) {
      // Whole batches per request, so every response's size is known exactly.
      const perFetch = Math.max(1, Math.floor((kib * 1024) / batchBytes));
      const fetchBytes = perFetch * batchBytes;
      const requests = Math.ceil(count / perFetch);
      const serverRuns: LoadResult[] = [];
      const storageRuns: Throughput[] = [];
      // Rounds alternate storage and server, so both see the same machine; medians are reported.
      for (let r = 0; r < rounds; r++) {
        bar.phase(`storage ${kib} KiB`);
        storageRuns.push(readThroughStorage(logs, fetchBytes, bar));
        bar.phase(`server  ${kib} KiB`);
        serverRuns.push(await runLoad({
          address: server.address, connections, inflight, requests, onDone: (b) => bar.add(b), serverPids: [server.child.pid],
          async issue(i: number, conn: KafkaWire) {
            const offset = i * perFetch * perBatch;
            const reader = await conn.send(ApiKey.Fetch, FETCH_VERSION, (w) =>
              encodeFetchRequest(w, FETCH_VERSION, {
                replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: fetchBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
                topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: fetchBytes }] }],
                forgottenTopicsData: [], rackId: '',
              }));
            const p = decodeFetchResponse(reader, FETCH_VERSION).topics[0]!.partitions[0]!;
            const want = Math.min(perFetch, count - i * perFetch) * batchBytes;
            if (p.errorCode !== 0 || p.records?.length !== want) throw new Error(`fetch at ${offset}: error ${p.errorCode}, ${p.records?.length} bytes, expected ${want}`);
            return { bytes: want, records: want / batchBytes * perBatch };
          },
        }));
      }
      const s = medianLoad(serverRuns);
      const storage = median(storageRuns);
      const storageCpu = medianOf(storageRuns.map((x) => x.cpuMsPerMiB));
      results.push({
        fetchKiB: kib, fetchBytes, requests, server: s, storageMiBps: storage.mibPerSec, storageCpuMsPerMiB: storageCpu,
        ratio: s.mibPerSec / storage.mibPerSec, cpuRatio: storageCpu / s.cpuMsPerMiB.server,
      });
    }
    logs.close();
  } finally {
    bar.stop();
    await stopServer(server);
    fs.rmSync(root, { recursive: true, force: true });
  }
  return { batchBytes, logBytes, results, raw: raw!, kcat };
}

/** The raw-read baseline and kcat's fetch against it. */
export function formatKcatFetch(raw: RawReadBaseline, kcat: KcatFetchResult | null): string[] {
  const lines = [
    `raw read (fs.readSync ${RAW_READ_BYTES / MiB} MiB into one buffer) warm page cache ${raw.warm.mibPerSec.toFixed(0)} MiB/s (cpu ${raw.warm.cpuMsPerMiB.toFixed(2)} ms/MiB), ` +
    `cold (dropped with fadvise) ${raw.cold.mibPerSec.toFixed(0)} MiB/s (cpu ${raw.cold.cpuMsPerMiB.toFixed(2)} ms/MiB)`,
  ];
  if (!kcat) return [...lines, 'kcat not installed: no kcat fetch rows'];
  const lb = kcat.loopback;
  lines.push(
    `raw read + loopback TCP to cat (no protocol), warm page cache ${lb.mibPerSec.toFixed(0)} MiB/s ` +
    `(cpu ms/MiB sender ${lb.cpuMsPerMiB.sender.toFixed(2)} cat ${lb.cpuMsPerMiB.reader.toFixed(2)}); warm kcat fetch / this ${kcat.loopbackRatio.toFixed(2)}`,
  );
  for (const [name, k, ratio] of [['warm', kcat.warm, kcat.warmRatio], ['cold', kcat.cold, kcat.coldRatio]] as const) {
    lines.push(
      `fetch kcat consumer, ${name} page cache  ${k.mibPerSec.toFixed(0).padStart(5)} MiB/s  fetch / raw read ${ratio.toFixed(2)}` +
      `${name === 'warm' ? (ratio >= TARGET_RATIO ? ' ok' : ` BELOW target ${TARGET_RATIO}`) : ''}  cpu ms/MiB server ${k.cpuMsPerMiB.server.toFixed(2)} kcat ${k.cpuMsPerMiB.client.toFixed(2)}`,
    );
  }
  return lines;
}

/** One line per fetch size. */
export function formatFetch(r: FetchBenchResult): string {
  const s = r.server;
  return (
    `fetch ${String(r.fetchKiB).padStart(5)} KiB  server ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s ${(s.recordsPerSec / 1000).toFixed(0).padStart(5)}k rec/s  ` +
    `p50 ${s.latencyMs.p50.toFixed(2)} ms p99 ${s.latencyMs.p99.toFixed(2)} ms  storage-only (warm page cache) ${r.storageMiBps.toFixed(0).padStart(5)} MiB/s  ` +
    `ratio ${r.ratio.toFixed(2)} ${r.ratio >= TARGET_RATIO ? 'ok' : `BELOW target ${TARGET_RATIO}`}  ` +
    `cpu ms/MiB server ${s.cpuMsPerMiB.server.toFixed(2)} client ${s.cpuMsPerMiB.client.toFixed(2)} storage-only ${r.storageCpuMsPerMiB.toFixed(2)} (cpu ratio ${r.cpuRatio.toFixed(2)})`
  );
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      mib: { type: 'string', default: '256' },
      'batch-kib': { type: 'string', default: '64' },
      'fetch-kib': { type: 'string', default: '256,1024' },
      record: { type: 'string', default: '1024' },
      connections: { type: 'string', default: '4' },
      inflight: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const opts: FetchBenchOptions = {
    mib: Number(args.mib), batchKib: Number(args['batch-kib']), fetchKibs: args['fetch-kib'].split(',').map(Number),
    recordBytes: Number(args.record), connections: Number(args.connections), inflight: Number(args.inflight),
    rounds: Math.max(1, Number(args.rounds)), progress: !args.json, ...(args.profile ? { profile: args.profile } : {}),
  };
  const { batchBytes, logBytes, results, raw, kcat } = await runFetchBench(opts);
  const { progress: _, ...config } = opts;
  if (args.json) {
    console.log(JSON.stringify({ config: { ...config, batchBytes, fetchVersion: FETCH_VERSION, target: TARGET_RATIO }, results, raw, kcat }, null, 2));
    return;
  }
  console.log(`fetch bench: ${(logBytes / MiB).toFixed(0)} MiB log of ${batchBytes} B batches, ${opts.connections} connections x ${opts.inflight} in flight, median of ${opts.rounds} rounds, server in a child process`);
  for (const r of results) console.log(formatFetch(r));
  for (const line of formatKcatFetch(raw, kcat)) console.log(line);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
