/**
 * Chain benchmark: acks=-1 Produce throughput and latency against a 1-node chain and a 3-node chain
 * (head -> middle -> tail, three `vonnegut serve` processes on 127.0.0.11-13, static discovery), both
 * started in this run; rounds alternate between the two and medians are reported.
 *
 *   npm run bench:chain -- [--mib 128] [--batch-kib 64] [--record 1024] [--connections 4] [--inflight 8]
 *                          [--rounds 3] [--latency-requests 300] [--profile DIR] [--json]
 *
 * Throughput: `--mib` MiB of `--batch-kib` KiB batches, `--inflight` deep on each of `--connections`
 * connections to the head, every request acks=-1 (answered once the tail has the batch). Latency: the
 * same batches one at a time on one connection (`--latency-requests` of them), so p50/p99 is the commit
 * path itself rather than queueing behind other requests. CPU milliseconds per MiB are summed over the
 * chain's processes. Target (issue #4): the 3-node chain keeps at least 0.6 of the 1-node throughput.
 * All processes share this machine's cores with the load generator, so the 3-node chain also pays for
 * running three nodes where a real deployment would give each its own machine.
 *
 * CPU per member (issue #19): each member's CPU ms per MiB (median over rounds, range in brackets) over the
 * single node's at the same load, against MEMBER_CPU_TARGET. The same load: each round also runs the
 * 1-node chain paced (open loop) at the request rate the 3-node chain just reached, since a node's CPU
 * per MiB rises as its load falls (fewer requests per turn, more wake-ups per byte). CPU per MiB survives
 * a noisy shared machine where throughput does not, and predicts what each member costs on its own machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeProduceResponse } from '../node/src/protocol/apis/produce.ts';
import { KafkaWire } from '../e2e/lib/kafka-wire.ts';
import { portFreeOn } from '../e2e/lib/chain-cluster.ts';
import { progress, type Progress } from './lib/progress.ts';
import { medianLoad, type LoadResult } from './lib/wire-load.ts';
import { startServer, stopServer, type BenchServer } from './lib/server.ts';
import { PRODUCE_VERSION, producePool, produceLoad } from './produce.ts';

const MiB = 1024 * 1024;
export const TARGET_RATIO = 0.6;
/** Target (issue #19): each chain member's CPU per MiB at most this multiple of a single node's. */
export const MEMBER_CPU_TARGET = 1.2;
/** Names of a 3-node chain's members, in `nodes` order. */
const MEMBER_ROLES = ['head', 'middle', 'tail'];
/** How long a fresh chain may take to link up and accept writes. */
const WRITABLE_TIMEOUT_MS = 30_000;

export interface ChainBenchOptions {
  mib: number;
  batchKib: number;
  recordBytes: number;
  connections: number;
  inflight: number;
  rounds: number;
  latencyRequests: number;
  /** Write V8 CPU profiles of every node (the solo node first by pid, then head, middle, tail) into this directory. */
  profile?: string;
  progress?: boolean;
}

export interface ChainRun {
  nodes: number;
  load: LoadResult;
  /** One request at a time: the commit path's own latency. */
  latencyMs: { p50: number; p99: number };
  /** Each member's CPU ms per MiB under load over the rounds (in `nodes` order): median, min, max. */
  memberCpu: { median: number; min: number; max: number }[];
}

export interface ChainBenchResult {
  batchBytes: number;
  runs: ChainRun[];
  /** 3-node throughput over 1-node throughput (medians). */
  ratio: number;
  /** The 1-node chain paced at each round's 3-node request rate: CPU per MiB (median, min, max) and MiB/s. */
  singleAtChainLoad: { median: number; min: number; max: number; mibPerSec: number };
  /** Each 3-node member's median CPU per MiB over the single node's at the same load (head, middle, tail). */
  memberCpuRatios: number[];
}

export interface BenchChain {
  nodes: BenchServer[];
  head: string;
  /** SIGKILLs member `i` if it runs, then starts it again on its data dir, address and flags. */
  restart(i: number): Promise<BenchServer>;
}

/**
 * Starts `n` nodes as one chain (n = 1: a solo node) under `root`; `extraArgs` go to every member
 * (e.g. `--coordinator`), `admin` gives each an admin port (for /v1/status).
 */
