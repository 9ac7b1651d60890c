/**
 * The failover loop: one per node, the same whatever the store's backend (Patroni's HA loop over its
 * DCS). It renews this node's lease every `renewMs`, watches the chain's configuration and leases, and
 * applies the rules of failover-rules.ts by compare-and-set; a lost race only means "read again".
 *
 *   start      lease first (so the node counts as live), then the configuration: none yet -> this node
 *              starts it alone; this node in it with others -> it removes itself and rejoins at the tail
 *              (its log may lack what the chain committed, e.g. a wiped disk, or hold records the chain
 *              never committed: it drops those and catches up from the tail before it takes any role).
 *   watch      every change: the node takes its position (ChainNode.applyConfig); the first live member
 *              removes members whose leases lapsed; the tail links to a live node outside the
 *              configuration, catches it up and then appends it.
 *   renewal    a renewal that started at t lets the node take writes until writeDeadline(t): before the
 *              store can expire the lease, so a node cut off from the store stops leading in time.
 *   stop       a clean stop leaves the configuration first (no wait for the TTL) and drops the lease.
 *
 * The store being unreachable changes nothing in the configuration (nobody can write it): the chain
 * keeps its shape, its head stops taking writes at its deadline, and reads go on.
 */
import type { Logger } from '../logging.ts';
import type { Member, Position } from '../chain/membership.ts';
import type { ChainConfig, CoordinationStore, MemberInfo, Versioned } from './store.ts';
import { actingMember, firstConfig, nextJoiner, raisedEpoch, removeLapsed, withMemberAtTail, withoutMember, writeDeadline } from './failover-rules.ts';

/** How often a tail checks whether the node joining after it has caught up. */
export const JOIN_CHECK_MS = 200;

/** What the loop drives: ChainNode's coordinated-mode surface. */
export interface FailoverTarget {
  readonly view: Position;
  /** The highest chain epoch this node has seen (kept on disk). */
  readonly epoch: number;
  applyConfig(epoch: number, members: Member[], joiner?: Member): void;
  setLeaseDeadline(at: number): void;
  joinerCaughtUp(): boolean;
  truncateToCommitted(): void;
  on(event: 'stale', listener: () => void): unknown;
}

/** Whether the coordination store answers, for /readyz, /v1/status and the logs. */
export interface CoordinatorHealth {
  /** The store (`etcd:HOST:PORT,...`, `kubernetes:...`). */
  store: string;
  reachable: boolean;
  /** The last failure while unreachable, else null. */
  error: string | null;
  /** Milliseconds since the store last answered (-1: never). */
  sinceAnswerMs: number;
}

export interface FailoverOptions {
  store: CoordinationStore;
  /** The chain's name in the store. */
  chain: string;
  self: string;
  info: MemberInfo;
  node: FailoverTarget;
  ttlMs: number;
  renewMs: number;
  logger: Logger;
}

export class Failover {
  private readonly addresses = new Map<string, MemberInfo>();
  private current: Versioned<ChainConfig> | null = null;
  /** The start rule (leave and rejoin at the tail) has run. */
  private started = false;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private renewTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopWatch: (() => void) | null = null;
  private lastError = '';
  /** When the store last answered a renewal or a reconciliation (0: never). */
  private lastAnswer = 0;
  /** The last renewal's or reconciliation's failure, cleared by the next success of either. */
  private storeError: string | null = null;

  constructor(private readonly opts: FailoverOptions) {
    this.addresses.set(opts.self, opts.info);
  }

  /** The configuration as last read (for status), or null. */
  get config(): ChainConfig | null {
    return this.current?.value ?? null;
  }

  /** Whether the store answers: a store down or without quorum changes no configuration, and says so here. */
  get health(): CoordinatorHealth {
    return {
      store: this.opts.store.description,
      reachable: this.storeError === null && this.lastAnswer > 0,
      error: this.storeError,
      sinceAnswerMs: this.lastAnswer > 0 ? Date.now() - this.lastAnswer : -1,
    };
  }

  /** Takes the lease, applies the start rule and the configuration, then keeps both fresh. */
  async start(): Promise<void> {
    const { store, chain, node } = this.opts;
    const firstRenewal = Date.now();
    await this.renew();
    this.stopWatch = store.watch(chain, () => void this.kick());
    node.on('stale', () => void this.kick());
    await this.kick();
    this.scheduleRenew(firstRenewal);
  }

