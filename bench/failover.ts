/**
 * Failover benchmark: a 3-node chain (127.0.0.11-13, static discovery) with a real 3-member etcd
 * cluster as its coordinator, under continuous idempotent acks=-1 load from a writer that follows
 * Metadata to the leader. `--kills` times: SIGKILL the current head, measure the failover time (kill to
 * the first acknowledgement of a batch sent after the kill, the victim still down), restart it, wait
 * until it has rejoined (the head's configuration names all three again). Reports p50/p99.
 *
 * The same run first measures steady-state acks=-1 throughput of that chain against a fresh 3-node chain
 * without a coordinator (rounds alternating, medians, before any kill): the store is off the data path,
 * so the ratio should be ~1.
 *
 *   npm run bench:failover -- [--kills 20] [--mib 32] [--rounds 3] [--json]
 *
 * Targets (issue 13): failover p99 <= 5 s with default settings; throughput with a coordinator within
 * 5% of without. Everything shares this machine's cores, etcd included.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EtcdCluster } from '../e2e/lib/etcd-cluster.ts';
import { FailoverWriter, leaderAddress } from '../e2e/lib/failover-writer.ts';
import { waitFor } from '../e2e/lib/tools.ts';
import { startChain, waitWritable, type BenchChain } from './chain.ts';
import { medianLoad, type LoadResult } from './lib/wire-load.ts';
import { stopServer } from './lib/server.ts';
import { producePool, produceLoad } from './produce.ts';

const MiB = 1024 * 1024;
export const TARGET_FAILOVER_P99_MS = 5_000;
export const TARGET_THROUGHPUT_RATIO = 0.95;
const TOPIC = 'bench-failover';
/** A kill that no write survives for this long counts as a failed failover (and the run goes on). */
const FAILOVER_GIVE_UP_MS = 60_000;

export interface FailoverBenchOptions {
  kills: number;
  mib: number;
  rounds: number;
  log?: (line: string) => void;
}

