/**
 * The node under benchmark: a `vonnegut serve` child process on its own core's worth of event loop,
 * optionally CPU-profiled (`node --cpu-prof`, which NODE_OPTIONS does not allow, hence our own spawn).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LISTEN_LINE = /vonnegut listening on (\S+):(\d+)(?: admin (\d+))?/;

export interface BenchServer {
  address: string;
  child: ChildProcess;
  /** The admin HTTP port (/metrics) on 127.0.0.1, when started with `admin`. */
  adminPort?: number;
  /** The last 8000 characters of the node's log (warnings and errors), to say why a run went wrong. */
  logTail(): string;
}

/**
 * Extra node/V8 flags for every bench server, from BENCH_NODE_FLAGS (space-separated), e.g.
 * `BENCH_NODE_FLAGS=--single-threaded-gc`: V8 flags such as that one are refused in NODE_OPTIONS.
 */
function serverNodeFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');
}

/**
 * Starts a node on `dataDir`; with `profileDir`, V8 writes a .cpuprofile there when it exits. `host`,
 * `port` and extra `serve` flags (chain membership) are for chains of bench nodes; `env` adds to the
 * node's environment (UV_THREADPOOL_SIZE, VONNEGUT_* settings).
 */
export function startServer(dataDir: string, profileDir?: string, opts: { host?: string; port?: number; args?: string[]; admin?: boolean; env?: Record<string, string> } = {}): Promise<BenchServer> {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child = spawn(process.execPath, [
    ...prof, ...serverNodeFlags(), '--import', 'tsx', path.join(ROOT, 'node/src/main.ts'), 'serve',
    '--data-dir', dataDir, '--host', opts.host ?? '127.0.0.1', '--port', String(opts.port ?? 0), '--admin-port', opts.admin ? '0' : '-1', '--log-level', 'warn',
    ...(opts.args ?? []),
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = LISTEN_LINE.exec(out);
      if (m) resolve({ address: `${m[1]}:${m[2]}`, child, ...(m[3] ? { adminPort: Number(m[3]) } : {}), logTail: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
  });
}

/** SIGTERM, so the CLI exits cleanly and a profile gets written; SIGKILL if it lingers. */
export async function stopServer(server: BenchServer): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

/** Writes back every dirty page (sync(1)), so the next timed phase does not pay for an earlier one's writes. */
export function syncDisk(): void {
  execFileSync('sync');
}

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc; NaN where there is no
 * /proc. On a shared machine throughput swings with other people's work, while CPU spent per MiB moved
 * does not: benches report both.
 */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Event-loop delay over one phase, in milliseconds (see node/src/metrics/event-loop-delay.ts). */
export interface LoopDelay {
  /** Upper bounds of the histogram buckets holding the phase's median and 99th percentile delay. */
  p50: number;
  p99: number;
  /** Longest delay in the phase. */
  max: number;
}

/** One scrape of the node's event-loop delay histogram: cumulative counts per bucket bound (ms). */
export interface LoopDelaySnapshot {
  buckets: { leMs: number; count: number }[];
  /** Longest delay since the previous scrape (ms). */
  maxMs: number;
}

/** Scrapes the event-loop delay; null without an admin port. Each scrape also starts a new max window. */
export async function scrapeLoopDelay(server: BenchServer): Promise<LoopDelaySnapshot | null> {
  if (server.adminPort === undefined) return null;
  const text = await (await fetch(`http://127.0.0.1:${server.adminPort}/metrics`)).text();
  const buckets = [...text.matchAll(/^vonnegut_event_loop_delay_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)]
    .map((m) => ({ leMs: m[1] === '+Inf' ? Infinity : Number(m[1]) * 1000, count: Number(m[2]) }));
  const max = /^vonnegut_event_loop_delay_max_seconds (\S+)$/m.exec(text);
  return { buckets, maxMs: max ? Number(max[1]) * 1000 : NaN };
}

/** The loop delay of the phase between two scrapes (`after` must be the scrape right after the phase). */
export function loopDelayBetween(before: LoopDelaySnapshot | null, after: LoopDelaySnapshot | null): LoopDelay {
  if (!before || !after) return { p50: NaN, p99: NaN, max: NaN };
  const counts = after.buckets.map((b, i) => b.count - (before.buckets[i]?.count ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  const quantile = (q: number): number => after.buckets[counts.findIndex((c) => c >= q * total)]?.leMs ?? NaN;
  return { p50: quantile(0.5), p99: quantile(0.99), max: after.maxMs };
}

/**
 * CPU seconds (user + system) of this process's children that have exited and been waited for
 * (cutime + cstime in /proc/self/stat): a short-lived load generator such as kcat is measured as the
 * difference around its run. NaN where there is no /proc.
 */
export function exitedChildrenCpuSeconds(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU per MiB of a phase: server processes (from /proc) and this process, both in ms per MiB. */
export interface CpuPerMiB {
  server: number;
  client: number;
}

/** Starts metering CPU of `pids` and of this process; `perMiB(bytes)` ends the phase. */
export function cpuMeter(pids: (number | undefined)[]): { perMiB(bytes: number): CpuPerMiB } {
  const total = (): number => pids.reduce<number>((sum, pid) => sum + cpuSeconds(pid), 0);
  const server0 = total();
  const client0 = process.cpuUsage();
  return {
    perMiB(bytes) {
      const mib = bytes / (1024 * 1024);
      const client = process.cpuUsage(client0);
      return { server: ((total() - server0) * 1000) / mib, client: (client.user + client.system) / 1000 / mib };
    },
  };
}
