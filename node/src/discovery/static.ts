/**
 * Static discovery: `static:host:port,host:port,...` (optionally `name=host:port`). Member names default
 * to `host:port`, and the list order is the chain order unless names carry ordinals.
 */
import type { Member } from './member.ts';
import type { DiscoveryResult, DiscoverySource } from './source.ts';

/** Parses `host:port,name=host:port,...` into members; throws on a malformed entry (configuration error). */
export function parseStaticMembers(spec: string): Member[] {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((entry, i) => {
      const eq = entry.indexOf('=');
      const name = eq >= 0 ? entry.slice(0, eq) : undefined;
      const addr = eq >= 0 ? entry.slice(eq + 1) : entry;
      const colon = addr.lastIndexOf(':');
      const port = Number(addr.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new Error(`bad static member ${JSON.stringify(entry)}: expected host:port or name=host:port`);
      }
      const host = addr.slice(0, colon).replace(/^\[|\]$/g, '');
      // Without names, keep the given order by naming members with their list position.
      return { name: name ?? `static-${i}`, host, port };
    });
}

/** A discovery source that always answers the configured list. */
export class StaticDiscovery implements DiscoverySource {
  readonly description: string;
  private readonly members: Member[];
  constructor(spec: string) {
    this.members = parseStaticMembers(spec);
    this.description = `static:${spec}`;
  }
  async resolve(): Promise<DiscoveryResult> {
    return { ok: true, members: this.members };
  }
}
