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
import { appendThroughStorage, readThroughStorage } from './lib/storage-baseline.ts';
import { startServer, stopServer } from './lib/server.ts';
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
export async function runFetchBench(o: FetchBenchOptions): Promise<{ batchBytes: number; logBytes: number; results: FetchBenchResult[] }> {
  const { connections, inflight, rounds, fetchKibs } = o;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-fetch-'));
  const server = await startServer(path.join(root, 'node'), o.profile);
  const { batches, bodies, perBatch } = producePool(TOPIC, o.batchKib * 1024, o.recordBytes);
  const batchBytes = batches[0]!.length;
  const count = Math.max(1, Math.round((o.mib * MiB) / batchBytes));
  const logBytes = count * batchBytes;
  const bar = progress(logBytes * 2 * (1 + fetchKibs.length * rounds), o.progress === true && process.stderr.isTTY === true);
  const results: FetchBenchResult[] = [];
  try {
    bar.phase('fill server');
    await produceLoad(server.address, bodies, batchBytes, perBatch, count, { connections, inflight, onDone: (b) => bar.add(b) });
    const check = await KafkaWire.connect(server.address);
    const end = await check.listOffset(TOPIC, 0, -1);
    check.close();
    if (end.offset !== count * perBatch) throw new Error(`server log end ${end.offset}, expected ${count * perBatch}`);
    bar.phase('fill storage');
    const { logs } = await appendThroughStorage(path.join(root, 'storage'), batches, count, bar);

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
  return { batchBytes, logBytes, results };
}

/** One line per fetch size. */
export function formatFetch(r: FetchBenchResult): string {
  const s = r.server;
  return (
    `fetch ${String(r.fetchKiB).padStart(5)} KiB  server ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s ${(s.recordsPerSec / 1000).toFixed(0).padStart(5)}k rec/s  ` +
    `p50 ${s.latencyMs.p50.toFixed(2)} ms p99 ${s.latencyMs.p99.toFixed(2)} ms  storage-only ${r.storageMiBps.toFixed(0).padStart(5)} MiB/s  ` +
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
  const { batchBytes, logBytes, results } = await runFetchBench(opts);
  const { progress: _, ...config } = opts;
  if (args.json) {
    console.log(JSON.stringify({ config: { ...config, batchBytes, fetchVersion: FETCH_VERSION, target: TARGET_RATIO }, results }, null, 2));
    return;
  }
  console.log(`fetch bench: ${(logBytes / MiB).toFixed(0)} MiB log of ${batchBytes} B batches, ${opts.connections} connections x ${opts.inflight} in flight, median of ${opts.rounds} rounds, server in a child process`);
  for (const r of results) console.log(formatFetch(r));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
