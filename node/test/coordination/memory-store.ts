/**
 * An in-memory CoordinationStore for unit tests of the failover rules (a stand-in for etcd: one process,
 * linearizable by construction). Leases expire on the test's clock (`now`), checked on every call and by
 * `expire()`, which the test calls after moving the clock.
 */
import type { ChainConfig, CoordinationStore, MemberInfo, MemberLease, Versioned } from '../../src/coordination/store.ts';

export class MemoryStore implements CoordinationStore {
  readonly description = 'memory';
  now = 0;
  private config = new Map<string, Versioned<ChainConfig>>();
  private readonly leases = new Map<string, { info: MemberInfo; until: number }>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private revision = 0;
  /** Set to make every call reject (the store unreachable). */
  down = false;
  /** How long a lease renewal takes to answer (a slow store on a loaded machine). */
  renewDelayMs = 0;

  private check(): void {
    if (this.down) throw new Error('store unreachable');
  }

  async getConfig(chain: string): Promise<Versioned<ChainConfig> | null> {
    this.check();
    return this.config.get(chain) ?? null;
  }

  async compareAndSetConfig(chain: string, next: ChainConfig, expected: string | null): Promise<Versioned<ChainConfig> | null> {
    this.check();
    const cur = this.config.get(chain);
    if ((cur?.version ?? null) !== expected) return null;
    const stored = { value: { epoch: next.epoch, members: [...next.members] }, version: String(++this.revision) };
    this.config.set(chain, stored);
    this.notify(chain);
    return stored;
  }

  async renewLease(chain: string, member: string, info: MemberInfo, ttlMs: number): Promise<void> {
    if (this.renewDelayMs > 0) await new Promise((r) => setTimeout(r, this.renewDelayMs));
    this.check();
    const key = `${chain}/${member}`;
    const fresh = !this.leases.has(key);
    this.leases.set(key, { info, until: this.now + ttlMs });
    if (fresh) this.notify(chain);
  }

  async releaseLease(chain: string, member: string): Promise<void> {
    this.check();
    if (this.leases.delete(`${chain}/${member}`)) this.notify(chain);
  }

  async liveMembers(chain: string): Promise<MemberLease[]> {
    this.check();
    this.expire();
    return [...this.leases.entries()].filter(([k]) => k.startsWith(`${chain}/`)).map(([k, v]) => ({ member: k.slice(chain.length + 1), info: v.info }));
  }

  /** Drops leases whose TTL passed on the test clock, telling watchers. */
  expire(): void {
    for (const [k, v] of [...this.leases]) {
      if (v.until <= this.now) {
        this.leases.delete(k);
        this.notify(k.slice(0, k.indexOf('/')));
      }
    }
  }

  watch(chain: string, onChange: () => void): () => void {
    const set = this.watchers.get(chain) ?? new Set();
    set.add(onChange);
    this.watchers.set(chain, set);
    return () => set.delete(onChange);
  }

  async close(): Promise<void> {}

  /** Forgets every chain's configuration (a wiped store), telling watchers. */
  wipe(): void {
    const chains = [...this.config.keys()];
    this.config.clear();
    for (const c of chains) this.notify(c);
  }

  private notify(chain: string): void {
    for (const w of this.watchers.get(chain) ?? []) queueMicrotask(w);
  }
}
