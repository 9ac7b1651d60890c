/**
 * Compaction benchmark: does the log cleaner starve produce? One `vonnegut serve` child process; each
 * round fills a fresh topic with `--keys-mib` MiB of keyed records over `--keys` distinct keys (almost
 * all of it superseded, so there is real cleaning to do) while its cleanup.policy is still `delete`, then
 * runs the same produce load (`--mib` MiB of 1 KiB records in ~64 KiB batches to another topic) twice:
 *
 *   idle      the cleaner has nothing to compact
 *   cleaning  right after the filled topic is switched to cleanup.policy=compact (IncrementalAlterConfigs
 *             through kafkajs), so the cleaner (pass every --log-cleaner-backoff-ms 200) rewrites its
 *             segments while the load runs
 *
 *   npm run bench:compaction -- [--keys-mib 256] [--keys 1000] [--mib 256] [--rounds 3] [--json]
 *
 * Reported: produce MiB/s, p50/p99 latency and server CPU ms/MiB in both phases (medians of the rounds),
 * the ratios cleaning / idle, and when the cleaner's first rewriting pass ended (from the node's
 * vonnegut_log_cleaner_* counters) against how long the cleaning phase ran, so a ratio near 1 can be told
 * apart from a cleaner that finished before the load. Targets (issue 15, "the cleaner does not starve
 * produce"): throughput cleaning / idle >= 0.7 and p99 cleaning / idle <= 2.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { medianOf } from './lib/measure.ts';
import { producePool, produceLoad } from './produce.ts';
import { startServer, stopServer, syncDisk, type BenchServer } from './lib/server.ts';
import type { LoadResult } from './lib/wire-load.ts';

const { ConfigResourceTypes } = kafkajs;
const MiB = 1024 * 1024;
const BATCH_BYTES = 64 * 1024;
const RECORD_BYTES = 1024;
/** Segments of the filled topic: small, so the cleaner has many closed segments to rewrite. */
const KEYS_SEGMENT_BYTES = 1 * MiB;
const CLEANER_BACKOFF_MS = 200;
export const MIN_THROUGHPUT_RATIO = 0.7;
export const MAX_P99_RATIO = 2;

