/**
 * A real DNS server for tests: dnsmasq on a loopback port, serving SRV records for chains (what a
 * Kubernetes headless service publishes) and A records for their members. Changing records restarts
 * dnsmasq, since it reads `srv-host` lines only at start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Resolver } from 'node:dns/promises';
import { freePort } from './ports.ts';

export interface SrvTarget {
  /** Host name of the member, e.g. `n0.chain-a.test`. */
  target: string;
  address: string;
  port: number;
}

export class DnsServer {
  private child: ChildProcess | null = null;
  port = 0;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-dns-'));
  private records = new Map<string, SrvTarget[]>();

  /** `host:port` to pass as `--dns-server`. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Sets the SRV record `name` to these targets (and their A records), then (re)starts dnsmasq. */
  async setSrv(name: string, targets: SrvTarget[]): Promise<void> {
    this.records.set(name, targets);
    await this.restart();
  }

  private async restart(): Promise<void> {
    await this.stop();
    if (!this.port) this.port = await freePort();
    const lines = ['no-resolv', 'no-hosts', 'bind-interfaces', 'listen-address=127.0.0.1', `port=${this.port}`, 'user=root', 'local-ttl=0'];
    for (const [name, targets] of this.records) {
      for (const t of targets) {
        lines.push(`srv-host=${name},${t.target},${t.port},0,100`);
        lines.push(`host-record=${t.target},${t.address}`);
      }
    }
    const conf = path.join(this.dir, 'dnsmasq.conf');
    fs.writeFileSync(conf, lines.join('\n') + '\n');
    const child = spawn('dnsmasq', ['--keep-in-foreground', `--conf-file=${conf}`, '--pid-file='], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    // Ready when it answers one of our records.
    const resolver = new Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([this.address]);
    const first = this.records.keys().next().value as string | undefined;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${err}`);
      try {
        if (first) await resolver.resolveSrv(first);
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`dnsmasq did not answer: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await gone;
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
