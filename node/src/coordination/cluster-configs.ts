/**
 * Every chain's configuration as the coordination store holds it, for every node of the cluster. Nodes
 * of other chains order a chain's members by this (Metadata leader, replicas and ISR, the controller,
 * forwarded topic admin), not by DNS, so after a failover every node names the chain's new head, and the
 * leader epoch they report is the chain's own.
 *
 * One watch per chain (the same one the chain's members use: its configuration and leases), a re-read
 * of the configuration and leases on each event, and a slow re-read as a backstop for a missed event.
 * Addresses come from the members' leases and are remembered after a lease lapses (the configuration
 * may still name the member until it is removed). A read never replaces a newer epoch with an older one.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../logging.ts';
import type { ChainConfigSource, ConfiguredChain } from '../chain/cluster.ts';
import type { CoordinationStore, MemberInfo } from './store.ts';

/** The backstop re-read of every chain's configuration (events normally arrive within milliseconds). */
export const CONFIG_REREAD_MS = 5_000;

export class ClusterConfigs extends EventEmitter implements ChainConfigSource {
  private readonly known = new Map<string, ConfiguredChain>();
  private readonly addresses = new Map<string, Map<string, MemberInfo>>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly stops: (() => void)[] = [];
  private readonly lastError = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: CoordinationStore,
    /** Every chain's name in the store (cluster.ts chainNameOf). */
    private readonly chains: readonly string[],
    private readonly logger: Logger,
    private readonly rereadMs = CONFIG_REREAD_MS,
  ) {
    super();
  }

  /** Reads every chain once (so the first answers use the store), then follows the changes. */
  async start(): Promise<void> {
    for (const chain of this.chains) this.stops.push(this.store.watch(chain, () => void this.read(chain)));
    await this.refresh();
    this.schedule();
  }

  /** Re-reads every chain now. */
  refresh(): Promise<void> {
    return Promise.all(this.chains.map((chain) => this.read(chain))).then(() => undefined);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const stop of this.stops.splice(0)) stop();
  }

  /** A chain's configuration (members with their addresses), or undefined before the store has one. */
  get(chain: string): ConfiguredChain | undefined {
    return this.known.get(chain);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().then(() => this.schedule());
    }, this.rereadMs);
    this.timer.unref();
  }

  /** Re-reads one chain; calls during a read coalesce into one more read. */
  private read(chain: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const current = this.running.get(chain);
    if (current) {
      this.again.add(chain);
      return current;
    }
    const run = (async () => {
      do {
        this.again.delete(chain);
        try {
          await this.readOnce(chain);
          this.lastError.delete(chain);
        } catch (err) {
          const message = (err as Error).message;
          // One line per distinct failure: the store being down must not flood the log.
          if (this.lastError.get(chain) !== message) this.logger.warn('could not read a chain configuration; keeping the last one', { chain, error: message });
          this.lastError.set(chain, message);
        }
      } while (this.again.has(chain) && !this.stopped);
    })().finally(() => this.running.delete(chain));
    this.running.set(chain, run);
    return run;
  }

  private async readOnce(chain: string): Promise<void> {
    const [cur, leases] = await Promise.all([this.store.getConfig(chain), this.store.liveMembers(chain)]);
    const addresses = this.addresses.get(chain) ?? new Map<string, MemberInfo>();
    this.addresses.set(chain, addresses);
    for (const l of leases) addresses.set(l.member, l.info);
    if (!cur) return;
    const before = this.known.get(chain);
    if (before && cur.value.epoch < before.epoch) return;
    const next: ConfiguredChain = {
      epoch: cur.value.epoch,
      members: cur.value.members.map((name) => ({ name, host: addresses.get(name)?.host ?? '', port: addresses.get(name)?.port ?? 0 })),
    };
    if (before && JSON.stringify(before) === JSON.stringify(next)) return;
    this.known.set(chain, next);
    if (before?.epoch !== next.epoch) this.logger.info('chain configuration', { chain, epoch: next.epoch, members: cur.value.members });
    this.emit('change', chain);
  }
}
