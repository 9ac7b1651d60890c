/**
 * The node's admin HTTP server (express): `/metrics` for Prometheus, `/healthz` (the process answers),
 * `/readyz` (chain formed, discovery fresh, data dir writable), and the local admin API the sidecar
 * uses (`/v1/status`, `/v1/config`, `/v1/drain`).
 */
import type { Server } from 'node:http';
import express from 'express';
import type { NodeMetrics } from './node-metrics.ts';

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface AdminHooks {
  readiness(): Readiness;
  status(): unknown;
  /** Applies log settings; returns an error message for bad input. */
  configure(body: unknown): string | null;
  drain(): void;
  /** Refreshes gauges right before a scrape. */
  beforeScrape?(): void;
}

/** Starts the admin server; resolves with it and its bound port. */
export async function startAdminServer(host: string, port: number, metrics: NodeMetrics, hooks: AdminHooks): Promise<{ server: Server; port: number }> {
  const app = express();
  app.use(express.json({ limit: '64kb' }));
  app.get('/metrics', async (_req, res) => {
    hooks.beforeScrape?.();
    res.set('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', (_req, res) => {
    const r = hooks.readiness();
    res.status(r.ready ? 200 : 503).json(r);
  });
  app.get('/v1/status', (_req, res) => {
    res.json(hooks.status());
  });
  app.put('/v1/config', (req, res) => {
    const problem = hooks.configure(req.body);
    if (problem) res.status(400).json({ error: problem });
    else res.status(204).end();
  });
  app.post('/v1/drain', (_req, res) => {
    hooks.drain();
    res.status(202).json({ draining: true });
  });
  return new Promise((resolve, reject) => {
    // Express 5 calls this back with the listen error too (EADDRINUSE): a busy port must stop the start,
    // not leave a node that says it serves an admin port another process holds.
    const server = app.listen(port, host, (err?: Error) => {
      if (err) return reject(new Error(`admin port ${host}:${port}: ${err.message}`));
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : port });
    });
  });
}
