/**
 * The node under benchmark: a `vonnegut serve` child process on its own core's worth of event loop,
 * optionally CPU-profiled (`node --cpu-prof`, which NODE_OPTIONS does not allow, hence our own spawn).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LISTEN_LINE = /vonnegut listening on (\S+):(\d+)/;

export interface BenchServer {
  address: string;
  child: ChildProcess;
}

/**
 * Starts a node on `dataDir`; with `profileDir`, V8 writes a .cpuprofile there when it exits. `host`,
 * `port` and extra `serve` flags (chain membership) are for chains of bench nodes.
 */
export function startServer(dataDir: string, profileDir?: string, opts: { host?: string; port?: number; args?: string[] } = {}): Promise<BenchServer> {
  const prof = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child = spawn(process.execPath, [
    ...prof, '--import', 'tsx', path.join(ROOT, 'node/src/main.ts'), 'serve',
    '--data-dir', dataDir, '--host', opts.host ?? '127.0.0.1', '--port', String(opts.port ?? 0), '--admin-port', '-1', '--log-level', 'warn',
    ...(opts.args ?? []),
  ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = LISTEN_LINE.exec(out);
      if (m) resolve({ address: `${m[1]}:${m[2]}`, child });
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
