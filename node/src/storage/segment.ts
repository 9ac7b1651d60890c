/**
 * One log segment, Kafka's LogSegment: `<base>.log` holding RecordBatch v2 batches back to back exactly
 * as received (see protocol/record-batch.ts), its sparse `<base>.index` (see offset-index.ts), which
 * gets an entry whenever more than `index.interval.bytes` of log were written since the previous one,
 * and its `<base>.timeindex` (see time-index.ts), which gets one at the same moments when the segment's
 * largest timestamp grew, plus a last one when the segment rolls.
 *
 * Offsets inside a segment rise from batch to batch, starting at or after the base offset; they are
 * contiguous except in segments the log cleaner rewrote (log-cleaner.ts), whose batches keep their
 * original offsets around the records it removed. Recovery refuses a base offset that does not rise.
 *
 * Concurrency: one append in flight per partition. Every call is synchronous (pwrite/pread on fds from
 * the file pool, see file-pool.ts), so appends, reads and truncation of one segment never interleave;
 * readers get copies.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { batchBaseOffset, batchLastOffset, batchMaxTimestamp, walkBatches } from '../protocol/record-batch.ts';
import { OffsetIndex } from './offset-index.ts';
import { TimeIndex, type TimestampOffset } from './time-index.ts';
import { FileWindow, readFully, writevFully, writevFullyAsync } from './file-window.ts';
import type { FilePool, PooledFile } from './file-pool.ts';
import { segmentFileName, LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX } from './log-files.ts';

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

/** One request's batches for `appendAll`, offsets set: its last offset and largest timestamp. */
export interface SegmentAppend {
  batches: Buffer;
  lastOffset: number;
  maxTimestamp: number;
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
  readonly timeIndex: TimeIndex;
  readonly file: PooledFile;
  /** Bytes of log. */
  size: number;
  /** One past the last offset in the segment (baseOffset when empty). */
  nextOffset: number;
  /** True when the index file was missing or invalid, or the log does not end on a batch boundary. */
  readonly needsRecovery: boolean;
  private bytesSinceIndexEntry = 0;
  /** Largest batch max-timestamp so far (-1: none) and the last offset of the batch that first had it. */
  private maxTimestamp: TimestampOffset;
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
    this.maxTimestamp = { timestamp: -1, offset: baseOffset };
    let needsRecovery = !create && (!sane || (!existed && this.size > 0));
    let tailMax = this.maxTimestamp;
    if (!needsRecovery) {
      const { end, max } = this.scanToEnd();
      needsRecovery = end !== this.size;
      tailMax = max;
    }
    const timeIndexFile = path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX));
    if (create) fs.rmSync(timeIndexFile, { force: true });
    const time = TimeIndex.open(config.files, timeIndexFile, baseOffset, config.maxIndexBytes, this.nextOffset);
    this.timeIndex = time.index;
    // A segment written before time indexes existed, or whose time index is damaged, is rebuilt.
    if (!create && (!time.sane || (!time.existed && this.size > 0))) needsRecovery = true;
    const last = this.timeIndex.lastEntry;
    this.maxTimestamp = last !== null && last.timestamp >= tailMax.timestamp ? last : tailMax;
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
    this.appendAll([{ batches, lastOffset, maxTimestamp }]);
  }

  /**
   * Appends several requests' batches back to back with one writev, all or nothing as `append`; the
   * indexes see each piece as its own append (an entry lands where it would have, one at a time).
   */
  appendAll(pieces: readonly SegmentAppend[]): void {
    const position = this.size;
    try {
      this.file.use((fd) => writevFully(fd, pieces.map((p) => p.batches), position));
    } catch (err) {
      this.undoAppend(position, this.bytesSinceIndexEntry);
      throw err;
    }
    this.noteAll(pieces, position);
  }

  /**
   * `appendAll` with the pwritev on libuv's thread pool. Nothing about the segment moves until the bytes
   * have landed (size, offsets, indexes), so readers never see them early; the caller keeps every other
   * change to this segment away until the promise settles (PartitionLog allows one write in flight).
   */
  async appendAllAsync(pieces: readonly SegmentAppend[]): Promise<void> {
    const position = this.size;
    try {
      await this.file.useAsync((fd) => writevFullyAsync(fd, pieces.map((p) => p.batches), position));
    } catch (err) {
      this.undoAppend(position, this.bytesSinceIndexEntry);
      throw err;
    }
    this.noteAll(pieces, position);
  }

  /** Index bookkeeping for `pieces` just written at `position`, undone (bytes cut) if it fails. */
  private noteAll(pieces: readonly SegmentAppend[], position: number): void {
    const saved = { bytesSinceIndexEntry: this.bytesSinceIndexEntry, nextOffset: this.nextOffset, maxTimestamp: this.maxTimestamp };
    try {
      // Can fail: it may write pending index entries.
      let at = position;
      for (const p of pieces) {
        this.noteBatch(at, p.batches.length, p.lastOffset, p.maxTimestamp);
        at += p.batches.length;
      }
    } catch (err) {
      this.nextOffset = saved.nextOffset;
      this.maxTimestamp = saved.maxTimestamp;
      this.undoAppend(position, saved.bytesSinceIndexEntry);
      throw err;
    }
  }

  private undoAppend(position: number, bytesSinceIndexEntry: number): void {
    this.index.truncateToPosition(position);
    this.size = position;
    this.bytesSinceIndexEntry = bytesSinceIndexEntry;
    try {
      // An earlier piece of a group may have added a time index entry before a later one failed.
      this.timeIndex.truncateToOffset(this.nextOffset);
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
    return this.size > 0 && (this.size + p.appendBytes > p.maxSegmentBytes || this.index.isFull || this.timeIndex.isFull ||
      p.lastOffset - this.baseOffset > MAX_RELATIVE_OFFSET);
  }

  /**
   * Called when a newer segment takes over appends (and after recovery): the indexes of a finished
   * segment must be whole on disk, and its time index must end with its largest timestamp.
   */
  onBecomeInactive(): void {
    this.index.writePending();
    this.timeIndex.maybeAppend(this.maxTimestamp.timestamp, this.maxTimestamp.offset, true);
    this.timeIndex.writePending();
  }

  /** Index bookkeeping for bytes just written (by append or by recovery) at `position`. */
  noteBatch(position: number, size: number, lastOffset: number, maxTimestamp: number): void {
    if (maxTimestamp > this.maxTimestamp.timestamp) this.maxTimestamp = { timestamp: maxTimestamp, offset: lastOffset };
    // Kafka's rule: add entries for this write when the bytes since the last entry exceed the interval.
    if (this.bytesSinceIndexEntry > this.config.indexIntervalBytes && !this.index.isFull) {
      this.index.append(lastOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp.timestamp, this.maxTimestamp.offset);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    this.size = position + size;
    this.nextOffset = lastOffset + 1;
  }

  /**
   * Kafka's LogSegment.findOffsetByTimestamp, up to the batch: the first batch whose max timestamp is >=
   * `timestamp`, found from the time index's entry below it through the offset index; null if none.
   */
  findBatchByTimestamp(timestamp: number): BatchLocation | null {
    if (this.maxTimestamp.timestamp < timestamp) return null;
    const from = this.index.lookup(this.timeIndex.lookup(timestamp).offset).position;
    let found: BatchLocation | null = null;
    this.scanHeaders(from, (loc, buf, at) => {
      if (batchMaxTimestamp(buf, at) < timestamp) return true;
      found = loc;
      return false;
    });
    return found;
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

  /**
   * Reads `length` bytes at `position` into one buffer from `alloc` (default a new one; shorter if the
   * segment ends first).
   */
  read(position: number, length: number, alloc: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
    const len = Math.max(0, Math.min(length, this.size - position));
    const buf = alloc(len);
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
    this.timeIndex.truncateToOffset(nextOffset);
    this.size = position;
    this.nextOffset = nextOffset;
    this.bytesSinceIndexEntry = position - (this.index.lastEntry?.position ?? 0);
    // The maximum may have been in what was cut: find it again (truncation is rare).
    if (this.maxTimestamp.offset < nextOffset) return;
    let max: TimestampOffset = { timestamp: -1, offset: this.baseOffset };
    this.scanHeaders(0, (loc, buf, at) => {
      const ts = batchMaxTimestamp(buf, at);
      if (ts > max.timestamp) max = { timestamp: ts, offset: loc.lastOffset };
      return true;
    });
    this.maxTimestamp = max;
  }

  /** Forgets index state before recovery rebuilds it. */
  resetIndex(): void {
    this.index.reset();
    this.timeIndex.reset();
    this.bytesSinceIndexEntry = 0;
    this.maxTimestamp = { timestamp: -1, offset: this.baseOffset };
  }

  /** Largest batch max-timestamp in the segment (the time index's last entry once it rolled); -1 when none. */
  largestTimestamp(): number {
    return this.maxTimestamp.timestamp;
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

  /** fsyncs the log and both indexes. */
  flush(): void {
    this.file.use((fd) => fs.fsyncSync(fd));
    this.index.flush();
    this.timeIndex.flush();
  }

  close(): void {
    this.file.close();
    this.index.close();
    this.timeIndex.close();
  }

  /** Closes and removes the log and its indexes. */
  delete(): void {
    this.close();
    fs.rmSync(this.logFile, { force: true });
    fs.rmSync(this.index.file, { force: true });
    fs.rmSync(this.timeIndex.file, { force: true });
  }

  /**
   * Sets nextOffset by walking batch headers from the last index entry; returns where the walk ended and
   * the largest timestamp it saw (the time index covers what lies before).
   */
  private scanToEnd(): { end: number; max: TimestampOffset } {
    const last = this.index.lastEntry;
    let end = last?.position ?? 0;
    let max: TimestampOffset = { timestamp: -1, offset: this.baseOffset };
    this.scanHeaders(end, (loc, buf, at) => {
      this.nextOffset = loc.lastOffset + 1;
      end = loc.position + loc.size;
      const ts = batchMaxTimestamp(buf, at);
      if (ts > max.timestamp) max = { timestamp: ts, offset: loc.lastOffset };
      return true;
    });
    this.bytesSinceIndexEntry = end - (last?.position ?? 0);
    return { end, max };
  }
}
