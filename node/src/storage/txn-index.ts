/**
 * Kafka's aborted-transaction index (TransactionIndex.java, AbortedTxn.java): beside each segment a
 * `<base>.txnindex` holding one 34-byte entry per transaction aborted by a marker in that segment, in
 * marker order, big-endian:
 *
 *   version:int16 (0)  producerId:int64  firstOffset:int64  lastOffset:int64  lastStableOffset:int64
 *
 * firstOffset is the transaction's first offset in this partition, lastOffset its abort marker's offset,
 * lastStableOffset the partition's LSO just after the abort (Kafka's ProducerStateManager.lastStableOffset:
 * the first offset of the oldest other open transaction, else the marker's offset + 1). A read_committed
 * Fetch of [from, to) lists, from the segment holding `from` onward, the entries with lastOffset >= from
 * and firstOffset < to, and stops after a segment with an entry whose lastStableOffset >= to (Kafka's
 * LocalLog.collectAbortedTransactions).
 *
 * Every segment gets its (empty) file when it is created, so a missing file means lost, not "no aborts".
 *
 * Why the firstOffset comes from a scan, not a producer snapshot: an abort's firstOffset needs the
 * partition's open transactions (PartitionTxns), which are loaded lazily by scanning batch headers. Kafka
 * restores them from producer-state snapshots; vonnegut writes none, so when an abort (or commit) marker
 * is appended before the state is loaded, the append loads it with the same one scan that the first
 * read_committed read pays anyway (markers are rare; the scan reads headers only). That scan also
 * reconciles the files (`rebuild`): a missing file is written whole, an entry lost between the log write
 * and its index write (kill -9) is added, entries past the segment's end are cut. It never removes an
 * entry whose transaction began in a segment retention has since deleted: the scan cannot rebuild
 * those, and the entry stays right. Scanning on open happens only when some segment's file is missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ATTRIBUTES_AT, BATCH_HEADER_SIZE, CONTROL_BIT, walkBatches } from '../protocol/record-batch.ts';
import { segmentFileName, TXN_INDEX_SUFFIX } from './log-files.ts';
import { PartitionTxns, type AbortedTxn } from './partition-txns.ts';
import type { LogSegment } from './segment.ts';

export type { AbortedTxn } from './partition-txns.ts';

/** Bytes of one entry (AbortedTxn.TOTAL_SIZE). */
export const TXN_ENTRY_SIZE = 34;
const VERSION = 0;

/** One entry's 34 bytes. */
export function encodeAbortedTxn(e: AbortedTxn): Buffer {
  const b = Buffer.alloc(TXN_ENTRY_SIZE);
  b.writeInt16BE(VERSION, 0);
  b.writeBigInt64BE(BigInt(e.producerId), 2);
  b.writeBigInt64BE(BigInt(e.firstOffset), 10);
  b.writeBigInt64BE(BigInt(e.lastOffset), 18);
  b.writeBigInt64BE(BigInt(e.lastStableOffset), 26);
  return b;
}

/** The entries of a whole `.txnindex`, or null when it is torn or has an unknown version (rebuild it). */
export function decodeAbortedTxns(buf: Buffer): AbortedTxn[] | null {
  if (buf.length % TXN_ENTRY_SIZE !== 0) return null;
  const out: AbortedTxn[] = [];
  for (let at = 0; at < buf.length; at += TXN_ENTRY_SIZE) {
    if (buf.readInt16BE(at) !== VERSION) return null;
    out.push({
      producerId: Number(buf.readBigInt64BE(at + 2)),
      firstOffset: Number(buf.readBigInt64BE(at + 10)),
      lastOffset: Number(buf.readBigInt64BE(at + 18)),
      lastStableOffset: Number(buf.readBigInt64BE(at + 26)),
    });
  }
  return out;
}

/** True when `batches` hold a control batch (a transaction marker). */
export function hasControlBatch(batches: Buffer): boolean {
  let found = false;
  walkBatches(batches, 0, batches.length, (pos, size) => {
    if (size >= BATCH_HEADER_SIZE && (batches.readInt16BE(pos + ATTRIBUTES_AT) & CONTROL_BIT) !== 0) found = true;
  });
  return found;
}

/** The `.txnindex` files of one partition directory, keyed by segment base offset (entries cached). */
export class TxnIndexes {
  private readonly cache = new Map<number, AbortedTxn[]>();

  constructor(private readonly dir: string) {}

  /** Path of segment `base`'s index. */
  file(base: number): string {
    return path.join(this.dir, segmentFileName(base, TXN_INDEX_SUFFIX));
  }

