// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it,
// so several operator replicas can run and exactly one reconciles.
//
// - The Lease holds holderIdentity, leaseDurationSeconds, acquireTime, renewTime and leaseTransitions.
//   Every write is a replace carrying the resourceVersion read just before: the API server answers 409
//   when someone wrote in between, and the writer lost that round. A missing Lease is created (409 when
//   another candidate created it first).
// - Expiry is judged by the candidate's own clock, not by renewTime: a candidate notes when it last
//   saw the record change and treats the lease as free once leaseDuration has passed since then without
//   a change (client-go's observedTime). Clocks of different machines never need to agree.
// - The leader renews every retryPeriod. When it has not renewed for renewDeadline (< leaseDuration) it
//   stops leading before any other candidate can take over, so two never reconcile at once; the
//   operator then exits and Kubernetes restarts it as a candidate (as controller-runtime does).
// - A clean stop releases the lease (holder cleared), so a standby takes over at once, not after a TTL.
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { withDeadline } from '../../node/src/coordination/deadline.ts';
import type { Logger } from './logger.ts';

/** client-go's defaults (controller-runtime uses the same): 15 s lease, 10 s renew deadline, 2 s retry. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
export const DEFAULT_LEASE_NAME = 'vonnegut-operator';

export interface LeaderElectionConfig {
  namespace: string;
  /** The Lease's name; every replica of one operator uses the same. */
  name: string;
  /** This replica (its pod name); unique among the candidates. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface LeaderCallbacks {
  onStartedLeading(): void | Promise<void>;
  /** Leadership is lost (renewals failed for renewDeadline); the elector has stopped. */
  onStoppedLeading(): void;
}

const statusOf = (err: unknown): number => {
  const cause = err instanceof Error && 'cause' in err ? err.cause : err;
  return cause instanceof ApiException ? cause.code : 0;
};

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private leading = false;
  private stopped = false;
  private lastRenewed = 0;
  /** The record as last read, and when (our clock) it last changed. */
  private observedKey = '';
  private observedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(kc: KubeConfig, private readonly cfg: LeaderElectionConfig, private readonly log: Logger, private readonly callbacks: LeaderCallbacks) {
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.leaseMs = cfg.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryMs = cfg.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    if (!(this.renewDeadlineMs < this.leaseMs && this.retryMs < this.renewDeadlineMs)) {
      throw new Error('leader election needs retryPeriod < renewDeadline < leaseDuration');
    }
  }

  /** True while this replica holds the lease. */
  isLeader(): boolean {
    return this.leading;
  }

  /** Starts campaigning (and, once leading, renewing) every retryPeriod. */
  start(): void {
    this.schedule(0);
  }

  /** Stops renewing; `release` clears the holder so another replica takes over without waiting. */
  async stop({ release = true } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    if (release && this.leading) {
      try {
        const lease = await this.read();
        if (lease?.spec?.holderIdentity === this.cfg.identity) {
          // As client-go releases: no holder, a 1 s duration, so candidates take it on their next round.
          await this.replace({ ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime() } });
          this.log.info('released the leader lease');
        }
      } catch (err) {
        this.log.warn('could not release the leader lease; it lapses after its duration', { error: (err as Error).message });
      }
    }
    this.leading = false;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        this.schedule(this.retryMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    let ok = false;
    try {
      ok = await this.tryAcquireOrRenew();
    } catch (err) {
      this.log.debug('leader election round failed', { error: (err as Error).message });
    }
    if (this.stopped) return;
    if (ok) {
      this.lastRenewed = Date.now();
      if (!this.leading) {
        this.leading = true;
        this.log.info('became the leader', { identity: this.cfg.identity, lease: `${this.cfg.namespace}/${this.cfg.name}` });
        try {
          await this.callbacks.onStartedLeading();
        } catch (err) {
          // A leader that cannot start reconciling must not sit on the Lease: give it up like a lost one.
          this.log.error('could not start leading; giving up leadership', { error: (err as Error).message });
          this.leading = false;
          this.stopped = true;
          this.callbacks.onStoppedLeading();
        }
      }
    } else if (this.leading && Date.now() - this.lastRenewed > this.renewDeadlineMs) {
      // Stop before leaseDuration passes: only then may another candidate take the lease.
      this.leading = false;
      this.stopped = true;
      this.log.warn('lost the leader lease: no renewal within the renew deadline', { renewDeadlineMs: this.renewDeadlineMs });
      this.callbacks.onStoppedLeading();
    }
  }

  /** One read and, when the lease is ours or free, one compare-and-set write. True when we hold it after. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const lease = await this.read();
    const now = Date.now();
    if (!lease) {
      try {
        await this.call('create leader lease', () => this.api.createNamespacedLease({ namespace: this.cfg.namespace, body: this.body(undefined, 0, true) }));
        return true;
      } catch (err) {
        if (statusOf(err) === 409) return false; // another candidate created it first
        throw err;
      }
    }
    const spec = lease.spec ?? {};
    const key = `${spec.holderIdentity ?? ''}|${String(spec.renewTime ?? '')}|${lease.metadata?.resourceVersion ?? ''}`;
    if (key !== this.observedKey) {
      this.observedKey = key;
      this.observedAt = now;
    }
    const holder = spec.holderIdentity ?? '';
    const mine = holder === this.cfg.identity;
    const duration = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && !mine && this.observedAt + duration > now) return false; // held, not expired
    const transitions = (spec.leaseTransitions ?? 0) + (mine ? 0 : 1);
    return this.replace(this.body(lease, transitions, !mine));
  }

  private body(current: V1Lease | undefined, transitions: number, acquiring: boolean): V1Lease {
    const now = new V1MicroTime();
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.cfg.name, namespace: this.cfg.namespace, ...(current?.metadata?.resourceVersion ? { resourceVersion: current.metadata.resourceVersion } : {}) },
      spec: {
        holderIdentity: this.cfg.identity,
        leaseDurationSeconds: Math.ceil(this.leaseMs / 1000),
        acquireTime: acquiring ? now : current?.spec?.acquireTime ?? now,
        renewTime: now,
        leaseTransitions: transitions,
      },
    };
  }

  /** Replace carrying the read resourceVersion; 409 (someone wrote in between) is a lost round. */
  private async replace(body: V1Lease): Promise<boolean> {
    try {
      const written = await this.call('update leader lease', () => this.api.replaceNamespacedLease({ name: this.cfg.name, namespace: this.cfg.namespace, body }));
      this.observedKey = `${written.spec?.holderIdentity ?? ''}|${String(written.spec?.renewTime ?? '')}|${written.metadata?.resourceVersion ?? ''}`;
      this.observedAt = Date.now();
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw err;
    }
  }

  private async read(): Promise<V1Lease | undefined> {
    try {
      return await this.call('read leader lease', () => this.api.readNamespacedLease({ name: this.cfg.name, namespace: this.cfg.namespace }));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Each call is bounded (half the renew deadline), so a hung request cannot outlast the renew deadline. */
  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withDeadline(what, this.renewDeadlineMs / 2, fn);
  }
}
