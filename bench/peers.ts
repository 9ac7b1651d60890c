/**
 * Side by side with the peers users pick instead: the same produce workload against vonnegut 1-node,
 * a vonnegut 3-node chain, NATS JetStream R1 and R3 (Debian nats-server, file storage) and Redis 7
 * streams (Debian redis-server, AOF everysec), all started by this run on loopback and stopped after.
 *
 *   vonnegut bench --peers [--mib 128] [--producers 8] [--batch 32] [--rounds 3] [--json [FILE]]
 *   npm run bench:peers -- [same flags]
 *
 * Workload, identical for every system: `--mib` MiB of 1 KiB records per round, `--producers`
 * concurrent producers, each with its own client and connection, each sending operations of `--batch`
 * records and awaiting every acknowledgement before its next operation (see lib/peer-load.ts). vonnegut
 * puts an operation's records in one Produce request (acks=-1); JetStream and Redis, which take one
 * record per publish/XADD, get the same records in flight: `--batch` publishes or XADDs pipelined on
 * the connection and awaited together. Each system runs an untimed warm-up first; rounds rotate which
 * system goes first, `sync` runs before each timed phase, and every round checks the stream holds
 * exactly the records sent. Medians of the rounds are reported (throughput; p50/p99 per operation).
 * Every process shares this machine's cores with the load generator, so 3-server setups also pay for
 * running three servers where a real deployment would give each its own machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startChain, waitWritable, type BenchChain } from './chain.ts';
import { producePool } from './produce.ts';
import { medianOf } from './lib/measure.ts';
import { progress, type Progress } from './lib/progress.ts';
import { peerRecords, runPeerLoad, type PeerLoadResult } from './lib/peer-load.ts';
import { formatPeerRatios, formatPeerTable, peerRatios, SYSTEMS, type PeerRatio, type PeerRow, type SystemName } from './lib/peer-report.ts';
import { missingPeerBinaries, missingPeersMessage, startNats, startRedis, stopProcess, type PeerProcess } from './lib/peer-servers.ts';
import { jetStreamSystem, redisSystem, vonnegutSystem, type PeerSystem } from './lib/peer-systems.ts';
import { cpuSeconds, stopServer, syncDisk } from './lib/server.ts';

const MiB = 1024 * 1024;
/** Warm-up operations per producer, untimed. */
const WARMUP_OPS = 8;

export interface PeersBenchOptions {
  /** MiB of records per system and round. */
  mib: number;
  recordBytes: number;
  producers: number;
  /** Records per operation. */
  batch: number;
  rounds: number;
  progress?: boolean;
}

export interface PeersBenchResult {
  config: PeersBenchOptions & { records: number };
  systems: { name: string; operation: string; ack: string }[];
  rows: PeerRow[];
  ratios: PeerRatio[];
  rounds: Record<string, RoundResult[]>;
}

/** One system's round: the load's numbers and the CPU it cost the servers and this load generator. */
export type RoundResult = PeerLoadResult & { serverCpuMsPerMiB: number; clientCpuMsPerMiB: number };

/** Thrown when the peer servers are not installed: the CLI prints the message and exits 2. */
export class PeersUnavailableError extends Error {}

/** Fails with PeersUnavailableError when nats-server or redis-server is missing. */
export function checkPeerBinaries(lookup?: (cmd: string) => string | null): void {
  const missing = missingPeerBinaries(lookup);
  if (missing.length > 0) throw new PeersUnavailableError(missingPeersMessage(missing));
}

async function measureRound(s: PeerSystem, id: string, values: Buffer[], o: PeersBenchOptions, bar?: Progress): Promise<RoundResult> {
  const producers = await s.open(id, o.producers);
  const cpu = (): number => s.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  try {
    syncDisk();
    const cpu0 = cpu();
    const client0 = process.cpuUsage();
    const res = await runPeerLoad({ producers, batch: o.batch, values, ...(bar ? { onDone: (b: number) => bar.add(b) } : {}) });
    const client = process.cpuUsage(client0);
    const serverCpuMsPerMiB = ((cpu() - cpu0) * 1000) / (res.bytes / MiB);
    // The same load generator drives every system: its CPU per MiB is each official client's cost.
    const clientCpuMsPerMiB = (client.user + client.system) / 1000 / (res.bytes / MiB);
    const stored = await s.count(id);
    if (stored !== values.length) throw new Error(`${s.name}: ${stored} records stored after ${values.length} were acknowledged`);
    return { ...res, serverCpuMsPerMiB, clientCpuMsPerMiB };
  } finally {
    await Promise.all(producers.map((p) => p.close()));
    await s.drop(id);
  }
}

