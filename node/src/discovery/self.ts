/**
 * How a node finds itself in its chain's discovery answer. Every member of a chain must call every other
 * member (itself included) by the same name, the name discovery gives (the SRV target's first label, a
 * static `name=`), or links are refused (`this node is X, not Y`). So a node without `--node-name` takes
 * the name of the member whose address is its advertised host and port, the SRV target resolved; and a
 * node that is not in the answer never puts itself into its view: it stays outside, unready, and says
 * what discovery returned and how to fix it.
 */
import { lookup } from 'node:dns/promises';
import type { Member } from './member.ts';
import type { DiscoverySource } from './source.ts';

export interface Advertised {
  host: string;
  port: number;
}

/** Every IPv4/IPv6 address a host name (or literal) stands for; the name itself when it does not resolve. */
async function addressesOf(host: string): Promise<Set<string>> {
  const out = new Set([host]);
  try {
    for (const a of await lookup(host, { all: true })) out.add(a.address);
  } catch {
    // Unresolvable here (a name only another DNS server knows): compare the name as given.
  }
  return out;
}

/** The members whose address (target resolved) is `self`'s advertised host and port. */
export async function membersAt(members: readonly Member[], self: Advertised): Promise<Member[]> {
  const mine = await addressesOf(self.host);
  const out: Member[] = [];
  for (const m of members) {
    if (m.port !== self.port) continue;
    const theirs = await addressesOf(m.host);
    if ([...theirs].some((a) => mine.has(a))) out.push(m);
  }
  return out;
}

/** One line: what discovery returned, and how to make this node one of its members. */
export function notInDiscoveryMessage(self: string, advertised: Advertised, members: readonly Member[], source: string): string {
  const answer = members.length === 0 ? 'no members' : members.map((m) => `${m.name}=${m.host}:${m.port}`).join(', ');
  return `this node (${self}, advertised ${advertised.host}:${advertised.port}) is not in ${source}, which returned ${answer}; ` +
    'set --node-name to its member name there, or --advertised-host/--advertised-port to the address discovery lists for it';
}

/**
 * The name this node has in its chain: `explicit` (--node-name) when given, else the name of the
 * discovery member at its advertised address; null (with the answer) when discovery does not list it.
 */
export async function identifySelf(source: DiscoverySource, advertised: Advertised, explicit?: string): Promise<{ name: string } | { name: null; members: Member[]; error?: string }> {
  if (explicit !== undefined) return { name: explicit };
  const answer = await source.resolve();
  if (!answer.ok) return { name: null, members: [], error: answer.error };
  const [found] = await membersAt(answer.members, advertised);
  return found ? { name: found.name } : { name: null, members: answer.members };
}