const { values: args } = parseArgs({
  options: {
    'keys-mib': { type: 'string', default: '256' },
    keys: { type: 'string', default: '1000' },
    mib: { type: 'string', default: '256' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});

interface Phase {
  mibPerSec: number;
  p50: number;
  p99: number;
  cpuMsPerMiB: number;
  seconds: number;
}

interface Round {
  idle: Phase;
  cleaning: Phase;
  /** Seconds from the switch to compact until the first pass that rewrote segments ended; null: none within a minute. */
  cleanedAfterS: number | null;
  segmentsRewritten: number;
}

const phaseOf = (r: LoadResult): Phase => ({ mibPerSec: r.mibPerSec, p50: r.latencyMs.p50, p99: r.latencyMs.p99, cpuMsPerMiB: r.cpuMsPerMiB.server, seconds: r.seconds });

/** The node's counter `name` (0 when it has not been exported yet). */
async function counter(server: BenchServer, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.adminPort}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Keyed Produce bodies for `topic`: record i of batch b has key `k<(b * perBatch + i) mod keys>`. */
function keyedPool(topic: string, keys: number): ReturnType<typeof producePool> {
  return producePool(topic, BATCH_BYTES, RECORD_BYTES, 1, (b, i, perBatch) => `k${(b * perBatch + i) % keys}`);
}

async function round(server: BenchServer, kafka: Kafka, r: number): Promise<Round> {
  const keysTopic = `keys-${r}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: keysTopic, configEntries: [{ name: 'cleanup.policy', value: 'delete' }, { name: 'segment.bytes', value: String(KEYS_SEGMENT_BYTES) }] }] });
    const keyed = keyedPool(keysTopic, Number(args.keys));
    await produceLoad(server.address, keyed.bodies, keyed.batches[0]!.length, keyed.perBatch, Math.ceil((Number(args['keys-mib']) * MiB) / keyed.batches[0]!.length), { connections: 2, inflight: 4 });

    const load = producePool(`load-${r}`, BATCH_BYTES, RECORD_BYTES);
    const count = Math.ceil((Number(args.mib) * MiB) / load.batches[0]!.length);
    const run = () => produceLoad(server.address, load.bodies, load.batches[0]!.length, load.perBatch, count, { connections: 4, inflight: 8, serverPids: [server.child.pid] });
    await run(); // untimed: creates the topic, warms the path
    syncDisk();
    const idle = await run();

    syncDisk();
    const rewritten0 = await counter(server, 'vonnegut_log_cleaner_rewritten_segments_total');
    const switched = Date.now();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: keysTopic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'segment.bytes', value: String(KEYS_SEGMENT_BYTES) }] }] });
    let cleanedAt: number | null = null;
    let rewritten = 0;
    const watch = setInterval(() => {
      void counter(server, 'vonnegut_log_cleaner_rewritten_segments_total').then((n) => {
        if (cleanedAt === null && n > rewritten0) {
          cleanedAt = Date.now();
          rewritten = n - rewritten0;
        }
      });
    }, 100);
    const cleaning = await run();
    const deadline = Date.now() + 60_000;
    while (cleanedAt === null && Date.now() < deadline) await new Promise((res) => setTimeout(res, 100));
    clearInterval(watch);
    return { idle: phaseOf(idle), cleaning: phaseOf(cleaning), cleanedAfterS: cleanedAt === null ? null : (cleanedAt - switched) / 1000, segmentsRewritten: rewritten };
  } finally {
    await admin.disconnect();
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-compaction-'));
  const server = await startServer(path.join(root, 'node'), undefined, { admin: true, args: ['--log-cleaner-backoff-ms', String(CLEANER_BACKOFF_MS)] });
  const kafka = new Kafka({ clientId: 'bench-compaction', brokers: [server.address], logLevel: logLevel.NOTHING });
  const rounds: Round[] = [];
  try {
    for (let r = 0; r < Math.max(1, Number(args.rounds)); r++) {
      const x = await round(server, kafka, r);
      rounds.push(x);
      if (!args.json) {
        const line = (name: string, p: Phase) => `${name} ${p.mibPerSec.toFixed(0).padStart(5)} MiB/s p50 ${p.p50.toFixed(2)} ms p99 ${p.p99.toFixed(2)} ms cpu ${p.cpuMsPerMiB.toFixed(2)} ms/MiB`;
        console.log(`round ${r}: ${line('idle', x.idle)} | ${line('cleaning', x.cleaning)} (${x.cleaning.seconds.toFixed(1)} s) | cleaner rewrote ${x.segmentsRewritten} segments, first pass done ${x.cleanedAfterS === null ? 'not within 60 s' : `${x.cleanedAfterS.toFixed(1)} s after the switch`}`);
      }
    }
  } finally {
    await stopServer(server);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const throughput = medianOf(rounds.map((x) => x.cleaning.mibPerSec / x.idle.mibPerSec));
  const p99 = medianOf(rounds.map((x) => x.cleaning.p99 / x.idle.p99));
  const cpu = medianOf(rounds.map((x) => x.cleaning.cpuMsPerMiB / x.idle.cpuMsPerMiB));
  const summary = { throughputCleaningOverIdle: throughput, p99CleaningOverIdle: p99, cpuPerMiBCleaningOverIdle: cpu };
  if (args.json) {
    console.log(JSON.stringify({ config: args, rounds, ...summary }, null, 2));
    return;
  }
  console.log(`cleaning / idle (medians of ${rounds.length} rounds): throughput ${throughput.toFixed(2)} (target >= ${MIN_THROUGHPUT_RATIO}) ` +
    `p99 ${p99.toFixed(2)} (target <= ${MAX_P99_RATIO}) server cpu/MiB ${cpu.toFixed(2)}`);
}

await main();