export async function startChain(root: string, n: number, profile?: string, opts: { extraArgs?: string[]; admin?: boolean } = {}): Promise<BenchChain> {
  if (n === 1) {
    const node = await startServer(path.join(root, 'solo'), profile);
    return { nodes: [node], head: node.address, restart: () => Promise.reject(new Error('a solo bench node is not restarted')) };
  }
  const hosts = Array.from({ length: n }, (_, i) => `127.0.0.${11 + i}`);
  const port = await portFreeOn(hosts);
  const members = hosts.map((h, i) => `n${i}=${h}:${port}`).join(',');
  const start = (i: number): Promise<BenchServer> => startServer(path.join(root, `n${i}`), profile, {
    host: hosts[i]!, port, admin: opts.admin, args: ['--discovery', `static:${members}`, '--node-name', `n${i}`, '--replicas', String(n), ...(opts.extraArgs ?? [])],
  });
  const nodes = await Promise.all(hosts.map((_, i) => start(i)));
  const restart = async (i: number): Promise<BenchServer> => {
    const old = nodes[i]!.child;
    if (old.exitCode === null && old.signalCode === null) {
      const gone = new Promise<void>((resolve) => old.once('exit', () => resolve()));
      old.kill('SIGKILL');
      await gone;
    }
    nodes[i] = await start(i);
    return nodes[i]!;
  };
  return { nodes, head: `${hosts[0]}:${port}`, restart };
}

