// Wires informers to the work queue and the queue to reconcile. Level-triggered: an event only names
// the VonnegutChain it concerns; reconcile reads the current state. A timer re-queues every resource.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { BuildOptions } from './builders/index.ts';
import { KIND } from './crd/types.ts';
import { ALL_KINDS, CHAIN_KIND, CHILD_KINDS, kindKey, type KindInfo } from './kinds.ts';
import type { KubeClient } from './kube.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './metrics.ts';
import { LABEL_CLUSTER } from './names.ts';
import { WorkQueue } from './queue.ts';
import { Reconciler, type CacheReader } from './reconcile.ts';
import { SupervisedInformer } from './informers.ts';
import type { BackoffPolicy } from './backoff.ts';

export const DEFAULT_RESYNC_MS = 5 * 60_000;

export interface ControllerOptions {
  kc: KubeConfig;
  client: KubeClient;
  build: BuildOptions;
  logger: Logger;
  metrics: OperatorMetrics;
  /** Watch one namespace; undefined watches all. */
  namespace?: string;
  resyncMs?: number;
  workers?: number;
  queueBackoff?: BackoffPolicy;
  informerBackoff?: BackoffPolicy;
}

/** The VonnegutChain key (`namespace/name`) an object belongs to, if any. */
export function ownerKey(obj: KubernetesObject): string | undefined {
  const ns = obj.metadata?.namespace;
  if (!ns) return undefined;
  const owner = obj.metadata?.ownerReferences?.find((o) => o.kind === KIND);
  if (owner) return `${ns}/${owner.name}`;
  // Report Leases are owned by their pod; the label names the resource.
  const label = obj.metadata?.labels?.[LABEL_CLUSTER];
  return label ? `${ns}/${label}` : undefined;
}

export class Controller {
  readonly queue: WorkQueue;
  readonly reconciler: Reconciler;
  private readonly informers = new Map<string, SupervisedInformer>();
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ControllerOptions) {
    const cache: CacheReader = {
      get: (kind, namespace, name) => this.informers.get(kindKey(kind.apiVersion, kind.kind))?.get(name, namespace),
      list: (kind, namespace) => this.informers.get(kindKey(kind.apiVersion, kind.kind))?.list(namespace) ?? [],
    };
    this.reconciler = new Reconciler({ client: opts.client, cache, build: opts.build, logger: opts.logger, metrics: opts.metrics });
    this.queue = new WorkQueue(async (key) => {
      const outcome = await this.reconciler.reconcile(key);
      this.updateManagedGauge();
      return outcome;
    }, { workers: opts.workers ?? 2, ...(opts.queueBackoff ? { backoff: opts.queueBackoff } : {}) });
    for (const kind of ALL_KINDS) this.informers.set(kindKey(kind.apiVersion, kind.kind), this.makeInformer(kind));
  }

  private makeInformer(kind: KindInfo): SupervisedInformer {
    return new SupervisedInformer({
      kc: this.opts.kc,
      client: this.opts.client,
      kind,
      namespace: this.opts.namespace,
      logger: this.opts.logger,
      backoff: this.opts.informerBackoff,
      onEvent: (_event, obj) => {
        // List items carry no kind, so the informer, not the object, says which kind this is.
        const key = kind === CHAIN_KIND ? `${obj.metadata?.namespace}/${obj.metadata?.name}` : ownerKey(obj);
        if (key) this.queue.add(key);
      },
      onRestart: () => this.opts.metrics.informerRestarts.inc({ kind: kind.kind }),
    });
  }

  /** Starts every informer (each lists, then watches) and the resync timer. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
    const every = this.opts.resyncMs ?? DEFAULT_RESYNC_MS;
    this.resyncTimer = setInterval(() => this.resync(), every);
    this.resyncTimer.unref();
    this.opts.logger.info('controller started', { namespace: this.opts.namespace ?? '*', resyncMs: every });
  }

  /** Queues every known VonnegutChain. */
  resync(): void {
    for (const obj of this.informer(CHAIN_KIND).list()) this.queue.add(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
  }

  /** All informers have listed and none is in a failed state. */
  ready(): boolean {
    return [...this.informers.values()].every((i) => i.ready());
  }

  /** Per-kind informer state for /readyz. */
  informerStates(): Record<string, { ready: boolean; lastError?: string }> {
    return Object.fromEntries([...this.informers.values()].map((i) => [i.kind, { ready: i.ready(), lastError: i.lastError }]));
  }

  informer(kind: KindInfo): SupervisedInformer {
    return this.informers.get(kindKey(kind.apiVersion, kind.kind))!;
  }

  /** Stops watching, stops the timer, lets in-flight reconciles finish. */
  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await this.queue.shutdown();
  }

  private updateManagedGauge(): void {
    this.opts.metrics.managedResources.set({ kind: KIND }, this.informer(CHAIN_KIND).list().length);
    for (const kind of CHILD_KINDS) this.opts.metrics.managedResources.set({ kind: kind.kind }, this.informer(kind).list().length);
  }
}
