/**
 * SRV discovery through node:dns's Resolver: a Kubernetes headless service with a named port gives
 * `_port._tcp.<svc>.<ns>.svc.cluster.local` with one record per pod, target `<pod>.<svc>.<ns>.svc...`.
 * A member's name is the first label of its target (the pod name, which carries the StatefulSet ordinal);
 * its host is the target's address when it resolves (clients outside the test DNS cannot resolve names).
 */
import { Resolver } from 'node:dns/promises';
import type { Member } from './member.ts';
import type { DiscoveryResult, DiscoverySource } from './source.ts';
import { StaticDiscovery } from './static.ts';

export interface SrvOptions {
  /** `host:port` of the DNS server to ask instead of the system resolvers. */
  dnsServer?: string;
  /** Advertise resolved addresses instead of target names (needed where clients use another DNS). */
  resolveTargets?: boolean;
  timeoutMs?: number;
}

/** Discovers members from an SRV record. */
export class SrvDiscovery implements DiscoverySource {
  readonly description: string;
  private readonly resolver: Resolver;
  private readonly resolveTargets: boolean;

  constructor(
    readonly record: string,
    opts: SrvOptions = {},
  ) {
    this.description = `srv:${record}`;
    this.resolver = new Resolver({ timeout: opts.timeoutMs ?? 2000, tries: 2 });
    if (opts.dnsServer) this.resolver.setServers([opts.dnsServer]);
    this.resolveTargets = opts.resolveTargets ?? Boolean(opts.dnsServer);
  }

  async resolve(): Promise<DiscoveryResult> {
    try {
      const records = await this.resolver.resolveSrv(this.record);
      const members: Member[] = [];
      for (const rec of records) {
        const name = rec.name.split('.')[0] ?? rec.name;
        let host = rec.name;
        if (this.resolveTargets) {
          const addrs = await this.resolver.resolve4(rec.name).catch(() => [] as string[]);
          if (addrs.length > 0) host = addrs[0]!;
        }
        members.push({ name, host, port: rec.port });
      }
      return { ok: true, members };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // ENOTFOUND/ENODATA mean "no members yet", which is a valid (empty) answer while pods start.
      if (e.code === 'ENOTFOUND' || e.code === 'ENODATA') return { ok: true, members: [] };
      return { ok: false, error: `${e.code ?? 'error'}: ${e.message}` };
    }
  }
}

/** Builds a discovery source from `srv:RECORD` or `static:LIST`. */
export function discoveryFrom(spec: string, opts: SrvOptions = {}): DiscoverySource {
  if (spec.startsWith('srv:')) return new SrvDiscovery(spec.slice(4), opts);
  if (spec.startsWith('static:')) return new StaticDiscovery(spec.slice(7));
  throw new Error(`discovery must be srv:RECORD or static:name=host:port,...; got ${JSON.stringify(spec)}`);
}
