/**
 * The coordination store on etcd v3 (`--coordinator etcd:HOST:PORT[,HOST:PORT...]`), the way Patroni's
 * `etcd3.py` uses it. Key layout in `keys.ts`.
 *
 * - Configuration: one JSON key; compare-and-set is a txn on its mod_revision (expected null: the key's
 *   create_revision is 0, i.e. it does not exist). The version token is the mod_revision as a string.
 * - Member leases: one etcd lease per member this client renews, with the member key attached, so etcd
 *   itself deletes the key when the lease expires. A renewal is one keep-alive plus one txn that re-puts
 *   the key only when it is missing or not on our lease (self-healing, and silent for watchers otherwise).
 * - Watch: one etcd watch on the chain's prefix. etcd3's watch manager reconnects with our backoff; each
 *   (re)connection calls onChange too, because events may have been missed while disconnected.
 *
 * Endpoints come from `parseEtcdEndpoints` (spec.ts). Every call runs under `withDeadline`, so with quorum lost a call rejects in bounded time. Lease TTLs
 * are whole seconds in etcd, so `ttlMs` is rounded up (and etcd may raise tiny TTLs to its minimum).
 */
import { Etcd3, type IOptions, type Watcher } from 'etcd3';
import type { CallOptions } from '@grpc/grpc-js';
import { silentLogger, type Logger } from '../logging.ts';
import { withDeadline } from './deadline.ts';
import { checkChainConfig, checkMemberInfo, configKey, chainPrefix, memberKey, memberOfKey, membersPrefix, parseChainConfig, parseMemberInfo } from './keys.ts';
import { CoordinationError, type ChainConfig, type CoordinationStore, type MemberInfo, type MemberLease, type Versioned } from './store.ts';

/** Deadline of reads, compare-and-set and release. */
export const ETCD_CALL_TIMEOUT_MS = 3_000;
/** A renewal gets min(ttl / 2, this): a node must learn it cannot renew well before its lease lapses. */
export const ETCD_RENEW_TIMEOUT_MAX_MS = 2_000;
/** Watch reconnection backoff: first delay and cap (etcd3's default cap of 30 s is too slow for failover). */
export const ETCD_WATCH_BACKOFF_MS = { first: 100, max: 2_000 };

interface HeldLease {
  id: string;
  ttlSec: number;
}

type WatchBackoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

/** Exponential backoff in the shape etcd3's watch manager asks for. */
function watchBackoff(duration: number): WatchBackoff {
  return { duration, next: () => watchBackoff(Math.min(duration * 2, ETCD_WATCH_BACKOFF_MS.max)) };
}

export interface EtcdStoreOptions {
  logger?: Logger;
  callTimeoutMs?: number;
}

export class EtcdStore implements CoordinationStore {
  readonly description: string;
  private readonly client: Etcd3;
  private readonly logger: Logger;
  private readonly callTimeoutMs: number;
  /** The lease this client holds per member key. */
  private readonly leases = new Map<string, HeldLease>();
  /** Per member key, the renewal/release in flight: calls for one member run one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly watchStops = new Set<() => void>();

  /** `endpoints` as `parseEtcdEndpoints` returns them. */
  constructor(endpoints: string[], opts: EtcdStoreOptions = {}) {
    if (endpoints.length === 0) throw new CoordinationError('etcd needs at least one endpoint');
    this.description = `etcd:${endpoints.join(',')}`;
    this.logger = (opts.logger ?? silentLogger).child({ coordinator: this.description });
    this.callTimeoutMs = opts.callTimeoutMs ?? ETCD_CALL_TIMEOUT_MS;
    this.client = new Etcd3({
      hosts: endpoints.map((e) => `http://${e}`),
      dialTimeout: this.callTimeoutMs,
      faultHandling: { watchBackoff: watchBackoff(ETCD_WATCH_BACKOFF_MS.first) },
    });
  }

  async getConfig(chain: string): Promise<Versioned<ChainConfig> | null> {
    const key = configKey(chain);
    return withDeadline(`etcd read ${key}`, this.callTimeoutMs, async (deadline) => {
      const res = await this.client.get(key).options({ deadline }).exec();
      const kv = res.kvs[0];
      if (!kv) return null;
      return { value: parseChainConfig(kv.value.toString(), key), version: kv.mod_revision };
    });
  }

  async compareAndSetConfig(chain: string, next: ChainConfig, expected: string | null): Promise<Versioned<ChainConfig> | null> {
    const value = checkChainConfig(next);
    if (expected !== null && !/^\d+$/.test(expected)) throw new CoordinationError(`etcd version token must be a mod_revision, got "${expected}"`);
    const key = configKey(chain);
    return withDeadline(`etcd compare-and-set ${key}`, this.callTimeoutMs, async (deadline) => {
      const res = await this.client
        .if(key, expected === null ? 'Create' : 'Mod', '==', expected === null ? 0 : expected)
        .then(this.client.put(key).value(JSON.stringify(value)))
        .options({ deadline })
        .commit();
      // The put is the txn's only write, so the txn's revision is the key's new mod_revision.
      return res.succeeded ? { value, version: res.header.revision } : null;
    });
  }

