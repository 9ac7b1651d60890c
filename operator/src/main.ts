// `vonnegut operator` (and `tsx operator/src/main.ts`): options from flags or VONNEGUT_OPERATOR_* env.
import { Command, Option } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { BackoffPolicy } from './backoff.ts';
import { Controller, DEFAULT_RESYNC_MS } from './controller.ts';
import { makeKubeClient } from './kube.ts';
import { makeLogger, type Logger } from './logger.ts';
import { OperatorMetrics } from './metrics.ts';
import { DEFAULT_CLUSTER_DOMAIN } from './names.ts';
import { startMetricsServer } from './server.ts';
import { DEFAULT_LEASE_NAME, LeaderElector, type LeaderElectionConfig } from './leader.ts';
import { hostname } from 'node:os';

export const DEFAULT_METRICS_PORT = 8080;
export const DEFAULT_IMAGE = 'ghcr.io/vonnegut/vonnegut:0.1.0';
export const DEFAULT_SIDECAR_CLUSTER_ROLE = 'vonnegut-sidecar';

export interface OperatorOptions {
  /** Empty or undefined: every namespace. */
  watchNamespace?: string;
  metricsHost: string;
  metricsPort: number;
  logLevel: string;
  defaultImage: string;
  sidecarClusterRole: string;
  clusterDomain: string;
  resyncMs: number;
  /** Defaults to in-cluster config, else KUBECONFIG / ~/.kube/config. */
  kubeConfig?: KubeConfig;
  logger?: Logger;
  /** Backoff overrides (tests use short ones). */
  queueBackoff?: BackoffPolicy;
  informerBackoff?: BackoffPolicy;
  /** Run as one of several replicas: reconcile only while holding this Lease (leader.ts). */
  leaderElection?: LeaderElectionConfig;
  /** Leadership was lost; the controller has stopped. The CLI exits so Kubernetes restarts it as a candidate. */
  onLostLeadership?: () => void;
}

export interface RunningOperator {
  controller: Controller;
  metricsPort: number;
  /** True when this replica reconciles: it holds the leader Lease, or runs without leader election. */
  isLeader(): boolean;
  /** `release: false` stops without handing the Lease back (as a crash would; tests use it). */
  stop(opts?: { release?: boolean }): Promise<void>;
}

/** Starts the operator; resolves once informers have started and the metrics server listens. */
export async function runOperator(opts: OperatorOptions): Promise<RunningOperator> {
  const logger = opts.logger ?? makeLogger(opts.logLevel, { component: 'operator' });
  const kc = opts.kubeConfig ?? new KubeConfig();
  if (!opts.kubeConfig) kc.loadFromDefault();
  const metrics = new OperatorMetrics(true);
  const controller = new Controller({
    kc,
    client: makeKubeClient(kc),
    logger,
    metrics,
    namespace: opts.watchNamespace || undefined,
    resyncMs: opts.resyncMs,
    queueBackoff: opts.queueBackoff,
    informerBackoff: opts.informerBackoff,
    build: { defaultImage: opts.defaultImage, clusterDomain: opts.clusterDomain, sidecarClusterRole: opts.sidecarClusterRole },
  });
  let started = false;
  const startController = async (): Promise<void> => {
    started = true;
    metrics.leader.set(1);
    await controller.start();
  };
  const elector = opts.leaderElection
    ? new LeaderElector(kc, opts.leaderElection, logger.child({ component: 'leader-election' }), {
      onStartedLeading: startController,
      onStoppedLeading: () => {
        started = false;
        metrics.leader.set(0);
        void controller.stop().finally(() => opts.onLostLeadership?.());
      },
    })
    : undefined;
  // A standby is ready: it serves metrics and waits; were it unready, a rolling update of a Deployment
  // with several replicas would wait forever for a pod that cannot lead while the old one holds the Lease.
  const health = {
    ready: () => (elector && !elector.isLeader() ? true : controller.ready()),
    informerStates: () => controller.informerStates(),
    leader: () => (elector ? elector.isLeader() : true),
  };
  // Listen first: /healthz answers while informers list, and /readyz reports them not ready yet.
  const server = await startMetricsServer(metrics.registry, health, opts.metricsHost, opts.metricsPort);
  if (elector) elector.start();
  else await startController();
  return {
    controller,
    metricsPort: server.port,
    isLeader: health.leader,
    async stop({ release = true } = {}) {
      // Stop reconciling before the Lease is handed over, so two replicas never reconcile at once.
      if (started) await controller.stop();
      metrics.leader.set(0);
      await elector?.stop({ release });
      await server.close();
    },
  };
}

