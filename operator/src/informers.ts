// Informers that stay up. client-node's ListWatch restarts its watch when the server ends it normally
// and relists on 410 Gone, but after any other error (a failed list, a refused watch) it stays stopped
// and only calls its error callbacks. Here each error schedules a restart with exponential backoff,
// and `ready()` is false from the error until a restart has listed again — that is what /readyz shows.
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import type { KindInfo } from './kinds.ts';
import { collectionPath } from './kinds.ts';
import type { KubeClient } from './kube.ts';
import type { Logger } from './logger.ts';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface SupervisedInformerOptions {
  kc: KubeConfig;
  client: KubeClient;
  kind: KindInfo;
  namespace?: string;
  logger: Logger;
  backoff?: BackoffPolicy;
  onEvent: (event: InformerEvent, obj: KubernetesObject) => void;
  onRestart?: () => void;
}

export class SupervisedInformer {
  private readonly informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  private synced = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Bumped on every error, so a start() that raced with an error does not claim to be synced. */
  private errorEpoch = 0;
  lastError: string | undefined;

  constructor(private readonly opts: SupervisedInformerOptions) {
    const { kind, namespace, client } = opts;
    this.informer = makeInformer(opts.kc, collectionPath(kind, namespace), () => client.list(kind, namespace), kind.labelSelector);
    for (const event of ['add', 'update', 'delete'] as const) {
      this.informer.on(event, (obj) => opts.onEvent(event, obj));
    }
    this.informer.on('error', (err: unknown) => this.onError(err));
  }

  get kind(): string {
    return this.opts.kind.kind;
  }

  /** Listed successfully and not failed since. */
  ready(): boolean {
    return this.synced;
  }

  /** Cached objects in a namespace (or all). */
  list(namespace?: string): ReadonlyArray<KubernetesObject> {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): KubernetesObject | undefined {
    return this.informer.get(name, namespace);
  }

  async start(): Promise<void> {
    this.stopped = false;
    const epoch = this.errorEpoch;
    await this.informer.start();
    if (!this.stopped && epoch === this.errorEpoch) {
      this.synced = true;
      this.failures = 0;
      this.lastError = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.informer.stop();
  }

  private onError(err: unknown): void {
    this.errorEpoch++;
    this.synced = false;
    if (this.stopped || this.restartTimer) return;
    this.failures++;
    this.lastError = err instanceof Error ? err.message : String(err);
    const delay = backoffDelay(this.opts.backoff ?? DEFAULT_BACKOFF, this.failures);
    this.opts.logger.warn('informer failed; restarting', { kind: this.kind, error: this.lastError, delayMs: delay, failures: this.failures });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped) return;
      this.opts.onRestart?.();
      this.start().catch((e: unknown) => this.onError(e));
    }, delay);
    this.restartTimer.unref();
  }
}
