/**
 * Recycled buffers for large request frames that arrive split over several socket reads.
 *
 * A Produce request of 64 KiB or more nearly always straddles Node's 64 KiB socket reads, so its frame
 * is copied into one buffer (see frame.ts); smaller ones straddle a read boundary often enough too (a
 * quarter of librdkafka's 16 KiB requests). A fresh buffer per request means a fresh ArrayBuffer per
 * request, and V8 answers a fast-growing amount of ArrayBuffer memory with full mark-compact collections
 * (main-thread pauses plus marking on the helper threads), not with cheap scavenges. Recycling the
 * frame buffers keeps the copy (a memcpy) and drops the allocation.
 *
 * The same pools recycle the buffers a Fetch reads the log into (`fetchReadPool`, below).
 *
 * Contract: whoever takes a frame from the pool gives it back only once the request is finished, and
 * any code that keeps bytes of a request beyond that (the chain replicator keeps batches in its socket's
 * queue) either `retain`s the frame and `release`s it when done (the buffer is recycled after the last
 * release) or, when `retain` refuses, copies the bytes.
 */

/**
 * Frames smaller than this come from Node's own shared pool (Buffer.allocUnsafe below poolSize / 2 =
 * 4 KiB); anything larger would be an ArrayBuffer of its own. With 16 KiB here, librdkafka's 16 KiB
 * requests (batch.size=16384) got one each and drove a mark-compact every ~300 ms (20 in a 200k-record
 * run against 3 with 4 KiB).
 */
export const FRAME_POOL_MIN_BYTES = 4 * 1024;
/** Frames larger than this are rare enough to allocate each time. */
export const FRAME_POOL_MAX_BYTES = 1024 * 1024;
/** Bytes the pool keeps idle at most, over all size classes. */
export const FRAME_POOL_IDLE_BYTES = 32 * 1024 * 1024;

/** Backing stores handed out by any FramePool and not yet known to be dead. */
const recycled = new WeakSet<ArrayBufferLike>();

/** Whether `buf` lies in a buffer a FramePool may hand out again once its request is finished. */
export function isRecycledFrame(buf: Uint8Array): boolean {
  return recycled.has(buf.buffer);
}

/** The size class of `size`: the next power of two, at least FRAME_POOL_MIN_BYTES. */
function sizeClass(size: number): number {
  return Math.max(FRAME_POOL_MIN_BYTES, 2 ** Math.ceil(Math.log2(size)));
}

export class FramePool {
  /** Largest size handed out from the pool (larger ones are ordinary buffers). */
  private readonly maxBytes: number;
  /** Idle buffers by size class, each a whole backing store. */
  private readonly idle = new Map<number, Buffer[]>();
  private idleBytes = 0;
  /**
   * Backing stores handed out by this pool and not yet released, with how many holders each has (the
   * taker, plus one per `retain`): a release beyond the last holder is ignored.
   */
  private readonly holders = new WeakMap<ArrayBufferLike, number>();

  /** Buffers handed out and not yet released (for tests and metrics). */
  outstanding = 0;

  constructor(opts: { maxBytes?: number } = {}) {
    this.maxBytes = opts.maxBytes ?? FRAME_POOL_MAX_BYTES;
  }

  /**
   * A buffer of exactly `size` bytes for a frame; recycled when one of its size class is idle. Sizes
   * outside [FRAME_POOL_MIN_BYTES, maxBytes] get an ordinary buffer that `release` ignores.
   */
  take(size: number): Buffer {
    if (size < FRAME_POOL_MIN_BYTES || size > this.maxBytes) return Buffer.allocUnsafe(size);
    const cls = sizeClass(size);
    let whole = this.idle.get(cls)?.pop();
    if (whole) this.idleBytes -= cls;
    else {
      // allocUnsafeSlow: its own ArrayBuffer, never a slice of Node's shared pool.
      whole = Buffer.allocUnsafeSlow(cls);
      recycled.add(whole.buffer);
    }
    this.holders.set(whole.buffer, 1);
    this.outstanding++;
    return whole.subarray(0, size);
  }

  /**
   * Adds a holder to the frame that `bytes` lie in, so it is not recycled before that holder's `release`
   * too; false (nothing held) for bytes outside a frame this pool handed out and still holds.
   */
  retain(bytes: Uint8Array): boolean {
    const n = this.holders.get(bytes.buffer);
    if (n === undefined) return false;
    this.holders.set(bytes.buffer, n + 1);
    return true;
  }

  /** Gives a frame from `take` (or a `retain`ed one) back once its holder is done; other buffers are ignored. */
  release(frame: Uint8Array): void {
    const n = this.holders.get(frame.buffer);
    if (n === undefined) return;
    if (n > 1) {
      this.holders.set(frame.buffer, n - 1);
      return;
    }
    this.holders.delete(frame.buffer);
    this.outstanding--;
    const cls = frame.buffer.byteLength;
    if (this.idleBytes + cls > FRAME_POOL_IDLE_BYTES) {
      // Dropped: it becomes ordinary garbage.
      recycled.delete(frame.buffer);
      return;
    }
    const list = this.idle.get(cls) ?? [];
    list.push(Buffer.from(frame.buffer as ArrayBuffer, 0, cls));
    this.idle.set(cls, list);
    this.idleBytes += cls;
  }
}

/** The pool every connection of this process takes Produce frames from. */
export const requestFramePool = new FramePool();

/**
 * The pool Fetch reads the log into. A consumer's fetch moves about 1 MiB (librdkafka's, kafkajs' and
 * Kafka's per-partition default), one fresh ArrayBuffer each, and V8 answered that external-memory
 * growth with mark-compacts: 22% of the busy main thread while kcat read a log. The connection gives a
 * response's buffers back once the socket has taken the response (its write callback), so the same few
 * buffers cycle. 8 MiB: consumers that raise their fetch size still recycle.
 */
export const fetchReadPool = new FramePool({ maxBytes: 8 * 1024 * 1024 });
