/**
 * A real etcd cluster on loopback for tests and benchmarks: N members (3 by default) on 127.0.0.1 with
 * ports from freePort(), each in its own mkdtemp data dir, bootstrapped with --initial-cluster. Heartbeat
 * and election timeouts are short so leader loss is noticed in about a second, yet long enough not to
 * flap on a loaded 2-core machine. Members can be SIGKILLed, stopped and restarted on their data dirs.
 *
 * etcd must be on PATH (Debian etcd-server, installed by .ci/run); `etcdAvailable()` fails loudly under
 * CI=true when it is missing, like every other external tool (tools.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';
import { requireTool, waitFor } from './tools.ts';

/** etcd's raft heartbeat and election timeout for tests (ms). */
export const ETCD_TEST_TIMING = { heartbeatMs: 100, electionMs: 1_000 };

/** Whether etcd can run here; throws under CI=true when it is missing. */
export function etcdAvailable(): boolean {
  return requireTool('etcd');
}

export class EtcdMember {
  child: ChildProcess | null = null;
  /** The member's log output (etcd logs to stderr), for failure messages. */
  log = '';

  constructor(
    readonly name: string,
    readonly host: string,
    readonly clientPort: number,
    readonly peerPort: number,
    readonly dataDir: string,
    private readonly initialCluster: string,
    private readonly token: string,
  ) {}

  get endpoint(): string {
    return `${this.host}:${this.clientPort}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the member (a restart reuses its data dir, where etcd ignores the bootstrap flags). */
  start(): void {
    const peerUrl = `http://${this.host}:${this.peerPort}`;
    const clientUrl = `http://${this.endpoint}`;
    const args = [
      '--name', this.name,
      '--data-dir', this.dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', this.initialCluster,
      '--initial-cluster-state', 'new',
      '--initial-cluster-token', this.token,
      '--heartbeat-interval', String(ETCD_TEST_TIMING.heartbeatMs),
      '--election-timeout', String(ETCD_TEST_TIMING.electionMs),
      '--logger', 'zap',
      '--log-level', 'warn',
    ];
    const child = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => {
      this.log += d.toString();
      if (this.log.length > 100_000) this.log = this.log.slice(-50_000);
    });
    child.on('error', (err) => (this.log += `\nspawn failed: ${err.message}`));
  }

  /** Sends `signal` and waits until the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Whether this member answers /health with a leader known (etcd 3.4: {"health":"true"}). */
  async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`http://${this.endpoint}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await res.json()) as { health?: string };
      return res.ok && body.health === 'true';
    } catch {
      return false;
    }
  }
}

export class EtcdCluster {
  private constructor(readonly members: EtcdMember[]) {}

  /** Starts `size` members and waits until every one reports healthy. */
  static async start(size = 3, timeoutMs = 60_000): Promise<EtcdCluster> {
    const host = '127.0.0.1';
    const ports: Array<{ client: number; peer: number }> = [];
    for (let i = 0; i < size; i++) ports.push({ client: await freePort(host), peer: await freePort(host) });
    const initialCluster = ports.map((p, i) => `e${i}=http://${host}:${p.peer}`).join(',');
    const token = `vg-test-${process.pid}-${Date.now()}`;
    const members = ports.map((p, i) => new EtcdMember(`e${i}`, host, p.client, p.peer, fs.mkdtempSync(path.join(os.tmpdir(), 'vg-etcd-')), initialCluster, token));
    const cluster = new EtcdCluster(members);
    for (const m of members) m.start();
    try {
      await cluster.waitHealthy(timeoutMs);
    } catch (err) {
      await cluster.teardown();
      throw err;
    }
    return cluster;
  }

  /** `HOST:PORT,HOST:PORT,...` of every member, as `--coordinator etcd:` takes it. */
  get endpoints(): string {
    return this.members.map((m) => m.endpoint).join(',');
  }

  /** Waits until every running member is healthy (has a leader). */
  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      'etcd cluster healthy',
      async () => {
        const live = this.members.filter((m) => m.running);
        if (live.length === 0) throw new Error('no etcd member is running');
        const ok = await Promise.all(live.map((m) => m.healthy()));
        return ok.every(Boolean) ? true : undefined;
      },
      timeoutMs,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.members.map((m) => `--- ${m.name}:\n${m.log.slice(-2000)}`).join('\n')}`);
    });
  }

  /** SIGKILLs member `i` (a crash; its data dir stays). */
  kill(i: number): Promise<void> {
    return this.members[i]!.kill('SIGKILL');
  }

  /** Stops member `i` cleanly. */
  stop(i: number): Promise<void> {
    return this.members[i]!.kill('SIGTERM');
  }

  /** Restarts member `i` on its data dir; with `waitHealthy` also waits until it has a leader again. */
  async restart(i: number, waitHealthy = true): Promise<void> {
    const m = this.members[i]!;
    await m.kill('SIGKILL');
    m.start();
    if (waitHealthy) await this.waitHealthy();
  }

  /** Kills every member and deletes the data dirs. */
  async teardown(): Promise<void> {
    await Promise.all(this.members.map((m) => m.kill('SIGKILL')));
    for (const m of this.members) fs.rmSync(m.dataDir, { recursive: true, force: true });
  }
}
