/**
 * Produce benchmark: a pipelined load generator against one `vonnegut serve` child process, and, in the
 * same run, the storage-only throughput of the same bytes appended through the storage library directly.
 *
 *   npm run bench:produce -- [--mib 256] [--batch-kib 64,256] [--record 1024] [--connections 4]
 *                            [--inflight 8] [--acks 1] [--profile DIR] [--json]
 *
 * For each batch size: `--mib` MiB of `--record`-byte records in RecordBatch v2 batches of about
 * `--batch-kib` KiB, sent as Produce v3 requests (acks 1 by default) with `--inflight` requests
 * outstanding on each of `--connections` connections. Request bodies are encoded once before timing and
 * reused, so the client spends its time on the socket. The storage-only side appends the same batches
 * through LogManager/PartitionLog.append in this process. Neither side fsyncs while timed; `sync` runs
 * before each timed phase so both start without dirty pages to write back. Target: the server
 * reaches at least half of storage-only.
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
import { progress } from './lib/progress.ts';
import { runLoad, type LoadResult } from './lib/wire-load.ts';
import { appendThroughStorage } from './lib/storage-baseline.ts';
import { startServer, stopServer, syncDisk } from './lib/server.ts';

const MiB = 1024 * 1024;
/** Distinct pre-encoded batches cycled through. */
const POOL = 8;
/** Record overhead in a batch for a 1 KiB value with no key or headers (length, attributes, deltas, sizes). */
const RECORD_OVERHEAD = 12;
const PRODUCE_VERSION = 3;
export const TARGET_RATIO = 0.5;

const parseOptions = () => parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    'batch-kib': { type: 'string', default: '64,256' },
    record: { type: 'string', default: '1024' },
    connections: { type: 'string', default: '4' },
    inflight: { type: 'string', default: '8' },
    acks: { type: 'string', default: '1' },
    /** Write a V8 CPU profile of the server process into this directory (node --cpu-prof). */
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
}).values;

/** `POOL` batches of about `batchBytes` each, and the Produce bodies that carry them. */
export function producePool(topic: string, batchBytes: number, recordSize: number, acks = 1): { batches: Buffer[]; bodies: Buffer[]; perBatch: number } {
  const perBatch = Math.max(1, Math.floor((batchBytes - 61) / (recordSize + RECORD_OVERHEAD)));
  const batches = Array.from({ length: POOL }, (_, b) =>
    encodeRecordBatch({ records: Array.from({ length: perBatch }, (_, i) => ({ value: Buffer.alloc(recordSize, (b * 31 + i) & 0xff) })) }));
  const bodies = batches.map((records) => {
    const w = new Writer(records.length + 128);
    encodeProduceRequest(w, PRODUCE_VERSION, { transactionalId: null, acks, timeoutMs: 30_000, topics: [{ name: topic, partitions: [{ index: 0, records }] }] });
    return Buffer.from(w.toBuffer());
  });
  return { batches, bodies, perBatch };
}

/** Sends `count` produce requests cycling through `bodies`; fails on any error code. */
export async function produceLoad(address: string, bodies: Buffer[], batchBytes: number, perBatch: number, count: number, opts: { connections: number; inflight: number; onDone?: (bytes: number) => void }): Promise<LoadResult> {
  return runLoad({
    address, connections: opts.connections, inflight: opts.inflight, requests: count,
    ...(opts.onDone ? { onDone: opts.onDone } : {}),
    async issue(i: number, conn: KafkaWire) {
      const r = await conn.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, bodies[i % bodies.length]!);
      const p = decodeProduceResponse(r, PRODUCE_VERSION).topics[0]!.partitions[0]!;
      if (p.errorCode !== 0) throw new Error(`produce ${i}: error ${p.errorCode}`);
      return { bytes: batchBytes, records: perBatch };
    },
  });
}

async function main(): Promise<void> {
  // Parsed here, not at import: bench/fetch.ts imports this module with its own flags.
  const args = parseOptions();
  const recordBytes = Number(args.record);
  const acks = Number(args.acks);
  const batchKibs = args['batch-kib'].split(',').map(Number);
  const connections = Number(args.connections);
  const inflight = Number(args.inflight);
  const totalBytes = Number(args.mib) * MiB;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-produce-'));
  const node = await startServer(path.join(root, 'node'), args.profile);
  const bar = progress(totalBytes * 2 * batchKibs.length, !args.json && process.stderr.isTTY === true);
  const results = [];
  try {
    for (const kib of batchKibs) {
      const topic = `bench-${kib}k`;
      const { batches, bodies, perBatch } = producePool(topic, kib * 1024, recordBytes, acks);
      const batchBytes = batches[0]!.length;
      const count = Math.max(1, Math.round(totalBytes / batchBytes));

      // Both sides start from a disk with no dirty pages, so neither pays for the other's writeback.
      syncDisk();
      bar.phase(`storage ${kib} KiB`);
      const { t: storage, logs } = await appendThroughStorage(path.join(root, `storage-${kib}`), batches, count, bar);
      logs.close();
      fs.rmSync(path.join(root, `storage-${kib}`), { recursive: true, force: true });

      // One untimed request creates the topic (auto-creation) and warms the connection path.
      const warm = await KafkaWire.connect(node.address);
      const w = decodeProduceResponse(await warm.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, bodies[0]!), PRODUCE_VERSION).topics[0]!.partitions[0]!;
      if (w.errorCode !== 0) throw new Error(`warm-up produce failed: ${w.errorCode}`);

      syncDisk();
      bar.phase(`server  ${kib} KiB`);
      const server = await produceLoad(node.address, bodies, batchBytes, perBatch, count, { connections, inflight, onDone: (b) => bar.add(b) });
      const end = await warm.listOffset(topic, 0, -1);
      warm.close();
      if (end.offset !== (count + 1) * perBatch) throw new Error(`log end ${end.offset}, expected ${(count + 1) * perBatch}`);
      results.push({ batchKiB: kib, batchBytes, recordsPerBatch: perBatch, batches: count, server, storageMiBps: storage.mibPerSec, ratio: server.mibPerSec / storage.mibPerSec });
    }
  } finally {
    bar.stop();
    await stopServer(node);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const out = { config: { mib: Number(args.mib), recordBytes, connections, inflight, acks, produceVersion: PRODUCE_VERSION, target: TARGET_RATIO }, results };
  if (args.json) {
    console.log(JSON.stringify(out, null, 2));
    return;
  }
  console.log(`produce bench: ${args.mib} MiB per batch size, ${recordBytes} B records, acks=${acks}, ${connections} connections x ${inflight} in flight, server in a child process`);
  for (const r of results) {
    const s = r.server;
    console.log(
      `batch ${String(r.batchKiB).padStart(4)} KiB  server ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s ${(s.recordsPerSec / 1000).toFixed(0).padStart(5)}k rec/s  ` +
      `p50 ${s.latencyMs.p50.toFixed(2)} ms p99 ${s.latencyMs.p99.toFixed(2)} ms  storage-only ${r.storageMiBps.toFixed(0).padStart(5)} MiB/s  ` +
      `ratio ${r.ratio.toFixed(2)} ${r.ratio >= TARGET_RATIO ? 'ok' : `BELOW target ${TARGET_RATIO}`}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