  /** Leaves the configuration (when others remain to carry it) and drops the lease. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer) clearTimeout(this.renewTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.stopWatch?.();
    await this.running?.catch(() => undefined);
    const { store, chain, self, logger } = this.opts;
    try {
      const cur = await store.getConfig(chain);
      const next = cur && withoutMember(cur.value, self);
      if (cur && next && (await store.compareAndSetConfig(chain, next, cur.version))) {
        logger.info('left the chain configuration on stop', { epoch: next.epoch, members: next.members });
        this.apply(next, new Set());
      }
      await store.releaseLease(chain, self);
    } catch (err) {
      logger.warn('could not leave the chain configuration cleanly; the lease will lapse', { error: (err as Error).message });
    }
  }

  /** Re-reads and reconciles now; calls during a run coalesce into one more run. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.reconcile();
          this.answered();
          this.lastError = '';
        } catch (err) {
          const message = (err as Error).message;
          this.storeError = message;
          // One line per distinct failure: the store being down must not flood the log.
          if (message !== this.lastError) this.opts.logger.warn('coordination store unavailable; chain configuration unchanged', { coordinator: this.opts.store.description, error: message });
          this.lastError = message;
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
      // A change noticed after the last run's final check but before this point would be lost otherwise.
      if (this.again) void this.kick();
    });
    return this.running;
  }

  /**
   * Renewals start every `renewMs` counted from the previous one's start, not its end: a node's write
   * deadline runs from when its last successful renewal started, so on a loaded machine (slow etcd
   * answers, a busy event loop) timing from the end would let the deadline pass between two renewals
   * that each succeeded, and the head would refuse writes while its lease is fine.
   */
  private scheduleRenew(previousStart: number): void {
    if (this.stopped) return;
    const wait = Math.max(0, previousStart + this.opts.renewMs - Date.now());
    this.renewTimer = setTimeout(() => {
      const start = Date.now();
      void this.renew().then(() => {
        this.scheduleRenew(start);
        // A missed watch event costs at most one renewal interval.
        void this.kick();
      });
    }, wait);
  }

  private async renew(): Promise<void> {
    const { store, chain, self, info, ttlMs, renewMs, node, logger } = this.opts;
    const started = Date.now();
    try {
      await store.renewLease(chain, self, info, ttlMs);
      node.setLeaseDeadline(writeDeadline(started, ttlMs, renewMs));
      this.answered();
    } catch (err) {
      const repeated = this.storeError === (err as Error).message;
      this.storeError = (err as Error).message;
      // Once per distinct failure: a store down for minutes must not flood the log every renewal.
      if (!repeated) logger.warn('lease renewal failed; writes stop at the lease deadline', { coordinator: store.description, error: this.storeError });
    }
  }

  private answered(): void {
    if (this.storeError !== null) this.opts.logger.info('coordination store answers again', { coordinator: this.opts.store.description });
    this.storeError = null;
    this.lastAnswer = Date.now();
  }

  private async reconcile(): Promise<void> {
    const { store, chain, self, node, logger } = this.opts;
    const [cur, leases] = await Promise.all([store.getConfig(chain), store.liveMembers(chain)]);
    for (const l of leases) this.addresses.set(l.member, l.info);
    const live = new Set(leases.map((l) => l.member));
    if (!cur) {
      const created = await store.compareAndSetConfig(chain, firstConfig(self, node.epoch), null);
      if (created) logger.info('started the chain configuration', { epoch: created.value.epoch, members: created.value.members });
      this.again = true;
      return;
    }
    const raised = raisedEpoch(cur.value, node.epoch);
    if (raised) {
      if (await store.compareAndSetConfig(chain, raised, cur.version)) {
        logger.warn('the stored configuration is older than an epoch this node has seen (store wiped or restored?); raised its epoch', { stored: cur.value.epoch, epoch: raised.epoch, members: raised.members });
      }
      this.again = true;
      return;
    }
    if (!this.started) {
      const next = withoutMember(cur.value, self);
      if (next) {
        if (!(await store.compareAndSetConfig(chain, next, cur.version))) {
          this.again = true;
          return;
        }
        logger.info('left the chain configuration to rejoin at its tail', { epoch: next.epoch, members: next.members });
      }
      // Unless it alone is the chain, a starting node keeps only what it knows was committed.
      if (next || !cur.value.members.includes(self)) node.truncateToCommitted();
      this.started = true;
      this.again = true;
      return;
    }
    this.current = cur;
    this.apply(cur.value, live);
    if (actingMember(cur.value, live) === self) {
      const next = removeLapsed(cur.value, live);
      if (next && (await store.compareAndSetConfig(chain, next, cur.version))) {
        logger.info('removed members whose leases lapsed', { epoch: next.epoch, removed: cur.value.members.filter((m) => !live.has(m)), members: next.members });
        this.again = true;
        return;
      }
    }
    const joiner = this.joinerOf(cur.value, live);
    if (joiner) {
      const next = node.view.successor?.name === joiner && node.joinerCaughtUp() ? withMemberAtTail(cur.value, joiner) : null;
      if (next && (await store.compareAndSetConfig(chain, next, cur.version))) {
        logger.info('appended a caught-up node at the tail', { epoch: next.epoch, joined: joiner, members: next.members });
        this.again = true;
        return;
      }
      if (this.pollTimer) clearTimeout(this.pollTimer);
      this.pollTimer = setTimeout(() => void this.kick(), JOIN_CHECK_MS);
    }
  }

  /** The node this one catches up when it is the tail, if any. */
  private joinerOf(config: ChainConfig, live: ReadonlySet<string>): string | undefined {
    return config.members[config.members.length - 1] === this.opts.self ? nextJoiner(config, live) : undefined;
  }

  private apply(config: ChainConfig, live: ReadonlySet<string>): void {
    const joiner = this.joinerOf(config, live);
    this.opts.node.applyConfig(config.epoch, config.members.map((name) => this.member(name)), joiner ? this.member(joiner) : undefined);
  }

  private member(name: string): Member {
    const info = this.addresses.get(name);
    return { name, host: info?.host ?? '', port: info?.port ?? 0 };
  }
}
