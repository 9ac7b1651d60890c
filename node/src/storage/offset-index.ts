/**
 * A segment's sparse offset index (`<base>.index`), Kafka's OffsetIndex format:
 *
 *   entry := relativeOffset int32 BE (offset - segment base), position int32 BE (byte of a batch in .log)
 *
 * Entries are strictly increasing in both fields. As in Kafka, the offset of an entry is the LAST offset
 * of the batch (or batches) appended at that position, so a lookup finds the largest entry <= target and
 * scans the log forward from its position. The file, the grouped writes and truncation are
 * sparse-index.ts's.
 */
import type { FilePool } from './file-pool.ts';
import { openIndexFile, SparseIndex } from './sparse-index.ts';

export const INDEX_ENTRY_BYTES = 8;
/** Kafka's `segment.index.bytes` default. */
export const DEFAULT_MAX_INDEX_BYTES = 10 * 1024 * 1024;

export interface IndexEntry {
  offset: number;
  position: number;
}

export class OffsetIndex extends SparseIndex {
  /** Relative offsets and positions of the entries, grown by doubling up to maxEntries. */
  private offsets = new Int32Array(64);
  private positions = new Int32Array(64);

  /**
   * Opens (creating if missing) the index file and loads its entries. Returns `sane: false` when the file
   * is not a valid index for a log of `logSize` bytes (odd size, entries out of order or past the log end);
   * the caller then rebuilds it from the log.
   */
  static open(files: FilePool, file: string, baseOffset: number, maxIndexBytes: number, logSize: number): { index: OffsetIndex; sane: boolean; existed: boolean } {
    const { handle, existed } = openIndexFile(files, file);
    const index = new OffsetIndex(file, handle, baseOffset, maxIndexBytes, INDEX_ENTRY_BYTES);
    const sane = index.load((bytes, at) => {
      const rel = bytes.readInt32BE(at);
      const pos = bytes.readInt32BE(at + 4);
      if (rel < 0 || pos < 0 || pos >= logSize || !index.increases(rel, pos)) return false;
      index.push(rel, pos);
      return true;
    });
    return { index, sane, existed };
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
    if (this.increases(rel, position)) this.push(rel, position);
  }

  /** The largest entry with offset <= target, or the segment start when there is none. */
  lookup(target: number): IndexEntry {
    const found = this.search(this.offsets, target - this.baseOffset);
    return found < 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.baseOffset + this.offsets[found]!, position: this.positions[found]! };
  }

  /** Drops entries that point at or past `position` in the log (after the log was cut there). */
  truncateToPosition(position: number): void {
    this.truncateFrom(this.positions, position);
  }

  protected encodeEntry(i: number, buf: Buffer, at: number): void {
    buf.writeInt32BE(this.offsets[i]!, at);
    buf.writeInt32BE(this.positions[i]!, at + 4);
  }

  /** Whether (rel, pos) would follow the last entry in both fields. */
  private increases(rel: number, pos: number): boolean {
    const last = this.count - 1;
    return last < 0 || (rel > this.offsets[last]! && pos > this.positions[last]!);
  }

  private push(rel: number, pos: number): void {
    if (this.count === this.offsets.length) {
      const size = Math.min(this.offsets.length * 2, this.maxEntries);
      const offsets = new Int32Array(size);
      const positions = new Int32Array(size);
      offsets.set(this.offsets);
      positions.set(this.positions);
      this.offsets = offsets;
      this.positions = positions;
    }
    this.offsets[this.count] = rel;
    this.positions[this.count] = pos;
    this.added();
  }
}
