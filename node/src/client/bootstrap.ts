/**
 * Where a client starts: the `endpoints` given to createClient, turned into broker addresses to ask
 * for Metadata. Three forms, as a Kubernetes deployment offers them:
 *
 *   srv:_kafka._tcp.vg.default.svc.cluster.local   SRV records of a chain's headless service
 *   vg-0.vg:9092,10.0.0.7:9092                      a plain host:port list (port defaults to 9092)
 *   vg.default.svc:9092                             a DNS name whose A records are the service's pods
 *
 * A host:port entry whose host is a name is resolved to all its IPv4 addresses, so the third form is
 * the second with one entry. Nothing here is cached: the client asks again whenever it has lost every
 * broker it knew.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import { SrvDiscovery } from '../discovery/srv.ts';

/** Kafka's default port, for entries that give none. */
export const DEFAULT_KAFKA_PORT = 9092;

export type BootstrapSpec =
  | { kind: 'srv'; record: string }
  | { kind: 'hosts'; hosts: { host: string; port: number }[] };

/** Parses endpoints (a comma-separated string or a list of entries); throws on malformed input. */
export function parseEndpoints(endpoints: string | readonly string[]): BootstrapSpec {
  const entries = (typeof endpoints === 'string' ? [endpoints] : endpoints)
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) throw new Error('no bootstrap endpoints given');
  const first = entries[0]!;
  if (first.startsWith('srv:')) {
    if (entries.length > 1) throw new Error('an srv: endpoint stands alone');
    return { kind: 'srv', record: first.slice(4) };
  }
  return { kind: 'hosts', hosts: entries.map((e) => parseHostPort(e.startsWith('static:') ? e.slice(7) : e)) };
}

/** `host:port`, `[v6]:port`, `name=host:port` (static discovery's form) or a bare host. */
function parseHostPort(entry: string): { host: string; port: number } {
  const addr = entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry;
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(addr);
  if (v6) return { host: v6[1]!, port: checkPort(v6[2], entry) };
  const colon = addr.lastIndexOf(':');
  if (colon < 0) return { host: addr, port: DEFAULT_KAFKA_PORT };
  if (colon === 0) throw new Error(`bad endpoint ${JSON.stringify(entry)}: no host`);
  return { host: addr.slice(0, colon), port: checkPort(addr.slice(colon + 1), entry) };
}

function checkPort(text: string | undefined, entry: string): number {
  if (text === undefined) return DEFAULT_KAFKA_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port in endpoint ${JSON.stringify(entry)}`);
  return port;
}

/** Resolves a spec to `host:port` addresses (deduplicated, in answer order). */
export async function resolveBootstrap(spec: BootstrapSpec, dnsServer?: string): Promise<string[]> {
  const out = new Set<string>();
  if (spec.kind === 'srv') {
    const res = await new SrvDiscovery(spec.record, dnsServer ? { dnsServer } : {}).resolve();
    if (res.ok) for (const m of res.members) out.add(`${m.host}:${m.port}`);
    // Empty is what a name that does not exist answers (NXDOMAIN): most often a Kubernetes service name
    // asked outside the cluster, whose resolver refuses or does not know it.
    if (out.size === 0) {
      const server = dnsServer ?? `the system resolver (${dns.getServers().join(', ')})`;
      const reason = res.ok ? 'no such record' : res.error;
      throw new Error(`SRV lookup of ${spec.record} failed: ${reason} at ${server}; outside Kubernetes give host:port endpoints (e.g. 127.0.0.1:9092), or a DNS server that has the record`);
    }
    return [...out];
  }
  for (const { host, port } of spec.hosts) {
    for (const a of await addressesOf(host, dnsServer)) out.add(a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  }
  return [...out];
}

/** Every address of a name (a headless service has one per pod); the name itself when none resolve. */
async function addressesOf(host: string, dnsServer: string | undefined): Promise<string[]> {
  if (net.isIP(host)) return [host];
  try {
    if (dnsServer) {
      const r = new dns.Resolver({ timeout: 2000, tries: 2 });
      r.setServers([dnsServer]);
      return await r.resolve4(host);
    }
    const all = await dns.lookup(host, { all: true, family: 4 });
    return all.map((a) => a.address);
  } catch {
    // Let the connect attempt report the failure with its own error.
    return [host];
  }
}
