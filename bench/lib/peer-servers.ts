/**
 * The peers the `--peers` bench runs vonnegut against, as real Debian server processes on loopback:
 * NATS JetStream (`nats-server`, file storage; R1 one server, R3 three servers clustered by routes) and
 * Redis 7 (`redis-server`, append-only file fsynced every second). Each gets a config file written by a
 * pure function below and a data directory under the bench's tmp dir, on the same disk as vonnegut's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { portFreeOn } from '../../e2e/lib/chain-cluster.ts';
import { which } from '../../e2e/lib/tools.ts';

/** How long a server may take to print its ready line. */
const READY_TIMEOUT_MS = 30_000;
/** What each server prints once it accepts clients. */
const NATS_READY = /Server is ready/;
const REDIS_READY = /Ready to accept connections/;
/** Loopback addresses of the three JetStream R3 servers (the vonnegut chain uses 127.0.0.11-13). */
const NATS_CLUSTER_HOSTS = ['127.0.0.21', '127.0.0.22', '127.0.0.23'];
/** The Debian packages that hold the binaries, for the error message. */
export const PEER_BINARIES = { 'nats-server': 'nats-server', 'redis-server': 'redis-server' } as const;
export type PeerBinary = keyof typeof PEER_BINARIES;

export interface PeerProcess {
  name: string;
  child: ChildProcess;
}

export interface NatsServerConfig {
  serverName: string;
  host: string;
  port: number;
  storeDir: string;
  /** Present for a clustered (R3) server: its own route listener and every member's route address. */
  cluster?: { name: string; port: number; routes: string[] };
}

/** nats-server's config file for one JetStream server (file storage under `storeDir`). */
export function natsConfig(c: NatsServerConfig): string {
  const lines = [
    `server_name: ${JSON.stringify(c.serverName)}`,
    `listen: "${c.host}:${c.port}"`,
    // No monitoring port: nothing scrapes it, and it would need one more free port per server.
    'jetstream {',
    `  store_dir: ${JSON.stringify(c.storeDir)}`,
    '}',
  ];
  if (c.cluster) {
    lines.push(
      'cluster {',
      `  name: ${JSON.stringify(c.cluster.name)}`,
      `  listen: "${c.host}:${c.cluster.port}"`,
      `  routes: [${c.cluster.routes.map((r) => JSON.stringify(`nats-route://${r}`)).join(', ')}]`,
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

/** redis-server's config file: loopback only, AOF on with `appendfsync everysec`, no RDB snapshots. */
export function redisConfig(c: { port: number; dir: string }): string {
  return [
    'bind 127.0.0.1',
    `port ${c.port}`,
    `dir ${JSON.stringify(c.dir)}`,
    'appendonly yes',
    'appendfsync everysec',
    // Snapshots would fork and write the whole dataset mid-run; the AOF is the durability measured.
    'save ""',
    'daemonize no',
    'logfile ""',
  ].join('\n') + '\n';
}

/**
 * The peer binaries missing from PATH (none: both are there), looked up with `lookup` (default: PATH).
 * Debian installs nats-server under /usr/sbin, which a non-root PATH may lack.
 */
export function missingPeerBinaries(lookup: (cmd: string) => string | null = which): PeerBinary[] {
  return (Object.keys(PEER_BINARIES) as PeerBinary[]).filter((b) => lookup(b) === null);
}

/** The message `vonnegut bench --peers` fails with when binaries are missing. */
export function missingPeersMessage(missing: PeerBinary[]): string {
  return (
    `bench --peers needs ${missing.join(' and ')} on PATH but cannot find ${missing.length > 1 ? 'them' : 'it'}; ` +
    `on Debian: apt-get install --no-install-recommends ${missing.map((m) => PEER_BINARIES[m]).join(' ')} ` +
    '(nats-server lands in /usr/sbin: add it to PATH if you are not root)'
  );
}

function startProcess(name: string, cmd: string, args: string[], ready: RegExp): Promise<PeerProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} not ready after ${READY_TIMEOUT_MS} ms:\n${log}`));
    }, READY_TIMEOUT_MS);
    const onData = (d: Buffer): void => {
      log = (log + d.toString()).slice(-8000);
      if (ready.test(log)) {
        clearTimeout(timer);
        resolve({ name, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${log}`));
    });
  });
}

/**
 * Starts `n` JetStream servers under `root` (n = 1: a single server; n > 1: one cluster on 127.0.0.21..)
 * and returns their processes and client URLs.
 */
export async function startNats(root: string, n: number): Promise<{ procs: PeerProcess[]; servers: string[] }> {
  const hosts = n === 1 ? ['127.0.0.1'] : NATS_CLUSTER_HOSTS.slice(0, n);
  const port = await portFreeOn(hosts);
  const clusterPort = n === 1 ? 0 : await portFreeOnExcept(hosts, port);
  const routes = hosts.map((h) => `${h}:${clusterPort}`);
  const procs = await Promise.all(hosts.map((host, i) => {
    const dir = path.join(root, `nats${n}-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'nats.conf');
    fs.writeFileSync(file, natsConfig({
      serverName: `n${i}`, host, port, storeDir: path.join(dir, 'store'),
      ...(n > 1 ? { cluster: { name: 'bench', port: clusterPort, routes } } : {}),
    }));
    return startProcess(`nats-server R${n} n${i}`, 'nats-server', ['-c', file], NATS_READY);
  }));
  return { procs, servers: hosts.map((h) => `${h}:${port}`) };
}

async function portFreeOnExcept(hosts: string[], taken: number): Promise<number> {
  for (;;) {
    const p = await portFreeOn(hosts);
    if (p !== taken) return p;
  }
}

/** Starts one redis-server under `root`; returns its process and URL. */
export async function startRedis(root: string): Promise<{ proc: PeerProcess; url: string }> {
  const dir = path.join(root, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const port = await portFreeOn(['127.0.0.1']);
  const file = path.join(dir, 'redis.conf');
  fs.writeFileSync(file, redisConfig({ port, dir }));
  const proc = await startProcess('redis-server', 'redis-server', [file], REDIS_READY);
  return { proc, url: `redis://127.0.0.1:${port}` };
}

/** SIGTERM, then SIGKILL if the process lingers. */
export async function stopProcess(p: PeerProcess): Promise<void> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}
