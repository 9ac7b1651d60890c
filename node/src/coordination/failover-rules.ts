/**
 * The failover rules as pure functions of (configuration, live leases): what the chain's next
 * configuration is, and who writes it. They follow van Renesse & Schneider (OSDI 2004, section 3): a
 * failed member is removed (head removed: its successor leads; tail removed: its predecessor commits;
 * middle removed: its neighbours link), and every new or returning node is appended at the tail after
 * catching up from the current tail. Every change raises the epoch by one.
 *
 * Invariant these rules keep: every member of the configuration holds every committed record (committed
 * = the tail has it, and logs down a chain are prefixes of each other), so removing members never loses
 * one, as long as at least one member stays: a configuration is never emptied.
 */
import { compareMemberNames } from '../chain/membership.ts';
import type { ChainConfig } from './store.ts';

/** Default lease TTL: a dead member is noticed within it (failover p99 target 5 s). */
export const DEFAULT_LEASE_TTL_MS = 3000;
/** Default interval between lease renewals (a third of the TTL). */
export const DEFAULT_LEASE_RENEW_MS = 1000;

/** Kafka's min.insync.replicas for a chain of `replicas`: one may be down in chains of 3 or more. */
export function defaultMinInsync(replicas: number): number {
  return replicas >= 3 ? replicas - 1 : replicas;
}

/**
 * When a node must stop taking writes after a renewal that started at `renewStartedAt`: before the
 * store can expire the lease (it counts the TTL from when it received the renewal, which is later), with
 * one renewal interval to spare for clock rate differences and a slow event loop.
 */
export function writeDeadline(renewStartedAt: number, ttlMs: number, renewMs: number): number {
  return renewStartedAt + Math.max(ttlMs - renewMs, ttlMs / 2);
}

/** The member that applies removals: the first of the configuration whose lease is live. */
export function actingMember(config: ChainConfig, live: ReadonlySet<string>): string | undefined {
  return config.members.find((m) => live.has(m));
}

/** The configuration without the members whose leases lapsed, or null when none did (or none is left). */
export function removeLapsed(config: ChainConfig, live: ReadonlySet<string>): ChainConfig | null {
  const members = config.members.filter((m) => live.has(m));
  if (members.length === config.members.length || members.length === 0) return null;
  return { epoch: config.epoch + 1, members };
}

/** The configuration without `member`, or null when it is not in it or is its only member. */
export function withoutMember(config: ChainConfig, member: string): ChainConfig | null {
  if (!config.members.includes(member) || config.members.length === 1) return null;
  return { epoch: config.epoch + 1, members: config.members.filter((m) => m !== member) };
}

/** The configuration with `member` appended at the tail, or null when it is already in it. */
export function withMemberAtTail(config: ChainConfig, member: string): ChainConfig | null {
  if (config.members.includes(member)) return null;
  return { epoch: config.epoch + 1, members: [...config.members, member] };
}

/** The node that joins next: a live node outside the configuration (lowest name first), if any. */
export function nextJoiner(config: ChainConfig, live: Iterable<string>): string | undefined {
  return [...live].filter((m) => !config.members.includes(m)).sort(compareMemberNames)[0];
}

/**
 * The configuration a chain starts with: its first node alone, at an epoch above any the node has seen
 * (`seen`): after the store was wiped, epochs must still only rise, or nodes would refuse each other.
 */
export function firstConfig(member: string, seen = 0): ChainConfig {
  return { epoch: seen + 1, members: [member] };
}

/**
 * The same configuration at an epoch above `seen` when a node has seen a newer epoch than the store
 * holds (the store was wiped or restored from an older snapshot), else null.
 */
export function raisedEpoch(config: ChainConfig, seen: number): ChainConfig | null {
  return seen > config.epoch ? { epoch: seen + 1, members: [...config.members] } : null;
}
