/**
 * The coordination store a chain keeps its configuration in (Patroni's DCS model; the paper's "master").
 *
 * Per chain there is one configuration record `{epoch, members in order}`, changed only by
 * compare-and-set on an opaque version token (etcd's mod_revision, Kubernetes' resourceVersion), and one
 * liveness lease per member with a TTL. The store is off the data path: nodes touch it on lease renewals
 * and membership changes only. Backends: `etcd.ts` (etcd v3) and `kubernetes.ts` (coordination.k8s.io
 * Leases); the failover rules above them are one function whatever the backend.
 *
 * Contract: every method either succeeds or rejects with a `CoordinationError`; a compare-and-set that
 * loses the race resolves to null (not an error), so callers re-read and decide again.
 */

/** One chain's configuration: members head first, tail last; `epoch` rises by one on every change. */
export interface ChainConfig {
  epoch: number;
  members: string[];
}

/** A value with the store's version token, to pass back to compare-and-set. */
export interface Versioned<T> {
  value: T;
  version: string;
}

/** What a member publishes with its lease: where to reach it and how much it holds. */
export interface MemberInfo {
  host: string;
  port: number;
}

/** A live (unexpired) member lease as the store reports it. */
export interface MemberLease {
  member: string;
  info: MemberInfo;
}

export class CoordinationError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'CoordinationError';
  }
}

export interface CoordinationStore {
  /** A short description for logs and status (`etcd:127.0.0.1:2379`, `kubernetes:ns/default`). */
  readonly description: string;
  /** The chain's configuration, or null when none was ever written. */
  getConfig(chain: string): Promise<Versioned<ChainConfig> | null>;
  /** Writes `next` if the stored version is still `expected` (null: only if none exists); null when it lost. */
  compareAndSetConfig(chain: string, next: ChainConfig, expected: string | null): Promise<Versioned<ChainConfig> | null>;
  /** Creates or refreshes this member's lease for `ttlMs`; rejects when the store cannot be reached. */
  renewLease(chain: string, member: string, info: MemberInfo, ttlMs: number): Promise<void>;
  /** Drops this member's lease at once (clean shutdown, drain). */
  releaseLease(chain: string, member: string): Promise<void>;
  /** The members whose leases have not expired. */
  liveMembers(chain: string): Promise<MemberLease[]>;
  /** Calls `onChange` after the configuration or any lease of the chain changes; returns a stop function. */
  watch(chain: string, onChange: () => void): () => void;
  close(): Promise<void>;
}
