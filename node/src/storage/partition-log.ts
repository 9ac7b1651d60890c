/**
 * One partition's log, Kafka's UnifiedLog/LocalLog: a directory `<topic>-<partition>/` of segments
 * (see segment.ts) sorted by base offset; the last one is active and takes appends.
 *
 *   logStartOffset  first offset still stored (base of the first segment; moved by retention)
 *   logEndOffset    next offset to assign
 *   highWatermark   reads and retention are bounded by it. Without a `committedOffset` owner (a single
 *                   node) it is the log end; with one (a chain member: chain/high-watermark.ts) it is
 *                   that owner's committed offset, clamped to [logStartOffset, logEndOffset]. The log
 *                   keeps no copy of it, so the bound reads and deletion use can never go stale.
 *
 * Appends store client batches as received: each batch's framing, magic and CRC-32C are checked and
 * only its base offset (and, if asked, leader epoch) is patched, both outside the CRC span
 * (offset-assignment.ts); `appendMany` writes a group of requests (one turn's produces) with one writev.
 *
 * CRC-32C: once per node, never twice: the head in assignOffsets, a follower in `appendReplicated` (the
 * only end-to-end check before its disk); why, and what else each node checks: docs/performance.md.
 *
 * Concurrency contract: ONE append (or truncate, or retention pass) in flight per partition. File I/O
 * is synchronous (pwritev/pread on fds held open), except the head's group write `appendManyAsync`,
 * whose pwritev runs on libuv's thread pool: offsets are assigned and the segment chosen before it, the
 * log end and segment sizes move only after it, and while it runs every other append or truncation is
 * refused, so offset assignment and segment rolling stay as ordered as with a synchronous call. Reads
 * return copies, so they stay valid after later truncation.
 * Durability: `flush()` fsyncs. Kafka's flush policy decides when that happens on its own:
 * `flush.messages` N fsyncs inside the append that brings the unflushed count to N (so with N = 1 no
 * append returns, and no produce is acknowledged, before its bytes are on disk); `flush.ms` is enforced
 * by the owner calling `flushIfOlderThan` on a timer (LogManager.startFlusher). Both default to never,
 * Kafka's default too: replication, not fsync, is what protects acknowledged records.
 */
import * as fs from 'node:fs';
import { wholeBatchesLength } from '../protocol/record-batch.ts';
import { KafkaError } from '../protocol/errors.ts';
import { LogSegment, type SegmentConfig } from './segment.ts';
import { assignGroupOffsets, checkReplicated, recordProducers, type AssignedGroup, type GroupBytes } from './offset-assignment.ts';
import { configWithDefaults, FLUSH_NEVER, type LogConfig } from './log-config.ts';
import { loadSegments } from './log-loader.ts';
import { silentLogger, type StorageLogger } from './logger.ts';
import { ProducerState } from './producer-state.ts';
import type { PartitionTxns } from './partition-txns.ts';
import { PartitionTxnLog, type AbortedTxn } from './txn-index.ts';
import { FilePool } from './file-pool.ts';
import { finishSwaps, installSwap, writeCleanedLog } from './segment-swap.ts';
import { recoverSegment } from './recovery.ts';
import { retentionCuts } from './retention.ts';
import { Unflushed } from './unflushed.ts';
import { offsetForTimestamp, offsetOfMaxTimestamp } from './timestamp-lookup.ts';

const EMPTY = Buffer.alloc(0);

/** Segments scanned for producer state on open: producers idle for longer are forgotten (KIP-360). */
export const PRODUCER_SCAN_SEGMENTS = 2;

export interface PartitionLogOptions extends Partial<LogConfig> {
  dir: string;
  /** Recover every segment (after an unclean shutdown) rather than only the last. Default true. */
  recoverAll?: boolean;
  /** The owner of this partition's committed offset (the chain); absent: everything appended is committed. */
  committedOffset?: () => number;
  logger?: StorageLogger;
  /** Descriptor budget shared with other logs (a LogManager's); default: one pool for the process. */
  files?: FilePool;
}

/** The pool of logs opened on their own, outside any LogManager. */
let processFilePool: FilePool | undefined;

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** True when the batch was an idempotent producer's retry of one already stored (nothing was written). */
  duplicate?: boolean;
  /** -1: batches keep their CreateTime timestamps (Kafka's answer when LogAppendTime is not in use). */
  logAppendTime: number;
}

