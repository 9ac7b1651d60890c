/**
 * What a segment's two sparse indexes share (Kafka's AbstractIndex): a file of fixed-size entries that
 * holds exactly its entries, the entries kept in memory for lookups, new entries written to the file in
 * groups, a sanity check on open (the caller rebuilds an insane index from the log), binary search for
 * the last entry at or below a target, and truncation from the end.
 *
 * The file is never preallocated to `segment.index.bytes` and trimmed as Kafka's is, so there is nothing
 * to trim after a crash; `maxIndexBytes` still bounds the entry count and the segment rolls when full.
 * Entries reach the file in groups (WRITE_BATCH_ENTRIES, and on flush/close/roll) because a small pwrite
 * per entry costs as much as a big append; that is safe because the active segment's indexes are always
 * rebuilt from the log on open.
 *
 * Concurrency: owned by one LogSegment; one append in flight per partition (synchronous fs calls).
 */
import * as fs from 'node:fs';
import type { FilePool, PooledFile } from './file-pool.ts';

/** Entries gathered in memory before one write to the file. */
const WRITE_BATCH_ENTRIES = 512;

/** Opens (creating if missing) an index file through the pool. */
export function openIndexFile(files: FilePool, file: string): { handle: PooledFile; existed: boolean } {
  const existed = fs.existsSync(file);
  return { handle: files.file(file, existed ? 'r+' : 'w+'), existed };
}

/** One index file of `entryBytes`-sized entries; subclasses hold the entries' fields. */
export abstract class SparseIndex {
  readonly maxEntries: number;
  /** Entries [0, count) are live; the subclass's arrays may hold stale values past it. */
  protected count = 0;
  /** Entries [0, written) are in the file. */
  private written = 0;

  protected constructor(
    readonly file: string,
    private readonly handle: PooledFile,
    readonly baseOffset: number,
    maxIndexBytes: number,
    private readonly entryBytes: number,
  ) {
    this.maxEntries = Math.max(1, Math.floor(maxIndexBytes / entryBytes));
  }

  /** Writes live entry `i` into `buf` at `at` (file format). */
  protected abstract encodeEntry(i: number, buf: Buffer, at: number): void;

  /**
   * Loads the file's entries: `accept(bytes, at)` takes the entry at `at` or returns false when the file
   * is not a sane index, which then is emptied. True when the file was sane.
   */
  protected load(accept: (bytes: Buffer, at: number) => boolean): boolean {
    const bytes = this.handle.use((fd) => {
      const b = Buffer.alloc(fs.fstatSync(fd).size);
      if (b.length > 0) fs.readSync(fd, b, 0, b.length, 0);
      return b;
    });
    let sane = bytes.length % this.entryBytes === 0 && bytes.length / this.entryBytes <= this.maxEntries;
    for (let at = 0; sane && at < bytes.length; at += this.entryBytes) sane = accept(bytes, at);
    this.written = this.count;
    if (!sane) this.reset();
    return sane;
  }

  /** Number of entries. */
  get entries(): number {
    return this.count;
  }

  /** True when no entry can be added; the segment must roll. */
  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Counts in an entry the subclass just stored at index `count`; writes a group to the file when due. */
  protected added(): void {
    this.count++;
    if (this.count - this.written >= WRITE_BATCH_ENTRIES) this.writePending();
  }

  /** Writes entries not yet in the file, in one pwrite. */
  writePending(): void {
    const n = this.count - this.written;
    if (n <= 0) return;
    const buf = Buffer.allocUnsafe(n * this.entryBytes);
    for (let i = 0; i < n; i++) this.encodeEntry(this.written + i, buf, i * this.entryBytes);
    this.handle.use((fd) => fs.writeSync(fd, buf, 0, buf.length, this.written * this.entryBytes));
    this.written = this.count;
  }

  /** Index of the last entry whose `key` is <= target (keys increase), or -1 when there is none. */
  protected search(keys: ArrayLike<number>, target: number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Drops trailing entries whose `key` is >= `bound` (after the log was cut there). */
  protected truncateFrom(keys: ArrayLike<number>, bound: number): void {
    let n = this.count;
    while (n > 0 && keys[n - 1]! >= bound) n--;
    if (n === this.count) return;
    this.count = n;
    if (this.written > n) {
      this.written = n;
      this.handle.use((fd) => fs.ftruncateSync(fd, n * this.entryBytes));
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
}