/** Leader election settings from flags/env; undefined when it is off. */
function leaderElectionOf(o: Record<string, string>, env: NodeJS.ProcessEnv): LeaderElectionConfig | undefined {
  if (o.leaderElect !== 'true') return undefined;
  const namespace = o.leaderElectionNamespace || env.POD_NAMESPACE;
  if (!namespace) throw new Error('--leader-elect needs --leader-election-namespace or POD_NAMESPACE');
  return { namespace, name: o.leaderElectionId!, identity: env.POD_NAME || hostname() };
}

/** The `operator` subcommand; the CLI adds it with program.addCommand(operatorCommand()). */
export function operatorCommand(): Command {
  const env = process.env;
  return new Command('operator')
    .description('run the VonnegutChain operator')
    .addOption(new Option('--watch-namespace <ns>', 'namespace to watch; empty for all').default(env.VONNEGUT_OPERATOR_WATCH_NAMESPACE ?? ''))
    .addOption(new Option('--metrics-host <host>', 'metrics/health listen address').default(env.VONNEGUT_OPERATOR_METRICS_HOST ?? '0.0.0.0'))
    .addOption(new Option('--metrics-port <port>', 'metrics/health port').default(env.VONNEGUT_OPERATOR_METRICS_PORT ?? String(DEFAULT_METRICS_PORT)))
    .addOption(new Option('--log-level <level>', 'error|warn|info|debug').default(env.VONNEGUT_OPERATOR_LOG_LEVEL ?? 'info'))
    .addOption(new Option('--default-image <image>', 'image for VonnegutChains without spec.image').default(env.VONNEGUT_OPERATOR_DEFAULT_IMAGE ?? DEFAULT_IMAGE))
    .addOption(new Option('--sidecar-cluster-role <name>', 'ClusterRole bound to each sidecar').default(env.VONNEGUT_OPERATOR_SIDECAR_CLUSTER_ROLE ?? DEFAULT_SIDECAR_CLUSTER_ROLE))
    .addOption(new Option('--cluster-domain <domain>', 'cluster DNS domain').default(env.VONNEGUT_OPERATOR_CLUSTER_DOMAIN ?? DEFAULT_CLUSTER_DOMAIN))
    .addOption(new Option('--resync-seconds <s>', 'full resync period').default(env.VONNEGUT_OPERATOR_RESYNC_SECONDS ?? String(DEFAULT_RESYNC_MS / 1000)))
    .addOption(new Option('--leader-elect <bool>', 'reconcile only while holding the leader Lease (for several replicas)').default(env.VONNEGUT_OPERATOR_LEADER_ELECT ?? 'false'))
    .addOption(new Option('--leader-election-namespace <ns>', 'namespace of the leader Lease (default POD_NAMESPACE)').default(env.VONNEGUT_OPERATOR_LEADER_ELECTION_NAMESPACE ?? ''))
    .addOption(new Option('--leader-election-id <name>', 'name of the leader Lease').default(env.VONNEGUT_OPERATOR_LEADER_ELECTION_ID ?? DEFAULT_LEASE_NAME))
    .action(async (o: Record<string, string>) => {
      const logger = makeLogger(o.logLevel!, { component: 'operator' });
      const running = await runOperator({
        watchNamespace: o.watchNamespace,
        metricsHost: o.metricsHost!,
        metricsPort: Number(o.metricsPort),
        logLevel: o.logLevel!,
        defaultImage: o.defaultImage!,
        sidecarClusterRole: o.sidecarClusterRole!,
        clusterDomain: o.clusterDomain!,
        resyncMs: Number(o.resyncSeconds) * 1000,
        logger,
        leaderElection: leaderElectionOf(o, env),
        onLostLeadership: () => {
          logger.error('lost leadership; exiting so that Kubernetes restarts this replica as a candidate');
          process.exit(1);
        },
      });
      logger.info('operator running', { metricsPort: running.metricsPort });
      // Graceful stop: stop watching, let in-flight reconciles finish, close the server.
      const shutdown = (signal: string): void => {
        logger.info('shutting down', { signal });
        running.stop().then(() => process.exit(0), (err: unknown) => {
          logger.error('shutdown failed', { error: String(err) });
          process.exit(1);
        });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await operatorCommand().parseAsync(process.argv);
}
