/**
 * The node's admin HTTP server (express): `/metrics` for Prometheus, `/healthz` (the process answers),
 * `/readyz` (chain formed, discovery fresh, data dir writable), and the local admin API the sidecar
 * uses (`/v1/status`, `/v1/config`, `/v1/drain`).
 *
 * Reads are open (probes and Prometheus need them). Changes (`PUT /v1/config`, `POST /v1/drain`) need
 * the admin token when one is set (`Authorization: Bearer <token>`, else 401), and without a token are
 * accepted from loopback peers only (else 403): in a pod only its own containers reach loopback.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type RequestHandler } from 'express';
import type { NodeMetrics } from './node-metrics.ts';

export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

export interface AdminHooks {
  readiness(): Readiness;
  status(): unknown;
  /** The live settings (what PUT /v1/config changes). */
  settings(): unknown;
  /** Applies log settings; returns an error message for bad input. */
  configure(body: unknown): string | null;
  drain(): void;
  /** Refreshes gauges right before a scrape. */
  beforeScrape?(): void;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** Whether `given` equals `token`, in time that does not depend on where they differ. */
function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Guards the changing routes: the token when there is one, else a loopback peer. */
export function changeGuard(token: string | undefined): RequestHandler {
  return (req, res, next) => {
    if (token !== undefined) {
      const auth = req.get('authorization') ?? '';
      if (auth.startsWith('Bearer ') && tokenMatches(auth.slice('Bearer '.length), token)) return next();
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'the admin token is required to change this node' });
      return;
    }
    if (LOOPBACK.test(req.socket.remoteAddress ?? '')) return next();
    res.status(403).json({ error: 'changes are accepted from loopback only (no admin token is configured)' });
  };
}

/** Starts the admin server; resolves with it and its bound port. `token` guards the changing routes. */
export async function startAdminServer(host: string, port: number, metrics: NodeMetrics, hooks: AdminHooks, token?: string): Promise<{ server: Server; port: number }> {
  const app = express();
  const guard = changeGuard(token);
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
  app.get('/v1/config', (_req, res) => {
    res.json(hooks.settings());
  });
  app.put('/v1/config', guard, (req, res) => {
    const problem = hooks.configure(req.body);
    if (problem) res.status(400).json({ error: problem });
    else res.status(204).end();
  });
  app.post('/v1/drain', guard, (_req, res) => {
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