/** Produces the first body until the chain accepts it (links up, topic auto-created). */
export async function waitWritable(address: string, body: Buffer): Promise<void> {
  const deadline = Date.now() + WRITABLE_TIMEOUT_MS;
  let last = -1;
  while (Date.now() < deadline) {
    const conn = await KafkaWire.connect(address).catch(() => null);
    if (conn) {
      try {
        last = decodeProduceResponse(await conn.sendEncodedBody(ApiKey.Produce, PRODUCE_VERSION, body), PRODUCE_VERSION).topics[0]!.partitions[0]!.errorCode;
        if (last === 0) return;
      } catch {
        // The node is still starting; try again.
      } finally {
        conn.close();
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`chain at ${address} not writable after ${WRITABLE_TIMEOUT_MS} ms (last error code ${last})`);
}

export async function measure(chain: BenchChain, o: ChainBenchOptions, pool: ReturnType<typeof producePool>, count: number, bar: Progress): Promise<{ load: LoadResult; latency: LoadResult }> {
  const batchBytes = pool.batches[0]!.length;
  const pids = chain.nodes.map((n) => n.child.pid);
  const load = await produceLoad(chain.head, pool.bodies, batchBytes, pool.perBatch, count, { connections: o.connections, inflight: o.inflight, onDone: (b) => bar.add(b), serverPids: pids });
  const latency = await produceLoad(chain.head, pool.bodies, batchBytes, pool.perBatch, o.latencyRequests, { connections: 1, inflight: 1, serverPids: pids });
  return { load, latency };
}

/** Runs the chain bench: a 1-node and a 3-node chain side by side, rounds alternating between them. */
export async function runChainBench(o: ChainBenchOptions): Promise<ChainBenchResult> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-chain-'));
  const pool = producePool('bench-chain', o.batchKib * 1024, o.recordBytes, -1);
  const batchBytes = pool.batches[0]!.length;
  const count = Math.max(1, Math.round((o.mib * MiB) / batchBytes));
  const sizes = [1, 3];
  const chains: BenchChain[] = [];
  const bar = progress(count * batchBytes * (sizes.length + 1) * o.rounds, o.progress === true && process.stderr.isTTY === true);
  try {
    for (const n of sizes) chains.push(await startChain(path.join(root, `chain${n}`), n, o.profile));
    await Promise.all(chains.map((c) => waitWritable(c.head, pool.bodies[0]!)));
    const loads: LoadResult[][] = sizes.map(() => []);
    const latencies: LoadResult[][] = sizes.map(() => []);
    const paced: LoadResult[] = [];
    for (let r = 0; r < o.rounds; r++) {
      for (let i = 0; i < sizes.length; i++) {
        bar.phase(`${sizes[i]}-node round ${r + 1}`);
        const m = await measure(chains[i]!, o, pool, count, bar);
        loads[i]!.push(m.load);
        latencies[i]!.push(m.latency);
      }
      bar.phase(`1-node at the 3-node rate, round ${r + 1}`);
      const chainLoad = loads[1]![r]!;
      paced.push(await produceLoad(chains[0]!.head, pool.bodies, batchBytes, pool.perBatch, count, {
        connections: o.connections, inflight: o.inflight, ratePerSec: chainLoad.requests / chainLoad.seconds, onDone: (b) => bar.add(b), serverPids: [chains[0]!.nodes[0]!.child.pid],
      }));
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const spread = (xs: number[]): { median: number; min: number; max: number } => ({ median: med(xs), min: Math.min(...xs), max: Math.max(...xs) });
    const runs = sizes.map((nodes, i) => {
      const lat = latencies[i]!;
      const memberCpu = Array.from({ length: nodes }, (_, m) => spread(loads[i]!.map((l) => l.cpuMsPerMiB.perServer[m]!)));
      return { nodes, load: medianLoad(loads[i]!), latencyMs: { p50: med(lat.map((l) => l.latencyMs.p50)), p99: med(lat.map((l) => l.latencyMs.p99)) }, memberCpu };
    });
    const singleAtChainLoad = { ...spread(paced.map((l) => l.cpuMsPerMiB.perServer[0]!)), mibPerSec: medianLoad(paced).mibPerSec };
    return {
      batchBytes, runs, ratio: runs[1]!.load.mibPerSec / runs[0]!.load.mibPerSec, singleAtChainLoad,
      memberCpuRatios: runs[1]!.memberCpu.map((c) => c.median / singleAtChainLoad.median),
    };
  } finally {
    bar.stop();
    await Promise.all(chains.flatMap((c) => c.nodes.map((n) => stopServer(n))));
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** One line per chain size, then the ratio. */
export function formatChain(res: ChainBenchResult): string[] {
  const lines = res.runs.map((r) => {
    const s = r.load;
    return (
      `chain ${r.nodes}-node acks=-1  ${s.mibPerSec.toFixed(0).padStart(5)} MiB/s ${(s.recordsPerSec / 1000).toFixed(0).padStart(5)}k rec/s  ` +
      `loaded p50 ${s.latencyMs.p50.toFixed(2)} ms p99 ${s.latencyMs.p99.toFixed(2)} ms  one-at-a-time p50 ${r.latencyMs.p50.toFixed(2)} ms p99 ${r.latencyMs.p99.toFixed(2)} ms  ` +
      `cpu ms/MiB nodes ${s.cpuMsPerMiB.server.toFixed(2)} (${s.cpuMsPerMiB.perServer.map((c) => c.toFixed(2)).join(' / ')}) client ${s.cpuMsPerMiB.client.toFixed(2)}`
    );
  });
  lines.push(`chain 3-node / 1-node throughput ratio ${res.ratio.toFixed(2)} ${res.ratio >= TARGET_RATIO ? 'ok' : `BELOW target ${TARGET_RATIO}`}`);
  const range = (c: { median: number; min: number; max: number }): string => `${c.median.toFixed(2)} [${c.min.toFixed(2)}-${c.max.toFixed(2)}]`;
  const single = res.runs[0]!.memberCpu[0]!;
  lines.push(`chain cpu ms/MiB, median [range] of rounds: single at the 3-node load (${res.singleAtChainLoad.mibPerSec.toFixed(0)} MiB/s) ${range(res.singleAtChainLoad)}, single at its own max ${range(single)}`);
  res.runs[1]!.memberCpu.forEach((c, m) => {
    lines.push(`  ${(MEMBER_ROLES[m] ?? `n${m}`).padEnd(6)} ${range(c)}  / single at the same load ${res.memberCpuRatios[m]!.toFixed(2)}x  (/ single at its max ${(c.median / single.median).toFixed(2)}x)`);
  });
  const worst = Math.max(...res.memberCpuRatios);
  lines.push(`chain member cpu / single: worst ${worst.toFixed(2)}x ${worst <= MEMBER_CPU_TARGET ? 'ok' : 'ABOVE'} target <= ${MEMBER_CPU_TARGET}x`);
  return lines;
}

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      mib: { type: 'string', default: '128' },
      'batch-kib': { type: 'string', default: '64' },
      record: { type: 'string', default: '1024' },
      connections: { type: 'string', default: '4' },
      inflight: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      'latency-requests': { type: 'string', default: '300' },
      profile: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const opts: ChainBenchOptions = {
    mib: Number(args.mib), batchKib: Number(args['batch-kib']), recordBytes: Number(args.record),
    connections: Number(args.connections), inflight: Number(args.inflight), rounds: Math.max(1, Number(args.rounds)),
    latencyRequests: Number(args['latency-requests']), progress: !args.json, ...(args.profile ? { profile: args.profile } : {}),
  };
  const res = await runChainBench(opts);
  if (args.json) {
    const { progress: _, ...config } = opts;
    console.log(JSON.stringify({ config: { ...config, target: TARGET_RATIO, memberCpuTarget: MEMBER_CPU_TARGET }, ...res }, null, 2));
    return;
  }
  console.log(`chain bench: ${opts.mib} MiB of ${res.batchBytes} B batches per round, acks=-1, ${opts.connections} connections x ${opts.inflight} in flight to the head, median of ${opts.rounds} rounds, nodes in child processes on loopback`);
  for (const line of formatChain(res)) console.log(line);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
