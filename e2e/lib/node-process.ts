/**
 * Runs real `vonnegut serve` processes for end-to-end tests: each on its own data dir, port 0 unless
 * given, with the bound address read back from the line the CLI prints. Processes can be killed with
 * any signal (SIGKILL for crash tests, SIGSTOP/SIGCONT to freeze one) and restarted on the same data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'node/src/main.ts');
/** How long a node may take to print its listening line. */
export const START_TIMEOUT_MS = 120_000;
const LISTEN_LINE = /vonnegut listening on (\S+):(\d+)(?: admin (\d+))?/;

export interface NodeSpec {
  dataDir?: string;
  host?: string;
  port?: number;
  adminPort?: number;
  /** Extra `serve` flags, e.g. ['--discovery', 'srv:...', '--replicas', '3']; a function is asked at every start. */
  args?: string[] | (() => string[]);
  env?: NodeJS.ProcessEnv;
}

export class NodeProcess {
  child: ChildProcess | null = null;
  host = '127.0.0.1';
  port = 0;
  adminPort = -1;
  readonly dataDir: string;
  /** Everything the process wrote to stderr (its logs), for failure messages. */
  stderr = '';

  constructor(readonly spec: NodeSpec = {}) {
    this.dataDir = spec.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vg-e2e-'));
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /**
   * Starts (or restarts) the process and resolves once it listens. The deadline is generous: on a loaded
   * 2-core machine (load average 20+) tsx alone can take 30 s to compile the node before it logs a line.
   */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<this> {
    // `node --import tsx` keeps the node in this one process: the tsx CLI would fork a child that a
    // SIGKILL aimed at the wrapper would miss.
    const args = [
      '--import', 'tsx', MAIN, 'serve',
      '--data-dir', this.dataDir,
      '--host', this.spec.host ?? '127.0.0.1',
      // A restart reuses the port it had, so peers and clients find it again.
      '--port', String(this.port || this.spec.port || 0),
      '--admin-port', String(this.spec.adminPort ?? 0),
      ...(typeof this.spec.args === 'function' ? this.spec.args() : this.spec.args ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...this.spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 200_000) this.stderr = this.stderr.slice(-100_000);
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`node did not start in ${timeoutMs} ms:\n${this.stderr.slice(-4000)}`)), timeoutMs);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = LISTEN_LINE.exec(out);
        if (m) {
          clearTimeout(timer);
          this.host = m[1]!;
          this.port = Number(m[2]);
          this.adminPort = m[3] ? Number(m[3]) : -1;
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`node exited (${code ?? signal}) before listening:\n${this.stderr.slice(-4000)}`));
      });
    });
    return this;
  }

  /** Sends a signal; for terminating signals, resolves when the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      child.kill(signal);
      return;
    }
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
    this.child = null;
  }

  /** Stops the process (SIGKILL) and removes its data dir unless told to keep it. */
  async destroy(keepData = false): Promise<void> {
    if (this.child?.signalCode === null && this.child.exitCode === null) this.child.kill('SIGCONT');
    await this.kill('SIGKILL');
    if (!keepData) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Starts a node with the given spec. */
export async function startNodeProcess(spec: NodeSpec = {}): Promise<NodeProcess> {
  return new NodeProcess(spec).start();
}
