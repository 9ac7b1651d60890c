/**
 * A segment's sparse offset index (`<base>.index`), Kafka's OffsetIndex format:
 *
 *   entry := relativeOffset int32 BE (offset - segment base), position int32 BE (byte of a batch in .log)
 *
 * Entries are strictly increasing in both fields. As in Kafka, the offset of an entry is the LAST offset
 * of the batch (or batches) appended at that position, so a lookup finds the largest entry <= target and
 * scans the log forward from its position. The file holds exactly its entries: they are appended as they
 * made rather than preallocated to `segment.index.bytes` and trimmed, so there is nothing to trim after
 * a crash; `maxIndexBytes` still bounds the entry count and the segment rolls when it is full.
 * The entries live in memory for lookups; new ones reach the file in groups (WRITE_BATCH_ENTRIES, and on
 * flush/close/roll) because a small pwrite per entry costs as much as a big append. That is safe because
 * the active segment's index is always rebuilt from the log on open.
 *
 * Concurrency: owned by one LogSegment; one append in flight per partition (synchronous fs calls).
 */
import * as fs from 'node:fs';
import type { FilePool, PooledFile } from './file-pool.ts';

export const INDEX_ENTRY_BYTES = 8;
/** Kafka's `segment.index.bytes` default. */
export const DEFAULT_MAX_INDEX_BYTES = 10 * 1024 * 1024;
/** Entries gathered in memory before one write to the file. */
const WRITE_BATCH_ENTRIES = 512;

export interface IndexEntry {
  offset: number;
  position: number;
}

export class OffsetIndex {
  readonly baseOffset: number;
  readonly file: string;
  readonly maxEntries: number;
  private readonly handle: PooledFile;
  private offsets: Int32Array;
  private positions: Int32Array;
  private count = 0;
  /** Entries [0, written) are in the file. */
  private written = 0;

  private constructor(file: string, handle: PooledFile, baseOffset: number, maxIndexBytes: number) {
    this.file = file;
    this.handle = handle;
    this.baseOffset = baseOffset;
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / INDEX_ENTRY_BYTES));
    this.offsets = new Int32Array(64);
    this.positions = new Int32Array(64);
  }

  /**
   * Opens (creating if missing) the index file and loads its entries. Returns `sane: false` when the file
   * is not a valid index for a log of `logSize` bytes (odd size, entries out of order or past the log end);
   * the caller then rebuilds it from the log.
   */
  static open(files: FilePool, file: string, baseOffset: number, maxIndexBytes: number, logSize: number): { index: OffsetIndex; sane: boolean; existed: boolean } {
    const existed = fs.existsSync(file);
    const pooled = files.file(file, existed ? 'r+' : 'w+');
    const index = new OffsetIndex(file, pooled, baseOffset, maxIndexBytes);
    const bytes = pooled.use((fd) => {
      const b = Buffer.alloc(fs.fstatSync(fd).size);
      if (b.length > 0) fs.readSync(fd, b, 0, b.length, 0);
      return b;
    });
    const size = bytes.length;
    let sane = size % INDEX_ENTRY_BYTES === 0 && size / INDEX_ENTRY_BYTES <= index.maxEntries;
    for (let at = 0; sane && at < size; at += INDEX_ENTRY_BYTES) {
      const rel = bytes.readInt32BE(at);
      const pos = bytes.readInt32BE(at + 4);
      const last = index.count - 1;
      if (rel < 0 || pos < 0 || pos >= logSize || (last >= 0 && (rel <= index.offsets[last]! || pos <= index.positions[last]!))) {
        sane = false;
        break;
      }
      index.push(rel, pos);
    }
    index.written = index.count;
    if (!sane) index.reset();
    return { index, sane, existed };
  }

  /** Number of entries. */
  get entries(): number {
    return this.count;
  }

  /** True when no entry can be added; the segment must roll. */
  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** The last entry, or null when empty. */
  get lastEntry(): IndexEntry | null {
    if (this.count === 0) return null;
    return { offset: this.baseOffset + this.offsets[this.count - 1]!, position: this.positions[this.count - 1]! };
  }

  /** Adds an entry (absolute offset); entries that would not increase both fields are ignored. */
  append(offset: number, position: number): void {
    if (this.isFull) throw new Error(`index ${this.file} is full`);
    const rel = offset - this.baseOffset;
    const last = this.count - 1;
    if (last >= 0 && (rel <= this.offsets[last]! || position <= this.positions[last]!)) return;
    this.push(rel, position);
    if (this.count - this.written >= WRITE_BATCH_ENTRIES) this.writePending();
  }

  /** Writes entries not yet in the file, in one pwrite. */
  writePending(): void {
    const n = this.count - this.written;
    if (n <= 0) return;
    const buf = Buffer.allocUnsafe(n * INDEX_ENTRY_BYTES);
    for (let i = 0; i < n; i++) {
      buf.writeInt32BE(this.offsets[this.written + i]!, i * INDEX_ENTRY_BYTES);
      buf.writeInt32BE(this.positions[this.written + i]!, i * INDEX_ENTRY_BYTES + 4);
    }
    this.handle.use((fd) => fs.writeSync(fd, buf, 0, buf.length, this.written * INDEX_ENTRY_BYTES));
    this.written = this.count;
  }

  /** The largest entry with offset <= target, or the segment start when there is none. */
  lookup(target: number): IndexEntry {
    const rel = target - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.offsets[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.baseOffset + this.offsets[found]!, position: this.positions[found]! };
  }

  /** Drops entries that point at or past `position` in the log (after the log was cut there). */
  truncateToPosition(position: number): void {
    let n = this.count;
    while (n > 0 && this.positions[n - 1]! >= position) n--;
    if (n === this.count) return;
    this.count = n;
    if (this.written > n) {
      this.written = n;
      this.handle.use((fd) => fs.ftruncateSync(fd, n * INDEX_ENTRY_BYTES));
    }
  }

  /** Removes every entry (before a rebuild). */
  reset(): void {
    this.count = 0;
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

  private push(rel: number, pos: number): void {
    if (this.count === this.offsets.length) {
      const size = Math.min(this.offsets.length * 2, Math.max(this.maxEntries, 1));
      const offsets = new Int32Array(size);
      const positions = new Int32Array(size);
      offsets.set(this.offsets);
      positions.set(this.positions);
      this.offsets = offsets;
      this.positions = positions;
    }
    this.offsets[this.count] = rel;
    this.positions[this.count] = pos;
    this.count++;
  }
}