export interface FailoverBenchResult {
  failoverMs: number[];
  failedFailovers: number;
  /** Restarted members that did not rejoin the chain (the kills stop at the first). */
  notRejoined: number;
  p50Ms: number;
  p99Ms: number;
  acked: number;
  withCoordinator: LoadResult;
  withoutCoordinator: LoadResult;
  /** Throughput with a coordinator over without (medians). */
  ratio: number;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

interface Status {
  role: string;
  members: string[];
}

async function status(adminPort: number | undefined): Promise<Status | null> {
  if (!adminPort) return null;
  try {
    const res = await fetch(`http://127.0.0.1:${adminPort}/v1/status`, { signal: AbortSignal.timeout(2_000) });
    return (await res.json()) as Status;
  } catch {
    return null;
  }
}

/**
 * Waits until some member reports itself head of a chain of all `n` members; returns its address. With a
 * coordinator any member may be head (the first to start the configuration), not the first host.
 */
async function waitRejoined(chain: BenchChain, n: number, what = 'the restarted member to rejoin'): Promise<string> {
  return waitFor(what, async () => {
    const all = await Promise.all(chain.nodes.map((node) => status(node.adminPort)));
    const i = all.findIndex((s) => s?.role === 'head' && s.members.length === n);
    return i >= 0 ? chain.nodes[i]!.address : undefined;
  }, 120_000, 100);
}

/** Kills the head `kills` times under load; returns each failover time and how many never recovered. */
async function killHeads(chain: BenchChain, o: FailoverBenchOptions): Promise<{ failoverMs: number[]; failed: number; notRejoined: number; acked: number }> {
  const log = o.log ?? (() => {});
  const bootstrap = (): string[] => chain.nodes.map((node) => node.address);
  const writer = new FailoverWriter(chain.head, { topic: TOPIC, producerId: 1 + Math.floor(Math.random() * 2 ** 30), bootstrap, timeoutMs: 5_000 });
  const failoverMs: number[] = [];
  let failed = 0;
  let notRejoined = 0;
  try {
    writer.resume();
    await writer.progress(200);
    for (let k = 0; k < o.kills; k++) {
      const head = await leaderAddress(bootstrap(), TOPIC);
      const i = chain.nodes.findIndex((node) => node.address === head);
      if (i < 0) throw new Error(`Metadata names ${head ?? 'no leader'}, not a chain member`);
      const killedAt = Date.now();
      const victim = chain.nodes[i]!.child;
      const gone = new Promise<void>((resolve) => victim.once('exit', () => resolve()));
      victim.kill('SIGKILL');
      await gone;
      const first = await writer.firstAckAfter(killedAt, FAILOVER_GIVE_UP_MS).catch(() => null);
      if (first) failoverMs.push(first.at - killedAt);
      else failed++;
      log(`kill ${k + 1}/${o.kills}: head ${head} ${first ? `failed over in ${first.at - killedAt} ms to ${first.address}` : `no write acknowledged within ${FAILOVER_GIVE_UP_MS} ms`}`);
      await chain.restart(i);
      // A member that never rejoins ends the kills (the next ones would measure a shorter chain).
      const rejoinError = await waitRejoined(chain, chain.nodes.length).then(() => null, (err: Error) => err);
      if (rejoinError) {
        log(`kill ${k + 1}: the restarted member did not rejoin (${rejoinError.message}); stopping after ${k + 1} kills`);
        // What each member thinks and its warnings: the evidence for why, kept in the run's output.
        const views = await Promise.all(chain.nodes.map((node) => status(node.adminPort)));
        for (const [j, node] of chain.nodes.entries()) log(`member ${node.address}: ${JSON.stringify(views[j])}\n${node.logTail().split('\n').slice(-20).join('\n')}`);
        notRejoined++;
        break;
      }
      await writer.progress(100);
    }
  } finally {
    await writer.stop();
  }
  return { failoverMs, failed, notRejoined, acked: writer.ackedRecords };
}

/**
 * Runs the failover bench: alternating throughput rounds with and without a coordinator on two fresh
 * chains (both alike but for the store: neither has been through restarts yet), then the kills.
 */
export async function runFailoverBench(o: FailoverBenchOptions): Promise<FailoverBenchResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-failover-'));
  const etcd = await EtcdCluster.start();
  const chains: BenchChain[] = [];
  try {
    const coordinated = await startChain(path.join(root, 'coordinated'), 3, undefined, { admin: true, extraArgs: ['--coordinator', `etcd:${etcd.endpoints}`] });
    chains.push(coordinated);
    const plain = await startChain(path.join(root, 'plain'), 3, undefined, { admin: true });
    chains.push(plain);
    const pool = producePool(TOPIC, 64 * 1024, 1024, -1);
    coordinated.head = await waitRejoined(coordinated, coordinated.nodes.length, 'the coordinated chain to form');
    await waitWritable(coordinated.head, pool.bodies[0]!);
    await waitWritable(plain.head, pool.bodies[0]!);
    const batchBytes = pool.batches[0]!.length;
    const count = Math.max(1, Math.round((o.mib * MiB) / batchBytes));
    const loads: LoadResult[][] = [[], []];
    for (let r = 0; r < o.rounds; r++) {
      for (const [j, chain] of [coordinated, plain].entries()) {
        loads[j]!.push(await produceLoad(chain.head, pool.bodies, batchBytes, pool.perBatch, count, { connections: 4, inflight: 8, serverPids: chain.nodes.map((n) => n.child.pid) }));
      }
    }
    // The kills run on the coordinated chain alone.
    await Promise.all(plain.nodes.map((n) => stopServer(n)));
    const kills = await killHeads(coordinated, o);
    const withCoordinator = medianLoad(loads[0]!);
    const withoutCoordinator = medianLoad(loads[1]!);
    return {
      failoverMs: kills.failoverMs,
      failedFailovers: kills.failed,
      notRejoined: kills.notRejoined,
      p50Ms: percentile(kills.failoverMs, 50),
      p99Ms: percentile(kills.failoverMs, 99),
      acked: kills.acked,
      withCoordinator,
      withoutCoordinator,
      ratio: withCoordinator.mibPerSec / withoutCoordinator.mibPerSec,
    };
  } finally {
    await Promise.all(chains.flatMap((c) => c.nodes.map((n) => stopServer(n))));
    await etcd.teardown();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** The report lines. */
export function formatFailover(r: FailoverBenchResult, o: FailoverBenchOptions): string[] {
  return [
    `failover: ${o.kills} SIGKILLs of the head of a 3-node chain with a 3-member etcd, continuous acks=-1 load (${r.acked} records acknowledged)`,
    `failover time (kill -> first acknowledged write) p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms max ${Math.max(...r.failoverMs)} ms over ${r.failoverMs.length} kills` +
      `${r.failedFailovers ? `; ${r.failedFailovers} kills with no write within ${FAILOVER_GIVE_UP_MS} ms` : ''}${r.notRejoined ? `; a restarted member did not rejoin, kills stopped early` : ''}` +
      `  ${r.failoverMs.length >= o.kills && r.p99Ms <= TARGET_FAILOVER_P99_MS && r.failedFailovers === 0 ? 'ok' : `NOT MET (target p99 ${TARGET_FAILOVER_P99_MS} ms over ${o.kills} kills)`}`,
    `steady state acks=-1: with coordinator ${r.withCoordinator.mibPerSec.toFixed(1)} MiB/s, without ${r.withoutCoordinator.mibPerSec.toFixed(1)} MiB/s, ratio ${r.ratio.toFixed(3)} ${r.ratio >= TARGET_THROUGHPUT_RATIO ? 'ok' : `BELOW target ${TARGET_THROUGHPUT_RATIO}`}`,
    // CPU per MiB does not swing with other work on a shared machine the way MiB/s does.
    `server CPU per MiB (3 members together): with coordinator ${r.withCoordinator.cpuMsPerMiB.server.toFixed(0)} ms, without ${r.withoutCoordinator.cpuMsPerMiB.server.toFixed(0)} ms, ratio ${(r.withCoordinator.cpuMsPerMiB.server / r.withoutCoordinator.cpuMsPerMiB.server).toFixed(3)}`,
  ];
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      kills: { type: 'string', default: '20' },
      mib: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
    },
  });
  const o: FailoverBenchOptions = { kills: Number(args.kills), mib: Number(args.mib), rounds: Math.max(1, Number(args.rounds)) };
  if (!args.json) o.log = (l) => console.error(l);
  const r = await runFailoverBench(o);
  if (args.json) console.log(JSON.stringify({ config: { ...o, targetP99Ms: TARGET_FAILOVER_P99_MS, targetRatio: TARGET_THROUGHPUT_RATIO }, ...r }, null, 2));
  else for (const line of formatFailover(r, o)) console.log(line);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