export interface ReadOptions {
  maxBytes: number;
  /** Exclusive upper bound on offsets returned; default (and at most) the high watermark. */
  maxOffset?: number;
  /** Return the first batch even when it exceeds maxBytes (Kafka's minOneMessage). Default true. */
  minOneBatch?: boolean;
  /** Where the bytes are read into (a Fetch passes recycled buffers); default a new buffer per read. */
  alloc?: (size: number) => Buffer;
}

export interface ReadResult {
  /** Zero or more whole batches, starting with the one that holds the requested offset. */
  records: Buffer;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export class PartitionLog {
  readonly dir: string;
  readonly config: LogConfig;
  private readonly segments: LogSegment[];
  private readonly unflushed = new Unflushed();
  private readonly logger: StorageLogger;
  private readonly committedOffset: (() => number) | undefined;
  private readonly segConfig: SegmentConfig;
  private startOffset: number;
  private closed = false;
  /** An appendManyAsync is between its offsets and its bytes landing (see ensureWritable). */
  private writing = false;
  /** Idempotent producers' recent sequences, rebuilt from the newest segments on open. */
  readonly producers = new ProducerState();
  /** Open transactions (scanned on first use) and aborted ones (`.txnindex` files): txn-index.ts. */
  private readonly txns: PartitionTxnLog;

  private constructor(dir: string, config: LogConfig, segConfig: SegmentConfig, segments: LogSegment[], committedOffset: (() => number) | undefined, logger: StorageLogger) {
    this.dir = dir;
    this.config = config;
    this.segConfig = segConfig;
    this.segments = segments;
    this.committedOffset = committedOffset;
    this.logger = logger;
    this.startOffset = segments[0]!.baseOffset;
    this.rebuildProducerState();
    this.txns = new PartitionTxnLog(dir, segments);
  }

  /** Re-reads producer ids and sequences from the batch headers of the newest segments. */
  private rebuildProducerState(): void {
    this.producers.rebuild(this.segments.slice(-PRODUCER_SCAN_SEGMENTS));
  }

  /** This partition's open transactions (last stable offset); the first call scans the log. */
  transactions(): PartitionTxns {
    return this.txns.state();
  }

  /** The aborted transactions a read_committed Fetch of offsets [from, to) lists (from the `.txnindex` files). */
  abortedTxns(from: number, to: number): AbortedTxn[] {
    return this.txns.aborted(this.segmentIndexFor(from), from, to);
  }

  /** Opens (creating if needed) the log in `dir`, recovering the last segment, or all with `recoverAll`. */
  static open(opts: PartitionLogOptions): PartitionLog {
    const config = configWithDefaults(opts);
    const logger = opts.logger ?? silentLogger;
    const files = opts.files ?? (processFilePool ??= new FilePool());
    const segConfig: SegmentConfig = { indexIntervalBytes: config.indexIntervalBytes, maxIndexBytes: config.maxIndexBytes, files };
    fs.mkdirSync(opts.dir, { recursive: true });
    const swapped = finishSwaps(opts.dir);
    if (swapped.length > 0) logger.warn('completed cleaned segment swaps interrupted by a crash', { dir: opts.dir, segments: swapped });

    const segments = loadSegments(opts.dir, segConfig, opts.recoverAll ?? true, logger);
    return new PartitionLog(opts.dir, config, segConfig, segments, opts.committedOffset, logger);
  }

  /** First offset still stored. */
  get logStartOffset(): number {
    return this.startOffset;
  }

  /** Next offset to be assigned. */
  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  /** Exclusive bound on what reads return by default and on what retention may delete (see the header). */
  get highWatermark(): number {
    const end = this.logEndOffset;
    if (!this.committedOffset) return end;
    return Math.max(this.startOffset, Math.min(this.committedOffset(), end));
  }

  /** Total bytes of all segments. */
  get size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /** Number of segments (the last is active). */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** One request's batches as `appendMany` takes them (patched in place); throws its KafkaError if refused. */
  append(batches: Buffer, opts: { leaderEpoch?: number } = {}): AppendResult {
    const [result] = this.appendMany([batches], opts);
    if (result instanceof KafkaError) throw result;
    return result!;
  }

  /**
   * Appends several requests' batches in order with ONE write (a writev of the accepted ones); one outcome
   * per request, its offsets or the KafkaError that refused it alone. A failed write throws: nothing stored.
   */
  appendMany(requests: readonly Buffer[], opts: { leaderEpoch?: number } = {}): (AppendResult | KafkaError)[] {
    this.ensureWritable();
    const group = this.assignGroup(requests, opts);
    if (group.pieces.length === 0) return group.results;
    const seg = this.segmentFor(group);
    try {
      seg.appendAll(group.pieces);
    } catch (err) {
      this.rebuildProducerState(); // assignOffsets recorded the group's producers before the write
      throw err;
    }
    this.written(group);
    return group.results;
  }

  /**
   * `appendMany` with the write on libuv's thread pool (segment.ts appendAllAsync), so the event loop
   * serves other connections while the page-cache copy runs on another core. One such write at a time:
   * while it is in flight every other change to this log (appends, truncation) is refused, and the log
   * end, the segment sizes and so every read stay where they were until the bytes have landed.
   */
  async appendManyAsync(requests: readonly Buffer[], opts: { leaderEpoch?: number } = {}): Promise<(AppendResult | KafkaError)[]> {
    this.ensureWritable();
    const group = this.assignGroup(requests, opts);
    if (group.pieces.length === 0) return group.results;
    const seg = this.segmentFor(group);
    this.writing = true;
    try {
      await seg.appendAllAsync(group.pieces);
    } catch (err) {
      this.writing = false;
      if (!this.closed) this.rebuildProducerState();
      throw err;
    }
    this.writing = false;
    // Closed meanwhile (topic deleted, node stopping): the bytes may be on disk, but nobody is told they
    // are; Kafka answers a partition removed under an append the same way.
    if (this.closed) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `log ${this.dir} was closed during the write`);
    this.written(group);
    return group.results;
  }

