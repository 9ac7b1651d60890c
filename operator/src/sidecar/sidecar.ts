// The sidecar: one per pod, next to the node. It watches its VonnegutChain, pushes the live settings
// (spec.node: log level, segment size, retention) to the node whenever they change, so they apply
// without a pod restart (builders/settings.ts says why they are not in the pod template), drains the
// node when a scale-down is about to remove it, and publishes the node's view (role, members, offsets)
// in its report Lease `<pod>.status` (annotation `vonnegut.io/status`), which the operator aggregates.
// It reaches the node's admin API on loopback with the node's token, which never leaves the pod.
import {
  ApiException, CoordinationV1Api, KubeConfig, ListWatch, Watch, CustomObjectsApi,
  type KubernetesListObject, type KubernetesObject, type V1Lease,
} from '@kubernetes/client-node';
import { chainNamesOf, InvalidSpecError } from '../crd/defaults.ts';
import { GROUP, PLURAL, VERSION, type VonnegutChain } from '../crd/types.ts';
import { collectionPath, CHAIN_KIND } from '../kinds.ts';
import { makeLogger, type Logger } from '../logger.ts';
import { FIELD_MANAGER, LABEL_CHAIN, LABEL_CLUSTER, LABEL_MANAGED_BY, STATUS_ANNOTATION, reportLeaseName } from '../names.ts';
import { objectHash } from '../apply.ts';
import { NodeAdminClient } from './admin-client.ts';
import type { NodeConfigUpdate, NodeStatus } from './node-admin-api.ts';
import { MAX_REPORTED_PARTITIONS, type SidecarReport } from './report.ts';

export const DEFAULT_SIDECAR_INTERVAL_MS = 10_000;

export interface SidecarOptions {
  namespace: string;
  podName: string;
  /** The pod's uid: the report Lease is owned by the pod, so it goes when the pod goes. */
  podUid?: string;
  /** The VonnegutChain's name. */
  resource: string;
  chain: string;
  adminUrl: string;
  /** The node's admin token file (shared emptyDir); without it, the node must accept us as loopback. */
  adminTokenFile?: string;
  intervalMs?: number;
  logLevel?: string;
  kubeConfig?: KubeConfig;
  logger?: Logger;
}

