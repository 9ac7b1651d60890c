/**
 * The cluster: every chain and its members, from `--cluster` (`srv:RECORD,srv:RECORD,...`, or static
 * lists `static:name=host:port,...` separated the same way). Each chain's discovery is polled like this
 * node's own. A chain's name is its headless service's name (the label after `_tcp` in the SRV record),
 * or `chain-<i>` for static lists. The first chain in the list holds the placement map (see placement.ts):
 * new chains are appended, so the first one never changes while a cluster grows.
 *
 * With a coordination store (`configs`), another chain's members are its configuration's, in its order
 * (head first) and with its epoch: DNS order names a dead head until DNS drops it, and even then not the
 * head the chain failed over to. DNS still supplies an address the store lacks, and the whole view for a
 * chain whose configuration the store does not hold yet.
 */
import type { Logger } from '../logging.ts';
import type { DiscoverySource } from '../discovery/source.ts';
import { discoveryFrom, type SrvOptions } from '../discovery/srv.ts';
import { orderMembers, type Member } from './membership.ts';

export const CLUSTER_REFRESH_MS = 2000;

export interface ChainInfo {
  name: string;
  spec: string;
  members: Member[];
  /** The chain's configuration epoch, when a coordination store gives it (the Metadata leader epoch). */
  epoch?: number;
}

/** A chain's configuration from a coordination store: members head first (`host` '' if unknown). */
export interface ConfiguredChain {
  epoch: number;
  members: Member[];
}

/** Where chains' configurations come from (coordination/cluster-configs.ts); emits 'change' with a chain name. */
export interface ChainConfigSource {
  get(chain: string): ConfiguredChain | undefined;
  on(event: 'change', listener: (chain: string) => void): unknown;
}

/** Splits a `--cluster` value into one discovery spec per chain (static lists keep their inner commas). */
export function parseClusterSpec(spec: string): string[] {
  return spec.split(/,(?=(?:srv|static):)/).map((s) => s.trim()).filter((s) => s.length > 0);
}

/** A chain's name from its discovery spec. */
export function chainNameOf(spec: string, index: number): string {
  if (spec.startsWith('srv:')) {
    const labels = spec.slice(4).split('.');
    const tcp = labels.findIndex((l) => l === '_tcp' || l === '_udp');
    return labels[tcp + 1] ?? labels[0] ?? `chain-${index}`;
  }
  return `chain-${index}`;
}

export class ClusterView {
  private readonly chainList: ChainInfo[];
  private readonly sources: DiscoverySource[];
  /** What DNS (or the static list) last said about each chain, by chain name. */
  private readonly found = new Map<string, Member[]>();
  private readonly configs: ChainConfigSource | undefined;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    specs: string[],
    /** This node's own chain spec (its `--discovery`), which must be one of `specs`. */
    readonly ownSpec: string,
    private readonly log: Logger,
    opts: SrvOptions & { refreshMs?: number; configs?: ChainConfigSource } = {},
    private readonly refreshMs = opts.refreshMs ?? CLUSTER_REFRESH_MS,
  ) {
    if (!specs.includes(ownSpec)) specs = [...specs, ownSpec];
    this.chainList = specs.map((spec, i) => ({ name: chainNameOf(spec, i), spec, members: [] }));
    this.sources = specs.map((spec) => discoveryFrom(spec, opts));
    this.configs = opts.configs;
    this.configs?.on('change', (name) => {
      const chain = this.chain(name);
      if (chain && chain.spec !== this.ownSpec) this.update(chain);
    });
  }

  /** Resolves every chain once, then keeps refreshing in the background. */
  async start(): Promise<void> {
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Every chain, in cluster order. */
  chains(): readonly ChainInfo[] {
    return this.chainList;
  }

  /** This node's chain. */
  own(): ChainInfo {
    return this.chainList.find((c) => c.spec === this.ownSpec)!;
  }

  /** The chain that holds the placement map. */
  first(): ChainInfo {
    return this.chainList[0]!;
  }

  /** A chain by name. */
  chain(name: string): ChainInfo | undefined {
    return this.chainList.find((c) => c.name === name);
  }

  /** Replaces this node's chain's members and epoch with its own membership view (fresher for its own chain). */
  setOwn(members: Member[], epoch: number): void {
    const own = this.own();
    own.members = members;
    own.epoch = epoch;
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      this.sources.map(async (source, i) => {
        const chain = this.chainList[i]!;
        if (chain.spec === this.ownSpec) return; // the chain node keeps its own view
        const result = await source.resolve();
        if (result.ok) this.found.set(chain.name, orderMembers(result.members));
        else this.log.warn('cluster discovery failed; keeping last view', { chain: chain.name, error: result.error });
        this.update(chain);
      }),
    );
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh(), this.refreshMs * (0.8 + Math.random() * 0.4));
    this.timer.unref();
  }

  /** A chain's members: its stored configuration when there is one (addresses filled in from DNS), else DNS order. */
  private update(chain: ChainInfo): void {
    const found = this.found.get(chain.name) ?? [];
    const configured = this.configs?.get(chain.name);
    if (!configured) {
      chain.members = found;
      return;
    }
    const byName = new Map(found.map((m) => [m.name, m]));
    chain.members = configured.members
      .map((m) => (m.host !== '' ? m : byName.get(m.name)))
      .filter((m): m is Member => m !== undefined);
    chain.epoch = configured.epoch;
  }
}