  /** Offsets for each request of a group (offset-assignment.ts), as AppendResults. */
  private assignGroup(requests: readonly Buffer[], opts: { leaderEpoch?: number }): AssignedGroup<AppendResult> {
    return assignGroupOffsets(requests, this.logEndOffset, this.producers, opts.leaderEpoch,
      (a) => ({ baseOffset: a.baseOffset, lastOffset: a.lastOffset, logAppendTime: -1, ...(a.duplicate ? { duplicate: true } : {}) }));
  }

  /**
   * Appends batches whose offsets were assigned upstream (replication). They must start at or after
   * logEndOffset and rise (a compacted predecessor's log has gaps); otherwise OFFSET_OUT_OF_RANGE and
   * nothing is written.
   */
  appendReplicated(batches: Buffer): AppendResult {
    this.ensureWritable();
    const baseOffset = this.logEndOffset;
    const { next, maxTimestamp } = checkReplicated(batches, baseOffset);
    if (next === baseOffset) return { baseOffset, lastOffset: baseOffset - 1, logAppendTime: -1 };
    const group = { pieces: [{ batches, lastOffset: next - 1, maxTimestamp }], baseOffset, lastOffset: next - 1 };
    this.segmentFor(group).appendAll(group.pieces);
    this.written(group);
    recordProducers(batches, this.producers);
    return { baseOffset, lastOffset: next - 1, logAppendTime: -1 };
  }