  /** Segment `base`'s entries, or null when its file is missing or unreadable. */
  entries(base: number): AbortedTxn[] | null {
    const cached = this.cache.get(base);
    if (cached) return cached;
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file(base));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const entries = decodeAbortedTxns(buf);
    if (entries) this.cache.set(base, entries);
    return entries;
  }

  /** Gives a new segment its empty index (replacing any stale file of a deleted segment at that base). */
  create(base: number): void {
    this.write(base, []);
  }

  /** Appends an abort to segment `base`'s index; a marker at or below its last entry's is a retry and changes nothing. */
  append(base: number, e: AbortedTxn): void {
    const entries = this.entries(base) ?? [];
    const last = entries[entries.length - 1];
    if (last && e.lastOffset <= last.lastOffset) return;
    fs.appendFileSync(this.file(base), encodeAbortedTxn(e));
    entries.push(e);
    this.cache.set(base, entries);
  }

  /** Drops segment `base`'s entries whose marker is at or past `offset` (the log was truncated there). */
  truncateTo(base: number, offset: number): void {
    const entries = this.entries(base);
    if (entries && entries.some((e) => e.lastOffset >= offset)) this.write(base, entries.filter((e) => e.lastOffset < offset));
  }

  /** Removes segment `base`'s index with its segment. */
  delete(base: number): void {
    this.cache.delete(base);
    fs.rmSync(this.file(base), { force: true });
  }

  /**
   * Aborted transactions a Fetch of [from, to) must list, from `segmentBases` (the segment holding
   * `from` and every later one, in order). A later segment can matter: a transaction begun below `to`
   * may be aborted past it. Once an entry's lastStableOffset reaches `to`, every later abort's
   * transaction began at or after `to`, so the search stops.
   */
  collect(segmentBases: readonly number[], from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (const base of segmentBases) {
      let complete = false;
      for (const e of this.entries(base) ?? []) {
        if (e.lastOffset >= from && e.firstOffset < to) out.push(e);
        if (e.lastStableOffset >= to) complete = true;
      }
      if (complete) break;
    }
    return out;
  }

  /** Scans `segments` for the partition's transactions and brings every segment's index in line (see the header). */
  rebuild(segments: readonly LogSegment[]): PartitionTxns {
    const found = new Map<number, AbortedTxn[]>();
    const txns = PartitionTxns.scan(segments, (seg, e) => {
      const list = found.get(seg.baseOffset) ?? [];
      list.push(e);
      found.set(seg.baseOffset, list);
    });
    for (const seg of segments) {
      const expected = found.get(seg.baseOffset) ?? [];
      const existing = this.entries(seg.baseOffset);
      if (!existing) {
        this.write(seg.baseOffset, expected);
        continue;
      }
      const kept = existing.filter((e) => e.lastOffset < seg.nextOffset);
      const added = expected.filter((e) => !kept.some((k) => k.lastOffset === e.lastOffset));
      if (kept.length !== existing.length || added.length > 0) {
        this.write(seg.baseOffset, [...kept, ...added].sort((a, b) => a.lastOffset - b.lastOffset));
      }
    }
    return txns;
  }

  private write(base: number, entries: AbortedTxn[]): void {
    fs.writeFileSync(this.file(base), Buffer.concat(entries.map(encodeAbortedTxn)));
    this.cache.set(base, entries);
  }
}

/**
 * A partition's transaction bookkeeping as its log drives it: the open transactions (loaded on first
 * use) and the `.txnindex` files. `segments` is the log's own array, read live.
 */
export class PartitionTxnLog {
  private txns: PartitionTxns | null = null;
  private readonly index: TxnIndexes;

  constructor(dir: string, private readonly segments: readonly LogSegment[]) {
    this.index = new TxnIndexes(dir);
    const active = segments[segments.length - 1]!;
    this.index.truncateTo(active.baseOffset, active.nextOffset); // recovery may have cut the tail
    // A stat per segment, not a read: a torn file is repaired by the scan that precedes any read of it.
    if (segments.some((s) => !fs.existsSync(this.index.file(s.baseOffset)))) this.state(); // rebuilds the missing
  }

  /** The open transactions; the first call scans the log and repairs the `.txnindex` files. */
  state(): PartitionTxns {
    return (this.txns ??= this.index.rebuild(this.segments));
  }

  /** Aborted transactions for a Fetch of [from, to); `first` is the index of the segment holding `from`. */
  aborted(first: number, from: number, to: number): AbortedTxn[] {
    this.state();
    return this.index.collect(this.segments.slice(first).map((s) => s.baseOffset), from, to);
  }

  /** Notes batches just appended to the active segment, writing its index entries for any aborts. */
  appended(appended: readonly Buffer[]): void {
    // Not loaded: a marker needs the open transactions, and loading them scans what was just written too.
    if (!this.txns) {
      if (appended.some(hasControlBatch)) this.state();
      return;
    }
    const active = this.segments[this.segments.length - 1]!.baseOffset;
    for (const batches of appended) for (const a of this.txns.observe(batches)) this.index.append(active, a);
  }

  /** The log was cut at `end` (its new log end): entries past it go, the open transactions are rescanned. */
  truncated(end: number): void {
    this.index.truncateTo(this.segments[this.segments.length - 1]!.baseOffset, end);
    this.txns = null;
  }

  /** A segment was created at `base`. */
  segmentCreated(base: number): void {
    this.index.create(base);
  }

  /** A segment at `base` was deleted. */
  segmentDeleted(base: number): void {
    this.index.delete(base);
  }
}