  async renewLease(chain: string, member: string, info: MemberInfo, ttlMs: number): Promise<void> {
    const checked = checkMemberInfo(info);
    if (!(ttlMs > 0)) throw new CoordinationError(`lease ttl must be positive, got ${ttlMs}`);
    const key = memberKey(chain, member);
    const timeoutMs = Math.min(Math.floor(ttlMs / 2), ETCD_RENEW_TIMEOUT_MAX_MS);
    return this.serial(key, () => withDeadline(`etcd renew lease ${key}`, timeoutMs, (deadline) => this.renew(key, checked, Math.ceil(ttlMs / 1000), { deadline })));
  }

  private async renew(key: string, info: MemberInfo, ttlSec: number, options: CallOptions): Promise<void> {
    const held = this.leases.get(key);
    const value = JSON.stringify(info);
    if (held && held.ttlSec === ttlSec) {
      // The keep-alive and the key check go out together: one round trip where a renewal used to take
      // two, which matters on a loaded machine (a renewal must finish within the renewal interval).
      // A put on a lease that expired fails: that failure only matters while the lease is alive.
      const [alive, attachError] = await Promise.all([
        this.keepAliveOnce(held.id, options),
        this.attachKey(key, value, held.id, options).then(() => null, (err: unknown) => err),
      ]);
      if (alive) {
        if (attachError) throw attachError;
        return;
      }
    }
    if (held) this.logger.info('etcd lease gone or TTL changed; granting a new one', { key, lease: held.id });
    this.leases.delete(key);
    const granted = await this.client.leaseClient.leaseGrant({ TTL: ttlSec, ID: 0 }, options);
    this.leases.set(key, { id: granted.ID, ttlSec });
    await this.attachKey(key, value, granted.ID, options);
  }

  /** Puts the member key on `lease` unless it is there already with this value (no watch event then). */
  private async attachKey(key: string, value: string, lease: string, options: CallOptions): Promise<void> {
    await this.client
      .if(key, 'Lease', '==', lease)
      .and(key, 'Value', '==', value)
      .else(this.client.put(key).value(value).lease(lease))
      .options(options)
      .commit();
  }

  /** One keep-alive on the lease's stream; false when etcd says the lease no longer exists. */
  private async keepAliveOnce(id: string, options: CallOptions): Promise<boolean> {
    const stream = await this.client.leaseClient.leaseKeepAlive(options);
    try {
      const res = await new Promise<{ TTL: string }>((resolve, reject) => {
        stream.on('data', resolve);
        stream.on('error', reject);
        stream.on('end', () => reject(new CoordinationError('etcd keep-alive stream ended without an answer')));
        stream.write({ ID: id });
      });
      return Number(res.TTL) > 0;
    } finally {
      stream.end();
    }
  }

  releaseLease(chain: string, member: string): Promise<void> {
    const key = memberKey(chain, member);
    return this.serial(key, () =>
      withDeadline(`etcd release lease ${key}`, this.callTimeoutMs, async (deadline) => {
        const held = this.leases.get(key);
        this.leases.delete(key);
        // Revoking deletes the attached key; the delete covers a key we never attached (or lost track of).
        if (held) await this.client.leaseClient.leaseRevoke({ ID: held.id }, { deadline }).catch((err: unknown) => this.logger.debug('etcd lease revoke failed', { key, err: String(err) }));
        await this.client.delete().key(key).options({ deadline }).exec();
      }),
    );
  }

  async liveMembers(chain: string): Promise<MemberLease[]> {
    const prefix = membersPrefix(chain);
    return withDeadline(`etcd list ${prefix}`, this.callTimeoutMs, async (deadline) => {
      const res = await this.client.getAll().prefix(prefix).options({ deadline }).exec();
      const out: MemberLease[] = [];
      for (const kv of res.kvs) {
        const info = parseMemberInfo(kv.value.toString());
        if (info) out.push({ member: memberOfKey(chain, kv.key.toString()), info });
        else this.logger.warn('unreadable member record ignored', { key: kv.key.toString() });
      }
      return out;
    });
  }

  watch(chain: string, onChange: () => void): () => void {
    const prefix = chainPrefix(chain);
    let stopped = false;
    let current: Watcher | undefined;
    let retryMs = ETCD_WATCH_BACKOFF_MS.first;
    const fire = (): void => {
      if (!stopped) onChange();
    };
    const start = (): void => {
      const watcher = this.client.watch().prefix(prefix).watcher();
      current = watcher;
      watcher.on('data', fire);
      watcher.on('connected', () => {
        retryMs = ETCD_WATCH_BACKOFF_MS.first;
        fire();
      });
      watcher.on('disconnected', (err: Error) => this.logger.warn('etcd watch disconnected; reconnecting', { prefix, err: err.message }));
      // etcd3 emits 'error' when etcd cancels the watcher (e.g. its revision was compacted): watch anew.
      watcher.on('error', (err: Error) => {
        this.logger.warn('etcd watch cancelled; watching again', { prefix, err: err.message });
        watcher.cancel().catch(() => undefined);
        if (stopped) return;
        setTimeout(() => stopped || start(), retryMs).unref();
        retryMs = Math.min(retryMs * 2, ETCD_WATCH_BACKOFF_MS.max);
      });
    };
    start();
    const stop = (): void => {
      stopped = true;
      this.watchStops.delete(stop);
      current?.cancel().catch(() => undefined);
    };
    this.watchStops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    for (const stop of [...this.watchStops]) stop();
    this.leases.clear();
    this.client.close();
  }

  /** Runs `fn` after the previous call for the same member key has settled. */
  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }
}
