/**
 * A segment's time index (`<base>.timeindex`), Kafka's TimeIndex format:
 *
 *   entry := timestamp int64 BE, relativeOffset int32 BE (offset - segment base)   (12 bytes)
 *
 * An entry (T, O) says: the largest timestamp in the segment up to and including offset O is T, and O is
 * where that maximum first appeared (the last offset of the batch that raised it). Timestamps strictly
 * increase from entry to entry and offsets never decrease. The segment appends one whenever it adds an
 * offset-index entry and its maximum timestamp grew since the last time-index entry, and once more when
 * it stops being the active segment, so the last entry of a finished segment holds its largest timestamp
 * (which is how retention and ListOffsets learn it without reading the log).
 *
 * As with the offset index, entries live in memory and reach the file in groups; the active segment's
 * time index is rebuilt from the log on open, and a missing or inconsistent file makes the segment
 * recover, which rebuilds it.
 *
 * Concurrency: owned by one LogSegment; one append in flight per partition (synchronous fs calls).
 */
import * as fs from 'node:fs';
import type { FilePool, PooledFile } from './file-pool.ts';

export const TIME_INDEX_ENTRY_BYTES = 12;
/** Entries gathered in memory before one write to the file. */
const WRITE_BATCH_ENTRIES = 512;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex {
  readonly baseOffset: number;
  readonly file: string;
  readonly maxEntries: number;
  private readonly handle: PooledFile;
  private timestamps: number[] = [];
  private offsets: number[] = [];
  /** Entries [0, written) are in the file. */
  private written = 0;

  private constructor(file: string, handle: PooledFile, baseOffset: number, maxIndexBytes: number) {
    this.file = file;
    this.handle = handle;
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / TIME_INDEX_ENTRY_BYTES));
  }

  /**
   * Opens (creating if missing) the file and loads its entries. `sane: false` when it is not a valid time
   * index for a segment whose offsets end before `nextOffset` (odd size, timestamps not increasing,
   * offsets decreasing or outside the segment); the caller then rebuilds it from the log.
   */
  static open(files: FilePool, file: string, baseOffset: number, maxIndexBytes: number, nextOffset: number): { index: TimeIndex; sane: boolean; existed: boolean } {
    const existed = fs.existsSync(file);
    const pooled = files.file(file, existed ? 'r+' : 'w+');
    const index = new TimeIndex(file, pooled, baseOffset, maxIndexBytes);
    const bytes = pooled.use((fd) => {
      const b = Buffer.alloc(fs.fstatSync(fd).size);
      if (b.length > 0) fs.readSync(fd, b, 0, b.length, 0);
      return b;
    });
    let sane = bytes.length % TIME_INDEX_ENTRY_BYTES === 0 && bytes.length / TIME_INDEX_ENTRY_BYTES <= index.maxEntries;
    for (let at = 0; sane && at < bytes.length; at += TIME_INDEX_ENTRY_BYTES) {
      const timestamp = Number(bytes.readBigInt64BE(at));
      const offset = baseOffset + bytes.readInt32BE(at + 8);
      const last = index.lastEntry;
      if (offset < baseOffset || offset >= nextOffset || (last !== null && (timestamp <= last.timestamp || offset < last.offset))) {
        sane = false;
        break;
      }
      index.timestamps.push(timestamp);
      index.offsets.push(offset);
    }
    index.written = index.timestamps.length;
    if (!sane) index.reset();
    return { index, sane, existed };
  }

  /** Number of entries. */
  get entries(): number {
    return this.timestamps.length;
  }

  /** True when no entry can be added; the segment must roll. */
  get isFull(): boolean {
    return this.timestamps.length >= this.maxEntries;
  }

  /** The last entry, or null when empty. */
  get lastEntry(): TimestampOffset | null {
    const n = this.timestamps.length;
    return n === 0 ? null : { timestamp: this.timestamps[n - 1]!, offset: this.offsets[n - 1]! };
  }

  /**
   * Kafka's maybeAppend: adds (timestamp, offset) when the timestamp is larger than the last entry's.
   * `force` skips the full check (the final entry written when the segment rolls).
   */
  maybeAppend(timestamp: number, offset: number, force = false): void {
    if (timestamp < 0) return;
    const last = this.lastEntry;
    if (last !== null && timestamp <= last.timestamp) return;
    if (this.isFull && !force) return;
    this.timestamps.push(timestamp);
    this.offsets.push(Math.max(offset, last?.offset ?? offset));
    if (this.timestamps.length - this.written >= WRITE_BATCH_ENTRIES) this.writePending();
  }

  /** Writes entries not yet in the file, in one pwrite. */
  writePending(): void {
    const n = this.timestamps.length - this.written;
    if (n <= 0) return;
    const buf = Buffer.allocUnsafe(n * TIME_INDEX_ENTRY_BYTES);
    for (let i = 0; i < n; i++) {
      buf.writeBigInt64BE(BigInt(this.timestamps[this.written + i]!), i * TIME_INDEX_ENTRY_BYTES);
      buf.writeInt32BE(this.offsets[this.written + i]! - this.baseOffset, i * TIME_INDEX_ENTRY_BYTES + 8);
    }
    this.handle.use((fd) => fs.writeSync(fd, buf, 0, buf.length, this.written * TIME_INDEX_ENTRY_BYTES));
    this.written = this.timestamps.length;
  }

  /** The last entry with timestamp <= `target`, or (-1, baseOffset) when there is none (Kafka's lookup). */
  lookup(target: number): TimestampOffset {
    let lo = 0;
    let hi = this.timestamps.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { timestamp: -1, offset: this.baseOffset } : { timestamp: this.timestamps[found]!, offset: this.offsets[found]! };
  }

  /** Drops entries whose offset is >= `offset` (after the log was cut there). */
  truncateToOffset(offset: number): void {
    let n = this.timestamps.length;
    while (n > 0 && this.offsets[n - 1]! >= offset) n--;
    if (n === this.timestamps.length) return;
    this.timestamps.length = n;
    this.offsets.length = n;
    if (this.written > n) {
      this.written = n;
      this.handle.use((fd) => fs.ftruncateSync(fd, n * TIME_INDEX_ENTRY_BYTES));
    }
  }

  /** Removes every entry (before a rebuild). */
  reset(): void {
    this.timestamps = [];
    this.offsets = [];
    this.written = 0;
    this.handle.use((fd) => fs.ftruncateSync(fd, 0));
  }

  /** Writes pending entries and fsyncs. */
  flush(): void {
    this.writePending();
    this.handle.use((fd) => fs.fsyncSync(fd));
  }

  /** Writes pending entries and closes the file. */
  close(): void {
    this.writePending();
    this.handle.close();
  }
}
