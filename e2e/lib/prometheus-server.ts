/**
 * A real Prometheus server on loopback for tests: static scrape targets with extra target labels,
 * optional rule files, 1s scrape and evaluation intervals, and its HTTP API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from './tools.ts';
import { freePort } from './ports.ts';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RuleGroupState {
  name: string;
  lastEvaluation: string;
  rules: { name: string; health: string; lastError?: string; state?: string }[];
}

export interface PrometheusOptions {
  targets: string[];
  /** Labels added to every scraped series (what a PodMonitor's relabelings would add on Kubernetes). */
  labels?: Record<string, string>;
  ruleFiles?: string[];
}

export class PrometheusServer {
  private child: ChildProcess | undefined;
  private dir = '';
  url = '';

  /** Starts Prometheus and resolves once it reports ready. */
  async start(opts: PrometheusOptions): Promise<this> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-prom-'));
    const config = {
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: opts.ruleFiles ?? [],
      scrape_configs: [{ job_name: 'vonnegut', static_configs: [{ targets: opts.targets, labels: opts.labels ?? {} }] }],
    };
    fs.writeFileSync(path.join(this.dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    let stderr = '';
    const child = spawn('prometheus', [
      `--config.file=${path.join(this.dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    await waitFor('prometheus ready', async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited ${child.exitCode}: ${stderr}`);
      return (await fetch(`${this.url}/-/ready`)).ok ? true : undefined;
    }, 30_000, 200);
    return this;
  }

  private async api<T>(pathAndQuery: string): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${pathAndQuery}`);
    const body = (await res.json()) as { status: string; error?: string; data: T };
    if (body.status !== 'success') throw new Error(`${pathAndQuery} failed: ${body.error}`);
    return body.data;
  }

  /** An instant query. */
  async query(expr: string): Promise<Sample[]> {
    return (await this.api<{ result: Sample[] }>(`query?query=${encodeURIComponent(expr)}`)).result;
  }

  /** Rule groups with their last evaluation time and each rule's health. */
  async ruleGroups(): Promise<RuleGroupState[]> {
    return (await this.api<{ groups: RuleGroupState[] }>('rules')).groups;
  }

  /** Active (pending or firing) alerts with rendered labels and annotations. */
  async alerts(): Promise<{ labels: Record<string, string>; annotations: Record<string, string>; state: string }[]> {
    return (await this.api<{ alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string }[] }>('alerts')).alerts;
  }

  /** Resolves after every rule group has been evaluated at least once after now. */
  async evaluatedSinceNow(): Promise<void> {
    const since = Date.now();
    await waitFor('every rule group evaluated again', async () => {
      const groups = await this.ruleGroups();
      return groups.length > 0 && groups.every((g) => Date.parse(g.lastEvaluation) > since) ? true : undefined;
    }, 30_000, 250);
  }

  async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const gone = new Promise((r) => this.child!.once('exit', r));
      this.child.kill('SIGTERM');
      await gone;
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
