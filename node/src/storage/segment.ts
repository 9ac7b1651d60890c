/**
 * One log segment, Kafka's LogSegment: `<base>.log` holding RecordBatch v2 batches back to back exactly
 * as received (see protocol/record-batch.ts), and its sparse `<base>.index` (see offset-index.ts), which
 * gets an entry whenever more than `index.interval.bytes` of log were written since the previous one.
 *
 * Offsets inside a segment are contiguous (vonnegut never compacts): the first batch starts at the base
 * offset and each batch starts where the previous one ended. Recovery relies on that to detect damage
 * to the base offset field, which the CRC does not cover.
 *
 * Concurrency: one append in flight per partition. Every call is synchronous (pwrite/pread on fds from
 * the file pool, see file-pool.ts), so appends, reads and truncation of one segment never interleave;
 * readers get copies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { batchBaseOffset, batchLastOffset, batchMaxTimestamp, walkBatches } from '../protocol/record-batch.ts';
import { OffsetIndex } from './offset-index.ts';
import { FileWindow, readFully, writeFully } from './file-window.ts';
import type { FilePool, PooledFile } from './file-pool.ts';
import { segmentFileName, LOG_SUFFIX, INDEX_SUFFIX } from './log-files.ts';

/** Kafka's `index.interval.bytes` default. */
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096;
/** Header scans read the 61-byte batch headers in small windows, which keeps lookups cheap. */
const HEADER_SCAN_WINDOW = 8 * 1024;
/** Index entries store offsets relative to the segment base as int32. */
const MAX_RELATIVE_OFFSET = 0x7fffffff;

export interface SegmentConfig {
  indexIntervalBytes: number;
  maxIndexBytes: number;
  /** Where the segment's descriptors come from. */
  files: FilePool;
}

/** What the roll decision needs to know about the next append (Kafka's RollParams). */
export interface RollParams {
  /** The log's `segment.bytes`. */
  maxSegmentBytes: number;
  /** Bytes about to be appended. */
  appendBytes: number;
  /** Last offset of the batches about to be appended. */
  lastOffset: number;
}

/** Where a batch lies in the segment. */
export interface BatchLocation {
  position: number;
  size: number;
  baseOffset: number;
  lastOffset: number;
}

export class LogSegment {
  readonly baseOffset: number;
  readonly logFile: string;
  readonly index: OffsetIndex;
  readonly file: PooledFile;
  /** Bytes of log. */
  size: number;
  /** One past the last offset in the segment (baseOffset when empty). */
  nextOffset: number;
  /** True when the index file was missing or invalid, or the log does not end on a batch boundary. */
  readonly needsRecovery: boolean;
  private bytesSinceIndexEntry = 0;
  private maxTimestampCache: number | null = null;
  private readonly config: SegmentConfig;