  /**
   * Reads whole batches from the one holding `offset`, up to `maxBytes`, never past `maxOffset` (default:
   * the high watermark). OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset]. Reads stay within
   * one segment, as Kafka's do; the caller asks again from the next offset.
   */
  read(offset: number, opts: ReadOptions): ReadResult {
    this.ensureOpen();
    if (offset < this.startOffset || offset > this.logEndOffset) {
      throw new KafkaError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [${this.startOffset}, ${this.logEndOffset}]`);
    }
    const bound = Math.min(opts.maxOffset ?? this.highWatermark, this.logEndOffset);
    if (offset >= bound) return this.result(EMPTY);
    for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const first = seg.translateOffset(offset);
      if (first === null) continue; // offset is this segment's end: it lives in the next one
      const end = bound >= seg.nextOffset ? seg.size : seg.translateOffset(bound, first.position)?.position ?? seg.size;
      if (end <= first.position) return this.result(EMPTY);
      let want = Math.min(end - first.position, opts.maxBytes);
      if ((opts.minOneBatch ?? true) && want < first.size) want = first.size;
      const buf = seg.read(first.position, want, opts.alloc);
      return this.result(buf.subarray(0, wholeBatchesLength(buf)));
    }
    return this.result(EMPTY);
  }

  /**
   * Removes every offset >= `offset`; a batch straddling it goes whole (so the log end may land below
   * `offset`). Truncating at or below logStartOffset empties the log and restarts it at `offset`.
   */
  truncateTo(offset: number): void {
    this.ensureWritable();
    if (offset >= this.logEndOffset) return;
    if (offset <= this.startOffset) {
      for (const seg of this.segments.splice(0)) this.dropSegment(seg);
      this.segments.push(this.newSegment(offset));
      this.startOffset = offset;
    } else {
      while (this.segments.length > 1 && this.active.baseOffset >= offset) this.dropSegment(this.segments.pop()!);
      this.active.truncateTo(offset);
      this.unflushed.touched(this.active);
    }
    this.txns.truncated(this.logEndOffset);
    this.rebuildProducerState();
  }

  /** Empties the log and restarts it at `offset` (Kafka's truncateFullyAndStartAt; a replica behind its predecessor's start). */
  truncateFullyAndStartAt(offset: number): void {
    this.ensureWritable();
    for (const seg of this.segments.splice(0)) this.dropSegment(seg);
    this.segments.push(this.newSegment(offset));
    this.startOffset = offset;
    this.txns.truncated(this.logEndOffset);
    this.rebuildProducerState();
  }

  /** Retention (retention.ts) below `upTo` (default the high watermark); returns the number of segments deleted. */
  deleteOldSegments(now = Date.now(), upTo = this.highWatermark): number {
    this.ensureOpen();
    const { retentionMs, retentionBytes } = this.config;
    const cuts = retentionCuts(this.segments, { retentionMs, retentionBytes, now, bound: Math.min(upTo, this.logEndOffset) });
    for (const reason of cuts) this.deleteFirstSegment(reason);
    return cuts.length;
  }

  /** The first offset whose record timestamp is >= `timestamp` (ListOffsets), or null (timestamp-lookup.ts). */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | null {
    this.ensureOpen();
    return offsetForTimestamp(this.segments, this.startOffset, timestamp);
  }

  /** ListOffsets MAX_TIMESTAMP (KIP-734) below `maxOffset`, or null (timestamp-lookup.ts). */
  offsetOfMaxTimestamp(maxOffset: number): { offset: number; timestamp: number } | null {
    this.ensureOpen();
    return offsetOfMaxTimestamp(this.segments, this.startOffset, maxOffset);
  }

  /**
   * The segments the log cleaner may rewrite: never the active one, and only those wholly below
   * `upTo` (the committed bound), oldest first.
   */
  cleanableSegments(upTo: number): readonly LogSegment[] {
    this.ensureOpen();
    const out: LogSegment[] = [];
    for (let i = 0; i + 1 < this.segments.length && this.segments[i + 1]!.baseOffset <= upTo; i++) out.push(this.segments[i]!);
    return out;
  }

  /**
   * Replaces a segment's batches with `cleaned` (the same offsets, fewer records; see log-cleaner.ts)
   * through a crash-safe swap (segment-swap.ts). False, and nothing changed, when the segment is no
   * longer one of this log's inactive segments (retention or truncation took it meanwhile).
   */
  replaceSegment(seg: LogSegment, cleaned: Buffer): boolean {
    this.ensureOpen();
    const i = this.segments.indexOf(seg);
    if (i < 0 || i === this.segments.length - 1) return false;
    writeCleanedLog(this.dir, seg.baseOffset, cleaned);
    seg.flush();
    seg.close();
    this.unflushed.forget(seg);
    installSwap(this.dir, seg.baseOffset);
    const fresh = LogSegment.open(this.dir, seg.baseOffset, this.segConfig);
    recoverSegment(fresh); // rebuilds the indexes the swap removed
    this.segments[i] = fresh;
    if (i >= this.segments.length - 1 - PRODUCER_SCAN_SEGMENTS) this.rebuildProducerState();
    return true;
  }

  /** fsyncs every segment written since the last flush. */
  flush(): void {
    this.unflushed.flush();
  }

  /** Records appended and not yet fsynced. */
  get unflushedMessages(): number {
    return this.unflushed.count;
  }

  /** fsyncs when the oldest unflushed record is at least `ageMs` old (flush.ms); true if it did. */
  flushIfOlderThan(ageMs: number, now = Date.now()): boolean {
    if (!this.unflushed.olderThan(ageMs, now)) return false;
    this.flush();
    return true;
  }

  /** Flushes and closes every segment. */
  close(): void {
    if (this.closed) return;
    this.flush();
    for (const seg of this.segments) seg.close();
    this.closed = true;
  }

  /** Closes the log and removes its directory. */
  delete(): void {
    if (!this.closed) {
      for (const seg of this.segments) seg.close();
      this.closed = true;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  /** The segment a group goes to: the active one, rolled first if the group would not fit it. */
  private segmentFor(group: GroupBytes): LogSegment {
    let appendBytes = 0;
    for (const p of group.pieces) appendBytes += p.batches.length;
    if (this.active.shouldRoll({ maxSegmentBytes: this.config.segmentBytes, appendBytes, lastOffset: group.lastOffset })) this.roll(group.baseOffset);
    return this.active;
  }

  /** After a group's bytes landed: the flush policy (flush.messages) and the transaction index. */
  private written(group: GroupBytes): void {
    const unflushed = this.unflushed.written(this.active, group.lastOffset - group.baseOffset + 1);
    const { flushMessages } = this.config;
    if (flushMessages !== FLUSH_NEVER && unflushed >= flushMessages) {
      try {
        this.flush();
      } catch (err) {
        // The caller will answer KAFKA_STORAGE_ERROR, so the batch must not stay for a retry to duplicate.
        this.truncateTo(group.baseOffset);
        throw err;
      }
    }
    this.txns.appended(group.pieces.map((p) => p.batches));
  }

  private roll(baseOffset: number): void {
    this.logger.debug('rolling segment', { dir: this.dir, baseOffset });
    this.active.onBecomeInactive();
    this.segments.push(this.newSegment(baseOffset));
  }

  private newSegment(baseOffset: number): LogSegment {
    const seg = LogSegment.create(this.dir, baseOffset, this.segConfig);
    this.txns.segmentCreated(baseOffset);
    return seg;
  }

  /**
   * DeleteRecords: moves logStartOffset up to `offset` (never past the log end) and deletes the segments
   * wholly below it; reads below it are then OFFSET_OUT_OF_RANGE. A lower offset changes nothing.
   * Returns the log start offset after the call.
   */
  advanceLogStart(offset: number): number {
    this.ensureOpen();
    if (offset <= this.startOffset) return this.startOffset;
    if (offset > this.logEndOffset) throw new KafkaError('OFFSET_OUT_OF_RANGE', `offset ${offset} is past the log end ${this.logEndOffset}`);
    // The high watermark is clamped to the log start on read (see its getter).
    this.startOffset = offset;
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) this.deleteFirstSegment(`below the log start offset ${offset}`);
    return this.startOffset;
  }

  private deleteFirstSegment(reason: string): void {
    const seg = this.segments.shift()!;
    this.logger.info('deleting segment', { dir: this.dir, segment: seg.baseOffset, reason });
    this.dropSegment(seg);
    this.startOffset = Math.max(this.startOffset, this.segments[0]!.baseOffset);
  }

  private dropSegment(seg: LogSegment): void {
    this.unflushed.forget(seg);
    seg.delete();
    this.txns.segmentDeleted(seg.baseOffset);
  }

  /** Index of the last segment with baseOffset <= offset. */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private result(records: Buffer): ReadResult {
    return { records, logStartOffset: this.startOffset, logEndOffset: this.logEndOffset, highWatermark: this.highWatermark };
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaError('KAFKA_STORAGE_ERROR', `log ${this.dir} is closed`);
  }

  /**
   * Open, and no appendManyAsync in flight. A head's write overlapping a change from elsewhere happens only
   * around a role change (a new predecessor's link, a relink's truncation); that caller retries.
   */
  private ensureWritable(): void {
    this.ensureOpen();
    if (this.writing) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `log ${this.dir} has a head write in flight`);
  }
}
