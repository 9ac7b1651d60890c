/**
 * Chain membership as pure functions. A chain is the list of members its discovery source returns,
 * ordered as StatefulSet ordinals are (`vg-0`, `vg-1`, ..., `vg-10`: numeric suffixes compare as numbers),
 * so every node that sees the same answer computes the same head -> ... -> tail order.
 */
import type { Member } from '../discovery/member.ts';

// Discovery owns the member's shape; re-exported for the chain modules that import it from here.
export type { Member };

export type Role = 'solo' | 'head' | 'middle' | 'tail' | 'outside';

/** Where one node stands in its chain. */
export interface Position {
  role: Role;
  index: number;
  members: Member[];
  predecessor: Member | undefined;
  successor: Member | undefined;
  /** Whether the chain has enough members to accept writes. */
  formed: boolean;
}

const ordinalPattern = /^(.*?)(\d+)$/;

/** Compares member names so that numeric suffixes order as numbers (`a-2` before `a-10`). */
export function compareMemberNames(a: string, b: string): number {
  const ma = ordinalPattern.exec(a);
  const mb = ordinalPattern.exec(b);
  if (ma && mb && ma[1] === mb[1]) return Number(ma[2]) - Number(mb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Members sorted into chain order, duplicates (same name) removed. */
export function orderMembers(members: readonly Member[]): Member[] {
  const byName = new Map<string, Member>();
  for (const m of members) if (!byName.has(m.name)) byName.set(m.name, m);
  return [...byName.values()].sort((a, b) => compareMemberNames(a.name, b.name));
}

/** The position of `self` (by name) in a chain that needs `replicas` members before it accepts writes. */
export function positionOf(self: string, members: readonly Member[], replicas: number): Position {
  const ordered = orderMembers(members);
  const index = ordered.findIndex((m) => m.name === self);
  const formed = ordered.length >= replicas && index >= 0;
  if (index < 0) {
    return { role: 'outside', index, members: ordered, predecessor: undefined, successor: undefined, formed: false };
  }
  return positionAt(ordered, index, formed);
}

/**
 * The position of `self` in a coordination store's configuration: members in the configuration's order
 * (head first), writes once `minInsync` of them are in it. The tail's successor is the node joining
 * after it, if any; a node outside the configuration takes links from the tail only (to catch up).
 */
export function positionInConfig(self: string, members: readonly Member[], minInsync: number, joiner?: Member): Position {
  const ordered = [...members];
  const index = ordered.findIndex((m) => m.name === self);
  const last = ordered.length - 1;
  if (index < 0) {
    return { role: 'outside', index, members: ordered, predecessor: ordered[last], successor: undefined, formed: false };
  }
  return positionAt(ordered, index, ordered.length >= minInsync, joiner);
}

/** Member `index` (>= 0) of `ordered` (head first): its role and neighbours; `afterTail` is the tail's successor. */
function positionAt(ordered: Member[], index: number, formed: boolean, afterTail?: Member): Position {
  const last = ordered.length - 1;
  const role: Role = last === 0 ? 'solo' : index === 0 ? 'head' : index === last ? 'tail' : 'middle';
  return {
    role,
    index,
    members: ordered,
    predecessor: index > 0 ? ordered[index - 1] : undefined,
    successor: index < last ? ordered[index + 1] : afterTail,
    formed,
  };
}

/** Kafka broker ids are int32: a stable positive id from a node name when none is configured. */
export function nodeIdFromName(name: string): number {
  // FNV-1a: stable across processes and versions, unlike any runtime hash.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 1) % 1_000_000_000;
}