/** Starts every system, runs the rounds, stops everything; medians and target ratios. */
export async function runPeersBench(o: PeersBenchOptions): Promise<PeersBenchResult> {
  checkPeerBinaries();
  const count = Math.max(o.producers * o.batch, Math.round((o.mib * MiB) / o.recordBytes));
  const values = peerRecords(count, o.recordBytes);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-peers-'));
  const chains: BenchChain[] = [];
  const procs: PeerProcess[] = [];
  const systems: PeerSystem[] = [];
  const order = Object.values(SYSTEMS);
  const bar = progress(count * o.recordBytes * order.length * o.rounds, o.progress === true && process.stderr.isTTY === true);
  try {
    const ready = producePool('peers-ready', 1024, o.recordBytes, -1).bodies[0]!;
    for (const n of [1, 3]) chains.push(await startChain(path.join(root, `vonnegut${n}`), n));
    await Promise.all(chains.map((c) => waitWritable(c.head, ready)));
    const nats1 = await startNats(root, 1);
    procs.push(...nats1.procs);
    const nats3 = await startNats(root, 3);
    procs.push(...nats3.procs);
    const redis = await startRedis(root);
    procs.push(redis.proc);
    const pids = (xs: { child: { pid?: number | undefined } }[]): number[] => xs.flatMap((x) => (x.child.pid === undefined ? [] : [x.child.pid]));
    systems.push(
      await vonnegutSystem(SYSTEMS.vonnegut1, chains[0]!.nodes.map((n) => n.address), pids(chains[0]!.nodes)),
      await vonnegutSystem(SYSTEMS.vonnegut3, chains[1]!.nodes.map((n) => n.address), pids(chains[1]!.nodes)),
      await jetStreamSystem(SYSTEMS.jetstream1, nats1.servers, 1, pids(nats1.procs)),
      await jetStreamSystem(SYSTEMS.jetstream3, nats3.servers, 3, pids(nats3.procs)),
      await redisSystem(SYSTEMS.redis, redis.url, pids([redis.proc])),
    );

    for (const s of systems) {
      bar.phase(`warm-up ${s.name}`);
      await measureRound(s, 'warm', values.slice(0, Math.min(count, o.producers * o.batch * WARMUP_OPS)), o);
    }
    const rounds: PeersBenchResult['rounds'] = Object.fromEntries(systems.map((s) => [s.name, []]));
    for (let r = 0; r < o.rounds; r++) {
      // Rotate who goes first, so no system always meets the page cache left by the same neighbour.
      for (let k = 0; k < systems.length; k++) {
        const s = systems[(r + k) % systems.length]!;
        bar.phase(`${s.name} ${r + 1}/${o.rounds}`);
        rounds[s.name]!.push(await measureRound(s, `r${r}`, values, o, bar));
      }
    }
    const rows: PeerRow[] = systems.map((s) => {
      const runs = rounds[s.name]!;
      return {
        system: s.name as SystemName,
        mibPerSec: medianOf(runs.map((x) => x.mibPerSec)),
        recordsPerSec: medianOf(runs.map((x) => x.recordsPerSec)),
        p50Ms: medianOf(runs.map((x) => x.latencyMs.p50)),
        p99Ms: medianOf(runs.map((x) => x.latencyMs.p99)),
        serverCpuMsPerMiB: medianOf(runs.map((x) => x.serverCpuMsPerMiB)),
        clientCpuMsPerMiB: medianOf(runs.map((x) => x.clientCpuMsPerMiB)),
      };
    });
    const { progress: _, ...config } = o;
    return {
      config: { ...config, records: count },
      systems: systems.map((s) => ({ name: s.name, operation: s.operation, ack: s.ack })),
      rows, ratios: peerRatios(rows), rounds,
    };
  } finally {
    bar.stop();
    await Promise.all(systems.map((s) => s.close().catch(() => undefined)));
    await Promise.all([...chains.flatMap((c) => c.nodes.map((n) => stopServer(n))), ...procs.map((p) => stopProcess(p))]);
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The header, the table, the ratios, and how each system carried an operation. */
export function formatPeers(res: PeersBenchResult): string[] {
  const c = res.config;
  return [
    `peers bench: ${c.records} records of ${c.recordBytes} B (${((c.records * c.recordBytes) / MiB).toFixed(0)} MiB) per system and round, ` +
      `${c.producers} producers each with its own connection, ${c.batch} records per operation awaited before the next, ` +
      `median of ${c.rounds} rounds, all servers on this machine's loopback`,
    formatPeerTable(res.rows),
    ...formatPeerRatios(res.ratios),
    'one operation (latency is per operation, first send to last acknowledgement):',
    ...res.systems.map((s) => `  ${s.name}: ${s.operation}; acknowledged when ${s.ack}`),
  ];
}

/** Parses the flags `npm run bench:peers` and the CLI share (defaults in one place). */
export function peersOptions(flags: { mib?: string; producers?: string; batch?: string; rounds?: string; record?: string }, showProgress: boolean): PeersBenchOptions {
  const positive = (name: string, v: string | undefined, dflt: number): number => {
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`--${name} must be a positive integer, got ${v}`);
    return n;
  };
  return {
    mib: positive('mib', flags.mib, 128), recordBytes: positive('record', flags.record, 1024),
    producers: positive('producers', flags.producers, 8), batch: positive('batch', flags.batch, 32),
    rounds: positive('rounds', flags.rounds, 3), progress: showProgress,
  };
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      mib: { type: 'string' }, producers: { type: 'string' }, batch: { type: 'string' }, rounds: { type: 'string' },
      record: { type: 'string' }, json: { type: 'boolean', default: false },
    },
  });
  const res = await runPeersBench(peersOptions(args, !args.json));
  console.log(args.json ? JSON.stringify(res, null, 2) : formatPeers(res).join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof PeersUnavailableError)) throw err;
    console.error(`vonnegut: ${err.message}`);
    process.exit(2);
  }
}
