/**
 * A pool of connections per broker address. Each address gets `size` slots used round-robin, so
 * pipelined requests spread over several sockets (and the broker's per-connection ordering does not
 * serialise unrelated work). A slot whose connection closed is reopened on its next use; a failed
 * connect fails only the request that asked for it.
 */

/** What the pool needs of a connection. */
export interface Poolable {
  readonly closed: boolean;
  close(): void;
}

/** Opens a connection to `host:port`. */
export type Connector<C extends Poolable> = (host: string, port: number) => Promise<C>;

/** Default connections per broker. */
export const DEFAULT_POOL_SIZE = 2;

interface Slots<C> {
  slots: (Promise<C> | undefined)[];
  next: number;
}

export class ConnectionPool<C extends Poolable> {
  private readonly brokers = new Map<string, Slots<C>>();
  private closing = false;

  constructor(
    private readonly connect: Connector<C>,
    readonly size = DEFAULT_POOL_SIZE,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a positive integer, got ${size}`);
  }

  /** The next connection (round-robin) to `address` (`host:port`), opening or reopening it as needed. */
  get(address: string): Promise<C> {
    if (this.closing) return Promise.reject(new Error('connection pool is closed'));
    let b = this.brokers.get(address);
    if (!b) {
      b = { slots: new Array<Promise<C> | undefined>(this.size).fill(undefined), next: 0 };
      this.brokers.set(address, b);
    }
    const i = b.next;
    b.next = (i + 1) % this.size;
    return this.slot(b, i, address);
  }

  private slot(b: Slots<C>, i: number, address: string): Promise<C> {
    const existing = b.slots[i];
    if (existing) {
      // A settled, still-open connection is reused; a closed one is replaced; a failed connect retries.
      return existing.then(
        (c) => (c.closed ? this.open(b, i, address, existing) : c),
        () => this.open(b, i, address, existing),
      );
    }
    return this.open(b, i, address, undefined);
  }

  private open(b: Slots<C>, i: number, address: string, stale: Promise<C> | undefined): Promise<C> {
    // Concurrent callers that saw the same stale slot share one reconnect.
    if (b.slots[i] !== stale) return b.slots[i]!;
    const colon = address.lastIndexOf(':');
    const p = this.connect(address.slice(0, colon).replace(/^\[|\]$/g, ''), Number(address.slice(colon + 1)));
    b.slots[i] = p;
    p.catch(() => {}); // rejection is handed to the caller; the slot retries next time
    return p;
  }

  /** Closes every connection and refuses new requests. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.brokers.values()].flatMap((b) => b.slots).filter((p): p is Promise<C> => p !== undefined);
    this.brokers.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close(), () => {})));
  }
}
