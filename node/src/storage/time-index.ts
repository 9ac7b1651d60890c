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
 * The file, the grouped writes and truncation are sparse-index.ts's; a missing or inconsistent file
 * makes the segment recover, which rebuilds it.
 */
import type { FilePool } from './file-pool.ts';
import { openIndexFile, SparseIndex } from './sparse-index.ts';

export const TIME_INDEX_ENTRY_BYTES = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends SparseIndex {
  /** Timestamps and absolute offsets of the entries (live up to `count`). */
  private readonly timestamps: number[] = [];
  private readonly offsets: number[] = [];

  /**
   * Opens (creating if missing) the file and loads its entries. `sane: false` when it is not a valid time
   * index for a segment whose offsets end before `nextOffset` (odd size, timestamps not increasing,
   * offsets decreasing or outside the segment); the caller then rebuilds it from the log.
   */
  static open(files: FilePool, file: string, baseOffset: number, maxIndexBytes: number, nextOffset: number): { index: TimeIndex; sane: boolean; existed: boolean } {
    const { handle, existed } = openIndexFile(files, file);
    const index = new TimeIndex(file, handle, baseOffset, maxIndexBytes, TIME_INDEX_ENTRY_BYTES);
    const sane = index.load((bytes, at) => {
      const timestamp = Number(bytes.readBigInt64BE(at));
      const offset = baseOffset + bytes.readInt32BE(at + 8);
      const last = index.lastEntry;
      if (offset < baseOffset || offset >= nextOffset || (last !== null && (timestamp <= last.timestamp || offset < last.offset))) return false;
      index.push(timestamp, offset);
      return true;
    });
    return { index, sane, existed };
  }

  /** The last entry, or null when empty. */
  get lastEntry(): TimestampOffset | null {
    const n = this.count;
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
    this.push(timestamp, Math.max(offset, last?.offset ?? offset));
  }

  /** The last entry with timestamp <= `target`, or (-1, baseOffset) when there is none (Kafka's lookup). */
  lookup(target: number): TimestampOffset {
    const found = this.search(this.timestamps, target);
    return found < 0 ? { timestamp: -1, offset: this.baseOffset } : { timestamp: this.timestamps[found]!, offset: this.offsets[found]! };
  }

  /** Drops entries whose offset is >= `offset` (after the log was cut there). */
  truncateToOffset(offset: number): void {
    this.truncateFrom(this.offsets, offset);
  }

  protected encodeEntry(i: number, buf: Buffer, at: number): void {
    buf.writeBigInt64BE(BigInt(this.timestamps[i]!), at);
    buf.writeInt32BE(this.offsets[i]! - this.baseOffset, at + 8);
  }

  private push(timestamp: number, offset: number): void {
    this.timestamps[this.count] = timestamp;
    this.offsets[this.count] = offset;
    this.added();
  }
}