  private constructor(dir: string, baseOffset: number, config: SegmentConfig, create: boolean) {
    this.baseOffset = baseOffset;
    this.config = config;
    this.logFile = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
    this.file = config.files.file(this.logFile, create ? 'wx+' : 'r+');
    this.size = this.file.use((fd) => fs.fstatSync(fd).size);
    const indexFile = path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX));
    if (create) fs.rmSync(indexFile, { force: true });
    const { index, sane, existed } = OffsetIndex.open(config.files, indexFile, baseOffset, config.maxIndexBytes, this.size);
    this.index = index;
    this.nextOffset = baseOffset;
    let needsRecovery = !create && (!sane || (!existed && this.size > 0));
    if (!needsRecovery) {
      const end = this.scanToEnd();
      needsRecovery = end !== this.size;
    }
    this.needsRecovery = needsRecovery;
  }

  /** Creates a new, empty segment (fails if its files exist). */
  static create(dir: string, baseOffset: number, config: SegmentConfig): LogSegment {
    return new LogSegment(dir, baseOffset, config, true);
  }

  /** Opens an existing segment; check `needsRecovery`. */
  static open(dir: string, baseOffset: number, config: SegmentConfig): LogSegment {
    return new LogSegment(dir, baseOffset, config, false);
  }

  /**
   * Appends whole batches whose offsets are already set; `lastOffset` is the last one's last offset.
   * All or nothing: when a write fails part way (ENOSPC, EIO), the bytes that did land are cut off again
   * and the segment's state is what it was, so the .log never keeps a torn batch nobody acknowledged
   * and the next append (once space returns) starts on a batch boundary.
   */
  append(batches: Buffer, lastOffset: number, maxTimestamp: number): void {
    const position = this.size;
    const bytesSinceIndexEntry = this.bytesSinceIndexEntry;
    try {
      this.file.use((fd) => writeFully(fd, batches, position));
      // Can fail too: it may write pending index entries.
      this.noteBatch(position, batches.length, lastOffset, maxTimestamp);
    } catch (err) {
      this.undoAppend(position, bytesSinceIndexEntry);
      throw err;
    }
  }

  private undoAppend(position: number, bytesSinceIndexEntry: number): void {
    this.index.truncateToPosition(position);
    this.size = position;
    this.bytesSinceIndexEntry = bytesSinceIndexEntry;
    try {
      // Shrinking needs no free space, so this normally succeeds even on a full disk.
      this.file.use((fd) => fs.ftruncateSync(fd, position));
    } catch {
      // Still safe: `size` is `position`, so reads never see the torn bytes, the next append overwrites
      // them, and recovery cuts any torn tail after a restart.
    }
  }

  /**
   * Kafka's LogSegment.shouldRoll: whether the next append must start a new segment, because this one
   * would pass segment.bytes, its index is full, or the offset would not fit the index's int32 delta.
   * An empty segment always takes the append (a batch larger than segment.bytes still gets stored).
   */
  shouldRoll(p: RollParams): boolean {
    return this.size > 0 && (this.size + p.appendBytes > p.maxSegmentBytes || this.index.isFull ||
      p.lastOffset - this.baseOffset > MAX_RELATIVE_OFFSET);
  }

  /** Called when a newer segment takes over appends: a finished segment's index must be whole on disk. */
  onBecomeInactive(): void {
    this.index.writePending();
  }

  /** Index bookkeeping for bytes just written (by append or by recovery) at `position`. */
  noteBatch(position: number, size: number, lastOffset: number, maxTimestamp: number): void {
    // Kafka's rule: add an entry for this write when the bytes since the last entry exceed the interval.
    if (this.bytesSinceIndexEntry > this.config.indexIntervalBytes && !this.index.isFull) {
      this.index.append(lastOffset, position);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    this.size = position + size;
    this.nextOffset = lastOffset + 1;
    if (this.maxTimestampCache !== null && maxTimestamp > this.maxTimestampCache) this.maxTimestampCache = maxTimestamp;
  }

  /** The first batch whose last offset is >= `offset`, searching from `fromPosition`; null if none. */
  translateOffset(offset: number, fromPosition = 0): BatchLocation | null {
    if (offset >= this.nextOffset) return null;
    const start = Math.max(fromPosition, this.index.lookup(offset).position);
    let found: BatchLocation | null = null;
    this.scanHeaders(start, (loc) => {
      if (loc.lastOffset < offset) return true;
      found = loc;
      return false;
    });
    return found;
  }

  /** Reads `length` bytes at `position` into one new buffer (shorter if the segment ends first). */
  read(position: number, length: number): Buffer {
    const len = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(len);
    const got = this.file.use((fd) => readFully(fd, buf, len, position));
    return got === len ? buf : buf.subarray(0, got);
  }

  /**
   * Drops every batch that holds an offset >= `offset`, so a batch straddling it goes whole. Returns the
   * bytes removed.
   */
  truncateTo(offset: number): number {
    const hit = this.translateOffset(offset);
    if (hit === null) return 0;
    const removed = this.size - hit.position;
    this.truncateBytes(hit.position, hit.baseOffset);
    return removed;
  }

  /** Cuts the log at `position` (a batch boundary) whose first dropped offset is `nextOffset`. */
  truncateBytes(position: number, nextOffset: number): void {
    this.file.use((fd) => fs.ftruncateSync(fd, position));
    this.index.truncateToPosition(position);
    this.size = position;
    this.nextOffset = nextOffset;
    this.bytesSinceIndexEntry = position - (this.index.lastEntry?.position ?? 0);
    this.maxTimestampCache = null;
  }

  /** Forgets index state before recovery rebuilds it. */
  resetIndex(): void {
    this.index.reset();
    this.bytesSinceIndexEntry = 0;
    this.maxTimestampCache = -1;
  }

  /** Largest batch max-timestamp (scanned once, then kept up to date); -1 when there is none. */
  largestTimestamp(): number {
    if (this.maxTimestampCache === null) {
      let max = -1;
      this.scanHeaders(0, (loc, buf, at) => {
        max = Math.max(max, batchMaxTimestamp(buf, at));
        return loc.size > 0;
      });
      this.maxTimestampCache = max;
    }
    return this.maxTimestampCache;
  }

  /** Last modification time of the `.log` (retention falls back to it when batches carry no timestamps). */
  lastModified(): number {
    return this.file.use((fd) => fs.fstatSync(fd).mtimeMs);
  }

  /**
   * Calls `visit` for each whole batch from `position` until it returns false or the data stops making
   * sense (recovery, not this, judges damage). `buf[at..]` holds the whole 61-byte batch header.
   */
  scanHeaders(position: number, visit: (loc: BatchLocation, buf: Buffer, at: number) => boolean): void {
    const window = new FileWindow(this.file, this.size, HEADER_SCAN_WINDOW);
    walkBatches(window, position, this.size, (pos, size, buf, at) =>
      visit({ position: pos, size, baseOffset: batchBaseOffset(buf, at), lastOffset: batchLastOffset(buf, at) }, buf, at));
  }

  /** fsyncs the log and the index. */
  flush(): void {
    this.file.use((fd) => fs.fsyncSync(fd));
    this.index.flush();
  }

  close(): void {
    this.file.close();
    this.index.close();
  }

  /** Closes and removes both files. */
  delete(): void {
    this.close();
    fs.rmSync(this.logFile, { force: true });
    fs.rmSync(this.index.file, { force: true });
  }

  /** Sets nextOffset by walking batch headers from the last index entry; returns where the walk ended. */
  private scanToEnd(): number {
    const last = this.index.lastEntry;
    let end = last?.position ?? 0;
    this.scanHeaders(end, (loc) => {
      this.nextOffset = loc.lastOffset + 1;
      end = loc.position + loc.size;
      return true;
    });
    this.bytesSinceIndexEntry = end - (last?.position ?? 0);
    return end;
  }
}
