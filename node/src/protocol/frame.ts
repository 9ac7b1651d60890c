/**
 * Size-prefixed framing: every Kafka request and response is `size:int32` followed by `size` bytes.
 *
 * FrameDecoder keeps the socket chunks in a list and returns a frame that lies inside one chunk as a
 * view of it (no copy); only a frame split over several chunks is copied, once, when it is complete, so
 * a frame arriving in a thousand small chunks costs O(size), not O(size^2). The buffer it is copied into
 * may come from the caller (a recycled one, see frame-pool.ts). A negative or oversized size
 * is rejected as soon as its four bytes arrive, before any of the body is buffered.
 */
import type { Socket } from 'node:net';
import { DecodeError } from './errors.ts';

/** Default largest frame accepted: 100 MiB (Kafka's socket.request.max.bytes). */
export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

/** A frame whose size prefix is invalid; the connection cannot be resynchronised and must close. */
export class FrameSizeError extends DecodeError {
  readonly size: number;
  readonly kind: 'negative' | 'oversized';
  constructor(kind: 'negative' | 'oversized', size: number, max: number) {
    super(kind === 'negative' ? `negative frame size ${size}` : `frame size ${size} exceeds maximum ${max}`);
    this.name = 'FrameSizeError';
    this.kind = kind;
    this.size = size;
  }
}

/** Splits a byte stream into frames (size prefix removed). */
export class FrameDecoder {
  /** Unconsumed chunks are chunks[head..]; consumed slots are dropped in batches, not one shift at a time. */
  private chunks: Buffer[] = [];
  private head = 0;
  private buffered = 0;
  /** Size of the frame being assembled, once its prefix has been read. */
  private pending = -1;
  private failed: FrameSizeError | null = null;

  /**
   * `alloc`, when given, may supply the buffer a frame split over several chunks is copied into (it sees
   * the frame's size and the chunk holding its first bytes); returning undefined means a fresh buffer.
   */
  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES, private readonly alloc?: (size: number, start: Buffer) => Buffer | undefined) {}

  /** Bytes held waiting for the rest of a frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Feeds one chunk and returns every frame it completes; throws FrameSizeError on a bad size prefix. */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    for (;;) {
      if (this.pending < 0) {
        if (this.buffered < 4) break;
        const size = this.take(4).readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) {
          this.failed = new FrameSizeError(size < 0 ? 'negative' : 'oversized', size, this.maxFrameBytes);
          this.chunks = [];
          this.head = 0;
          this.buffered = 0;
          throw this.failed;
        }
        this.pending = size;
      }
      if (this.buffered < this.pending) break;
      frames.push(this.take(this.pending, true));
      this.pending = -1;
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return frames;
  }

  /** Removes the first `n` buffered bytes (n <= buffered); copies only when they span chunks (into `alloc`'s buffer for a frame). */
  private take(n: number, frame = false): Buffer {
    this.buffered -= n;
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[this.head]!;
    if (first.length >= n) {
      if (first.length === n) this.head++;
      else this.chunks[this.head] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = (frame ? this.alloc?.(n, first) : undefined) ?? Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[this.head]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.head++;
      else this.chunks[this.head] = c.subarray(k);
    }
    return out;
  }
}

/** Prefixes a payload with its int32 size. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  out.set(payload, 4);
  return out;
}

/** The int32 size prefix alone, for writers that send a large payload after it as its own chunk (no copy). */
export function frameSizePrefix(payloadLength: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeInt32BE(payloadLength, 0);
  return out;
}

/**
 * A connection's frames after a takeover (the chain replication link): the new owner receives each
 * frame and writes framed payloads back. The server's connection provides it; the chain consumes it.
 */
export interface FrameSource {
  socket: Socket;
  onFrame(listener: (frame: Buffer) => void): void;
  write(payload: Buffer): boolean;
}