export interface RunningSidecar {
  /** One pass now (tests call it; the loop calls it on a timer and on every change of the resource). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

/** Options from the env the StatefulSet builder sets (operator/src/builders/env.ts). */
export function sidecarOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SidecarOptions {
  const need = (k: string): string => {
    const v = env[k];
    if (!v) throw new Error(`sidecar: ${k} is not set`);
    return v;
  };
  return {
    namespace: need('POD_NAMESPACE'),
    podName: need('POD_NAME'),
    podUid: env.POD_UID || undefined,
    resource: need('VONNEGUT_RESOURCE'),
    chain: need('VONNEGUT_CHAIN'),
    adminUrl: need('VONNEGUT_ADMIN_URL'),
    adminTokenFile: env.VONNEGUT_ADMIN_TOKEN_FILE || undefined,
    intervalMs: env.VONNEGUT_SIDECAR_INTERVAL_MS ? Number(env.VONNEGUT_SIDECAR_INTERVAL_MS) : undefined,
    logLevel: env.VONNEGUT_LOG_LEVEL,
  };
}

/** Whether this pod is leaving: its chain left the spec, or replicas dropped below its ordinal. */
export function leaving(vgc: VonnegutChain, chain: string, podName: string): boolean {
  const chains = chainNamesOf(vgc);
  if (chains instanceof InvalidSpecError) return false; // never drain on a spec the operator refuses
  if (!chains.some((c) => c.name === chain)) return true;
  const ordinal = Number(podName.slice(podName.lastIndexOf('-') + 1));
  return Number.isInteger(ordinal) && ordinal >= vgc.spec.replicas;
}

/** The live settings of a resource (what its sidecars push; builders/settings.ts gives the same at start). */
export function configOf(vgc: VonnegutChain): NodeConfigUpdate {
  const n = vgc.spec.node ?? {};
  return { segmentBytes: n.segmentBytes, retentionBytes: n.retentionBytes, retentionMs: n.retentionMs, logLevel: n.logLevel ?? 'info' };
}

/** Starts the sidecar loop. */
export async function runSidecar(opts: SidecarOptions): Promise<RunningSidecar> {
  const base = opts.logger ?? makeLogger(opts.logLevel ?? 'info', { component: 'sidecar' });
  const log = base.child({ namespace: opts.namespace, pod: opts.podName, chain: opts.chain });
  const kc = opts.kubeConfig ?? new KubeConfig();
  if (!opts.kubeConfig) kc.loadFromDefault();
  const leases = kc.makeApiClient(CoordinationV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const admin = new NodeAdminClient(opts.adminUrl, opts.adminTokenFile);
  const leaseName = reportLeaseName(opts.podName);
  const leaseBody = (value: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: leaseName,
      namespace: opts.namespace,
      labels: { [LABEL_MANAGED_BY]: FIELD_MANAGER, [LABEL_CLUSTER]: opts.resource, [LABEL_CHAIN]: opts.chain },
      annotations: { [STATUS_ANNOTATION]: value },
      ...(opts.podUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: opts.podName, uid: opts.podUid }] } : {}),
    },
    spec: { holderIdentity: opts.podName },
  });
  /** Writes the report: an unconditional replace (only this sidecar writes it), a create the first time. */
  async function writeReport(value: string): Promise<void> {
    try {
      await leases.replaceNamespacedLease({ name: leaseName, namespace: opts.namespace, body: leaseBody(value) });
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404)) throw err;
      await leases.createNamespacedLease({ namespace: opts.namespace, body: leaseBody(value) });
    }
  }

  let pushedConfig: string | undefined;
  let drainRequested = false;
  let lastNode: NodeStatus | undefined;
  let lastWritten: string | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  // Watch only our own resource: a field selector on the name keeps the stream to one object.
  const informer = new ListWatch<KubernetesObject>(
    collectionPath(CHAIN_KIND, opts.namespace),
    new Watch(kc),
    async () => (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: opts.namespace, plural: PLURAL, fieldSelector: `metadata.name=${opts.resource}` })) as KubernetesListObject<KubernetesObject>,
    false,
    undefined,
    `metadata.name=${opts.resource}`,
  );
  const current = (): VonnegutChain | undefined => informer.get(opts.resource, opts.namespace) as VonnegutChain | undefined;

  async function pass(): Promise<void> {
    const vgc = current();
    let error: string | undefined;
    try {
      if (vgc) {
        const config = configOf(vgc);
        const key = objectHash(config);
        if (key !== pushedConfig) {
          await admin.putConfig(config);
          pushedConfig = key;
          // The sidecar follows the log level too, without a restart (its env has the start value).
          if (config.logLevel && !opts.logger) base.level = config.logLevel;
          log.info('pushed settings to node', { config });
        }
        if (!drainRequested && leaving(vgc, opts.chain, opts.podName)) {
          await admin.drain();
          drainRequested = true;
          log.info('scale-down removes this node; drain requested');
        }
      }
      lastNode = await admin.status();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      // The node may have restarted (a new process, maybe with an older ConfigMap): push again.
      pushedConfig = undefined;
    }
    const report: Omit<SidecarReport, 'updatedAt'> = {
      nodeName: opts.podName,
      chain: opts.chain,
      role: lastNode?.role,
      members: lastNode?.members ?? [],
      writable: lastNode?.writable ?? false,
      draining: lastNode?.draining === true && lastNode.drained !== true,
      ...(pushedConfig ? { settings: pushedConfig } : {}),
      drained: drainRequested && lastNode?.drained === true && error === undefined,
      topics: new Set(lastNode?.partitions.map((p) => p.topic) ?? []).size,
      partitions: (lastNode?.partitions ?? []).slice(0, MAX_REPORTED_PARTITIONS),
      ...(error ? { error } : {}),
    };
    // Only changes are written: offsets move with traffic, and each write wakes the operator.
    const key = objectHash(report);
    if (key === lastWritten) return;
    const value = JSON.stringify({ ...report, updatedAt: new Date().toISOString() });
    await writeReport(value);
    lastWritten = key;
    if (error) log.warn('node admin API failed', { error });
  }

  /** Runs passes one at a time; a request during a pass runs one more pass after it. */
  function tick(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await pass();
        } catch (err) {
          log.warn('sidecar pass failed', { error: err instanceof Error ? err.message : String(err) });
        }
      } while (again && !stopped);
    })().finally(() => { running = undefined; });
    return running;
  }

  let restartTimer: NodeJS.Timeout | undefined;
  informer.on('change', () => void tick());
  informer.on('error', (err: unknown) => {
    // Like the operator: a stopped informer is restarted, never a reason to exit.
    log.warn('watch failed; restarting', { error: err instanceof Error ? err.message : String(err) });
    if (stopped || restartTimer) return;
    restartTimer = setTimeout(() => { restartTimer = undefined; if (!stopped) void informer.start(); }, 2000);
    restartTimer.unref();
  });
  await informer.start();
  const timer = setInterval(() => void tick(), opts.intervalMs ?? DEFAULT_SIDECAR_INTERVAL_MS);
  timer.unref();
  await tick();

  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (restartTimer) clearTimeout(restartTimer);
      await informer.stop();
      await running;
    },
  };
}
