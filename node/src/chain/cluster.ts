/**
 * The cluster: every chain and its members, from `--cluster` (`srv:RECORD,srv:RECORD,...`, or static
 * lists `static:name=host:port,...` separated the same way). Each chain's discovery is polled like this
 * node's own. A chain's name is its headless service's name (the label after `_tcp` in the SRV record),
 * or `chain-<i>` for static lists. The first chain in the list holds the placement map (see placement.ts):
 * new chains are appended, so the first one never changes while a cluster grows.
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
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    specs: string[],
    /** This node's own chain spec (its `--discovery`), which must be one of `specs`. */
    readonly ownSpec: string,
    private readonly log: Logger,
    opts: SrvOptions & { refreshMs?: number } = {},
    private readonly refreshMs = opts.refreshMs ?? CLUSTER_REFRESH_MS,
  ) {
    if (!specs.includes(ownSpec)) specs = [...specs, ownSpec];
    this.chainList = specs.map((spec, i) => ({ name: chainNameOf(spec, i), spec, members: [] }));
    this.sources = specs.map((spec) => discoveryFrom(spec, opts));
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

  /** Replaces a chain's members with what this node's own membership view says (fresher for its own chain). */
  setOwnMembers(members: Member[]): void {
    this.own().members = members;
  }

  private async refresh(): Promise<void> {
    await Promise.all(
      this.sources.map(async (source, i) => {
        const chain = this.chainList[i]!;
        if (chain.spec === this.ownSpec) return; // the chain node keeps its own view
        const result = await source.resolve();
        if (result.ok) chain.members = orderMembers(result.members);
        else this.log.warn('cluster discovery failed; keeping last view', { chain: chain.name, error: result.error });
      }),
    );
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.refresh(), this.refreshMs * (0.8 + Math.random() * 0.4));
    this.timer.unref();
  }
}
