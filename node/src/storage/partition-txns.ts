/**
 * The transactions of one partition (KIP-98), as a read_committed reader needs them: which producers
 * have a transaction open here (from its first data batch to its commit or abort marker), the last
 * stable offset (LSO: nothing at or past the first offset of an undecided transaction is returned to a
 * read_committed reader), and the aborted transactions a reader must drop.
 *
 * A transaction counts as undecided until the high watermark passes its marker, not just until the
 * marker is appended: otherwise a reader could get an aborted transaction's records before the abort
 * itself is committed (Kafka's "unreplicated transactions").
 *
 * No `.txnindex` files are written: the state is rebuilt by scanning the batch headers of every
 * segment the first time a partition is asked (`PartitionLog.transactions()`), then kept up to date by
 * every append. Scanning reads headers only (control batches whole, they are a few dozen bytes).
 */
import {
  ATTRIBUTES_AT, BATCH_HEADER_SIZE, CONTROL_BIT, TRANSACTIONAL_BIT, batchBaseOffset, batchLastOffset, batchProducer, walkBatches,
} from '../protocol/record-batch.ts';
import { CONTROL_ABORT, controlType } from '../protocol/control-record.ts';
import type { LogSegment } from './segment.ts';

/** One aborted transaction as Fetch reports it, with its marker's offset (Kafka's AbortedTxn). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the abort marker. */
  lastOffset: number;
}

interface Decided {
  firstOffset: number;
  markerOffset: number;
}

export class PartitionTxns {
  /** Producer id -> first offset of its open transaction. */
  private readonly open = new Map<number, number>();
  /** Decided transactions whose marker the high watermark may not have passed yet. */
  private decided: Decided[] = [];
  /** Aborted transactions by marker offset, oldest first. */
  private readonly aborted: AbortedTxn[] = [];

  /** Rebuilds the state from every batch of `segments`, in offset order. */
  static scan(segments: readonly LogSegment[]): PartitionTxns {
    const txns = new PartitionTxns();
    for (const seg of segments) {
      seg.scanHeaders(0, (loc, buf, at) => {
        const attributes = buf.readInt16BE(at + ATTRIBUTES_AT);
        if ((attributes & TRANSACTIONAL_BIT) === 0) return true;
        const producerId = batchProducer(buf, at).producerId;
        if ((attributes & CONTROL_BIT) === 0) txns.data(producerId, loc.baseOffset);
        else txns.marker(producerId, loc.baseOffset, controlType(seg.read(loc.position, loc.size)));
        return true;
      });
    }
    return txns;
  }

  /** Notes appended batches (whole batches, offsets assigned). */
  observe(batches: Buffer): void {
    walkBatches(batches, 0, batches.length, (pos, size) => {
      if (size < BATCH_HEADER_SIZE) return;
      const attributes = batches.readInt16BE(pos + ATTRIBUTES_AT);
      if ((attributes & TRANSACTIONAL_BIT) === 0) return;
      const producerId = batchProducer(batches, pos).producerId;
      const base = batchBaseOffset(batches, pos);
      if ((attributes & CONTROL_BIT) === 0) this.data(producerId, base);
      else this.marker(producerId, batchLastOffset(batches, pos), controlType(batches.subarray(pos, pos + size)));
    });
  }

  private data(producerId: number, offset: number): void {
    if (!this.open.has(producerId)) this.open.set(producerId, offset);
  }

  private marker(producerId: number, offset: number, type: number): void {
    const first = this.open.get(producerId);
    // A marker for a producer with nothing open here (a retried marker, or a partition the
    // transaction named but never wrote to) changes nothing.
    if (first === undefined) return;
    this.open.delete(producerId);
    this.decided.push({ firstOffset: first, markerOffset: offset });
    if (type === CONTROL_ABORT) this.aborted.push({ producerId, firstOffset: first, lastOffset: offset });
  }

  /** The last stable offset under high watermark `hwm`: below the first offset of any undecided transaction. */
  lastStableOffset(hwm: number): number {
    if (this.decided.length > 0) this.decided = this.decided.filter((d) => d.markerOffset >= hwm);
    let lso = hwm;
    for (const first of this.open.values()) lso = Math.min(lso, first);
    for (const d of this.decided) lso = Math.min(lso, d.firstOffset);
    return lso;
  }

  /** Aborted transactions that overlap offsets [from, to) (what a Fetch returning that range must list). */
  abortedIn(from: number, to: number): AbortedTxn[] {
    return this.aborted.filter((a) => a.lastOffset >= from && a.firstOffset < to);
  }

  /** Producers with a transaction open in this partition (DescribeProducers-style introspection, tests). */
  openProducers(): number[] {
    return [...this.open.keys()];
  }
}
