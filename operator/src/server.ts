// The operator's HTTP endpoints: /metrics, /healthz (process alive), /readyz (informers synced, or a
// standby replica waiting for the leader Lease).
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthSource {
  ready(): boolean;
  informerStates(): Record<string, { ready: boolean; lastError?: string }>;
  /** Whether this replica reconciles (holds the leader Lease); absent without leader election. */
  leader?(): boolean;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves metrics and health on host:port (port 0 picks one). */
export async function startMetricsServer(registry: Registry, health: HealthSource, host: string, port: number): Promise<MetricsServer> {
  const app = express();
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const ready = health.ready();
    res.status(ready ? 200 : 503).json({ ready, leader: health.leader?.() ?? true, informers: health.informerStates() });
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
