/**
 * The transactions of one partition (KIP-98), as a read_committed reader needs them: which producers
 * have a transaction open here (from its first data batch to its commit or abort marker), the last
 * stable offset (LSO: nothing at or past the first offset of an undecided transaction is returned to a
 * read_committed reader), and which transactions each abort marker ends (for the `.txnindex` files).
 *
 * A transaction counts as undecided until the high watermark passes its marker, not just until the
 * marker is appended: otherwise a reader could get an aborted transaction's records before the abort
 * itself is committed (Kafka's "unreplicated transactions").
 *
 * The open transactions are rebuilt by scanning the batch headers of every segment the first time a
 * partition is asked (`PartitionLog.transactions()`), then kept up to date by every append. Scanning
 * reads headers only (control batches whole, they are a few dozen bytes). Aborted transactions are
 * not kept here: each abort is reported to the caller, which keeps them in `.txnindex` files (txn-index.ts).
 */
import {
  ATTRIBUTES_AT, BATCH_HEADER_SIZE, CONTROL_BIT, TRANSACTIONAL_BIT, batchBaseOffset, batchLastOffset, batchProducer, walkBatches,
} from '../protocol/record-batch.ts';
import { CONTROL_ABORT, controlType } from '../protocol/control-record.ts';
import type { LogSegment } from './segment.ts';

/** One aborted transaction, Kafka's AbortedTxn (one `.txnindex` entry; Fetch reports producerId and firstOffset). */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the abort marker. */
  lastOffset: number;
  /** The partition's last stable offset just after the abort (ignoring the high watermark). */
  lastStableOffset: number;
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
  /** Rebuilds the state from every batch of `segments`, in offset order, reporting each abort with its marker's segment. */
  static scan(segments: readonly LogSegment[], onAbort: (seg: LogSegment, aborted: AbortedTxn) => void = () => {}): PartitionTxns {
    const txns = new PartitionTxns();
    for (const seg of segments) {
      seg.scanHeaders(0, (loc, buf, at) => {
        const attributes = buf.readInt16BE(at + ATTRIBUTES_AT);
        if ((attributes & TRANSACTIONAL_BIT) === 0) return true;
        const producerId = batchProducer(buf, at).producerId;
        if ((attributes & CONTROL_BIT) === 0) txns.data(producerId, loc.baseOffset);
        else {
          const aborted = txns.marker(producerId, loc.baseOffset, controlType(seg.read(loc.position, loc.size)));
          if (aborted) onAbort(seg, aborted);
        }
        return true;
      });
    }
    return txns;
  }

  /** Notes appended batches (whole batches, offsets assigned); returns the transactions they aborted. */
  observe(batches: Buffer): AbortedTxn[] {
    const aborts: AbortedTxn[] = [];
    walkBatches(batches, 0, batches.length, (pos, size) => {
      if (size < BATCH_HEADER_SIZE) return;
      const attributes = batches.readInt16BE(pos + ATTRIBUTES_AT);
      if ((attributes & TRANSACTIONAL_BIT) === 0) return;
      const producerId = batchProducer(batches, pos).producerId;
      const base = batchBaseOffset(batches, pos);
      if ((attributes & CONTROL_BIT) === 0) this.data(producerId, base);
      else {
        const aborted = this.marker(producerId, batchLastOffset(batches, pos), controlType(batches.subarray(pos, pos + size)));
        if (aborted) aborts.push(aborted);
      }
    });
    return aborts;
  }

  private data(producerId: number, offset: number): void {
    if (!this.open.has(producerId)) this.open.set(producerId, offset);
  }

  /** Ends `producerId`'s transaction at marker `offset`; returns it if the marker aborted it. */
  private marker(producerId: number, offset: number, type: number): AbortedTxn | null {
    const first = this.open.get(producerId);
    // A marker for a producer with nothing open here (a retried marker, or a partition the
    // transaction named but never wrote to) changes nothing.
    if (first === undefined) return null;
    this.open.delete(producerId);
    this.decided.push({ firstOffset: first, markerOffset: offset });
    if (type !== CONTROL_ABORT) return null;
    let lastStableOffset = offset + 1;
    for (const other of this.open.values()) lastStableOffset = Math.min(lastStableOffset, other);
    return { producerId, firstOffset: first, lastOffset: offset, lastStableOffset };
  }

  /** The last stable offset under high watermark `hwm`: below the first offset of any undecided transaction. */
  lastStableOffset(hwm: number): number {
    if (this.decided.length > 0) this.decided = this.decided.filter((d) => d.markerOffset >= hwm);
    let lso = hwm;
    for (const first of this.open.values()) lso = Math.min(lso, first);
    for (const d of this.decided) lso = Math.min(lso, d.firstOffset);
    return lso;
  }

  /** Producers with a transaction open in this partition (DescribeProducers-style introspection, tests). */
  openProducers(): number[] {
    return [...this.open.keys()];
  }
}
