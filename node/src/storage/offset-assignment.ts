/**
 * The head's checks and offset assignment for one producer request's batches, before any byte is
 * written: each batch's framing, magic and CRC-32C are checked (the one CRC check this node makes of
 * these bytes, see partition-log.ts), its base offset (and, if asked, leader epoch) is patched in place,
 * both outside the CRC span, and idempotent producers' sequences are checked and recorded.
 *
 * PartitionLog.appendMany runs this for every request of a group in order and then writes the group's
 * survivors with one writev; recording a request's producers here, before that write, lets a later
 * request of the same group be recognised as its retry, and the log rebuilds the state if the write fails.
 */
import {
  validateBatch, setBaseOffset, setPartitionLeaderEpoch, batchBaseOffset, batchMaxTimestamp, batchLastOffsetDelta,
  batchRecordsCount, BATCH_HEADER_SIZE, batchProducer, walkBatches,
} from '../protocol/record-batch.ts';
import { KafkaError } from '../protocol/errors.ts';
import type { ProducerState } from './producer-state.ts';
import type { SegmentAppend } from './segment.ts';

/** Where a request's batches go: offsets [baseOffset, lastOffset], or a retry of stored ones. */
export interface AssignedOffsets {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  /** An idempotent producer's retry of a stored batch: nothing must be written, the offsets are the original ones. */
  duplicate: boolean;
}

/**
 * Checks `batches` and numbers them from `next` (patching them in place), or recognises an idempotent
 * retry. CORRUPT_MESSAGE / INVALID_RECORD / the producer-state errors as KafkaError; `producers` is only
 * changed when the request is accepted and new.
 */
export function assignOffsets(batches: Buffer, next: number, producers: ProducerState, leaderEpoch?: number): AssignedOffsets {
  if (batches.length === 0) throw new KafkaError('CORRUPT_MESSAGE', 'no record batches to append');
  // An idempotent producer's retry of a stored batch gets the original offsets back (Kafka sends one
  // batch per partition per request when idempotent, so the first batch decides).
  if (batches.length >= BATCH_HEADER_SIZE) {
    const dup = producers.check(batchProducer(batches, 0));
    if (dup && validateBatch(batches, 0)) return { baseOffset: dup.firstOffset, lastOffset: dup.lastOffset, maxTimestamp: -1, duplicate: true };
  }
  const baseOffset = next;
  let maxTimestamp = -1;
  for (let pos = 0; pos < batches.length;) {
    const size = validateBatch(batches, pos);
    const lastOffsetDelta = batchLastOffsetDelta(batches, pos);
    const count = batchRecordsCount(batches, pos);
    if (count !== lastOffsetDelta + 1) {
      throw new KafkaError('INVALID_RECORD', `batch at byte ${pos} has ${count} records but lastOffsetDelta ${lastOffsetDelta}`);
    }
    setBaseOffset(batches, pos, next);
    if (leaderEpoch !== undefined) setPartitionLeaderEpoch(batches, pos, leaderEpoch);
    maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp(batches, pos));
    next += lastOffsetDelta + 1;
    pos += size;
  }
  recordProducers(batches, producers);
  return { baseOffset, lastOffset: next - 1, maxTimestamp, duplicate: false };
}

/** Records every batch of `batches` (offsets already set) in `producers`. */
export function recordProducers(batches: Buffer, producers: ProducerState): void {
  walkBatches(batches, 0, batches.length, (pos) => {
    producers.record(batchProducer(batches, pos), batchBaseOffset(batches, pos));
  });
}

/**
 * Checks replicated batches (offsets assigned upstream): each batch's framing and CRC, and offsets that
 * start at or after `next` and rise (a compacted predecessor's log has gaps), else OFFSET_OUT_OF_RANGE.
 * Returns the offset after the last batch and the largest timestamp.
 */
export function checkReplicated(batches: Buffer, next: number): { next: number; maxTimestamp: number } {
  let maxTimestamp = -1;
  for (let pos = 0; pos < batches.length;) {
    const size = validateBatch(batches, pos);
    const base = batchBaseOffset(batches, pos);
    if (base < next) {
      throw new KafkaError('OFFSET_OUT_OF_RANGE', `replicated batch starts at offset ${base}, the log expects ${next} or later`);
    }
    maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp(batches, pos));
    next = base + batchLastOffsetDelta(batches, pos) + 1;
    pos += size;
  }
  return { next, maxTimestamp };
}

/** What a group's one write stores: the accepted, new requests' batches in order, and their offsets. */
export interface GroupBytes {
  pieces: SegmentAppend[];
  baseOffset: number;
  lastOffset: number;
}

/** A group of requests with their offsets assigned, before its write. */
export interface AssignedGroup<R> extends GroupBytes {
  /** One per request: what `result` made of its offsets, or the KafkaError that refused it alone. */
  results: (R | KafkaError)[];
}

/**
 * `assignOffsets` for each request of a group in order from `next`; a refused request takes no offsets
 * and a duplicate writes nothing. Producers are recorded as it goes (the caller rebuilds them if the
 * write fails).
 */
export function assignGroupOffsets<R>(requests: readonly Buffer[], next: number, producers: ProducerState, leaderEpoch: number | undefined, result: (a: AssignedOffsets) => R): AssignedGroup<R> {
  const group: AssignedGroup<R> = { results: [], pieces: [], baseOffset: next, lastOffset: next - 1 };
  for (const batches of requests) {
    try {
      const a = assignOffsets(batches, group.lastOffset + 1, producers, leaderEpoch);
      group.results.push(result(a));
      if (a.duplicate) continue;
      group.pieces.push({ batches, lastOffset: a.lastOffset, maxTimestamp: a.maxTimestamp });
      group.lastOffset = a.lastOffset;
    } catch (err) {
      if (!(err instanceof KafkaError)) throw err;
      group.results.push(err);
    }
  }
  return group;
}
