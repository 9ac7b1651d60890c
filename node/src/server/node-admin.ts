/**
 * The node's side of the admin HTTP server (metrics/admin-server.ts serves the routes): what `/readyz`
 * and `/v1/status` report, the runtime settings `PUT /v1/config` changes, the drain flag, and the admin
 * token file. startNode hands it the running parts and closes the server it returns.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import type { ChainNode } from '../chain/chain-node.ts';
import type { CoordinatorHealth } from '../coordination/failover.ts';
import type { Advertised } from '../discovery/self.ts';
import { LOG_LEVELS, type LogLevel, type Logger } from '../logging.ts';
import { startAdminServer, type AdminHooks } from '../metrics/admin-server.ts';
import { refreshNodeGauges } from '../metrics/node-gauges.ts';
import type { NodeMetrics } from '../metrics/node-metrics.ts';
import { nodeReadiness } from '../metrics/readiness.ts';
import { partitionReports, type StatusReport } from '../metrics/status-report.ts';
import { checkWritable } from '../storage/data-dir.ts';
import type { LogManager } from '../storage/log-manager.ts';
import type { Broker } from './broker.ts';
import type { DynamicBrokerConfig } from './broker-config.ts';

/** Settings the sidecar may change at runtime (PUT /v1/config). */
export interface NodeSettings {
  segmentBytes?: number;
  retentionBytes?: number;
  retentionMs?: number;
  logLevel?: LogLevel;
}

/** Why a settings body is unacceptable, or null. */
export function validateSettings(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object';
  for (const [k, v] of Object.entries(body)) {
    if (k === 'logLevel') {
      if (!LOG_LEVELS.includes(v as LogLevel)) return `logLevel must be one of ${LOG_LEVELS.join(', ')}`;
    } else if (k === 'segmentBytes') {
      if (!Number.isInteger(v) || (v as number) < 1024) return 'segmentBytes must be an integer >= 1024';
    } else if (k === 'retentionBytes' || k === 'retentionMs') {
      if (!Number.isInteger(v) || (v as number) < -1) return `${k} must be an integer >= -1`;
    } else {
      return `unknown setting ${k}`;
    }
  }
  return null;
}

/** Writes a fresh random admin token to `file` (owner-only, replaced atomically) and returns it. */
function writeAdminToken(file: string): string {
  const token = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, token, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}

/** What the admin hooks read and change: the node's running parts and its admin settings. */
export interface NodeAdminParts {
  config: {
    dataDir: string;
    chain?: string;
    replicas: number;
    adminHost: string;
    adminPort: number;
    adminTokenFile?: string;
  } & NodeSettings;
  nodeName: string;
  /** With discovery: this node's name, address and source, for the readiness check's message. */
  identity?: { name: string; advertised: Advertised; source: string };
  chain: ChainNode;
  logs: LogManager;
  broker: Broker;
  /** The broker's dynamic configs: settings changed here are its static layer, under AlterConfigs' keys. */
  brokerConfig: DynamicBrokerConfig;
  metrics: NodeMetrics;
  /** With --coordinator: whether the coordination store answers (readiness and status report it). */
  coordinatorHealth?: () => CoordinatorHealth;
  /** Open Kafka connections, for the gauges refreshed before a scrape. */
  connections(): number;
  /** Changes the log level at runtime. */
  setLevel(level: LogLevel): void;
  /** With --coordinator: leaves the chain's configuration for good (what a drain does before the pod goes). */
  leaveChain?: () => Promise<void>;
  logger: Logger;
}

/** The admin server's hooks for one node; `draining` turns true once `POST /v1/drain` arrived. */
export function nodeAdminHooks(p: NodeAdminParts): AdminHooks & { draining(): boolean } {
  const { config, chain, logs, metrics } = p;
  let draining = false;
  let drained = false;
  const settings: NodeSettings = { segmentBytes: config.segmentBytes, retentionBytes: config.retentionBytes, retentionMs: config.retentionMs, logLevel: config.logLevel };
  return {
    draining: () => draining,
    readiness: () => nodeReadiness({
      chain,
      replicas: config.replicas,
      dataDirWritable: () => {
        try {
          checkWritable(config.dataDir);
          return true;
        } catch {
          return false;
        }
      },
      draining: () => draining,
      ...(p.identity ? { identity: p.identity } : {}),
      ...(p.coordinatorHealth ? { coordinator: p.coordinatorHealth } : {}),
    }),
    status: (): StatusReport => ({
      nodeId: p.broker.selfId(),
      nodeName: p.nodeName,
      chain: config.chain ?? null,
      role: chain.view.role,
      members: chain.view.members.map((m) => m.name),
      replicas: config.replicas,
      writable: chain.writable().ok,
      epoch: chain.epoch,
      draining,
      drained,
      partitions: partitionReports(logs, chain),
      ...(p.coordinatorHealth ? { coordinator: p.coordinatorHealth() } : {}),
    }),
    configure: (body) => {
      const problem = validateSettings(body);
      if (problem) return problem;
      const { logLevel, ...storage } = body as NodeSettings;
      p.brokerConfig.setStatic(storage);
      if (logLevel) p.setLevel(logLevel);
      Object.assign(settings, body);
      p.logger.info('settings changed through the admin API', { ...(body as object) });
      return null;
    },
    drain: () => {
      // Draining: stop reporting ready so Kubernetes routes nothing new here, and (coordinated) leave
      // the chain's configuration so the pod can go without the chain waiting out a lease. The
      // operator removes the pod once the sidecar reports `drained` (docs/kubernetes.md, scale-down).
      if (draining) return;
      draining = true;
      void (p.leaveChain?.() ?? Promise.resolve()).finally(() => { drained = true; });
    },
    settings: () => ({ ...settings }),
    beforeScrape: () => refreshNodeGauges(metrics, { chain, logs, dataDir: config.dataDir, replicas: config.replicas, connections: p.connections }),
  };
}

/** Starts the node's admin server (null when adminPort is -1), writing a fresh admin token first when asked to. */
export async function startNodeAdmin(p: NodeAdminParts): Promise<{ server: HttpServer; port: number } | null> {
  if (p.config.adminPort < 0) return null;
  const token = p.config.adminTokenFile === undefined ? undefined : writeAdminToken(p.config.adminTokenFile);
  return startAdminServer(p.config.adminHost, p.config.adminPort, p.metrics, nodeAdminHooks(p), token);
}
