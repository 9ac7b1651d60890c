/**
 * The log cleaner for `cleanup.policy=compact` (and `compact,delete`), Kafka's LogCleaner in miniature:
 *
 *   1. Pick the cleanable segments: every inactive segment wholly below the committed bound (the same
 *      bound retention uses), so the active segment and anything a reader could not yet see stay as
 *      they are.
 *   2. Build the offset map: for every keyed record in them, the offset of the key's latest record.
 *   3. Rewrite each segment keeping a record when it is its key's latest (records without a key stay),
 *      and dropping a latest record that is a tombstone (null value) once its timestamp is older than
 *      `delete.retention.ms`, so consumers had that long to see the delete. Control batches stay whole.
 *      Kept records keep their offsets; a batch that lost records is re-encoded in Kafka's format with a
 *      fresh CRC-32C (record-batch.ts encodeRetainedBatch) and one that lost all is dropped.
 *   4. Swap the rewritten segment in through `.cleaned`/`.swap` files (segment-swap.ts).
 *
 * Unlike Kafka it keeps one output segment per input segment (no merging of small segments) and no
 * cleaner-offset checkpoint: a partition is cleaned again only when new segments became cleanable or a
 * kept tombstone may have expired (CleanerState).
 *
 * Cost: all work is synchronous storage calls in small steps, and the cleaner yields to the event loop
 * after every YIELD_EVERY_BYTES of log it reads, so a produce waits for at most one step. The swap
 * itself is one synchronous step, as appends are; segments the log lost meanwhile (retention) are
 * skipped, never resurrected.
 */
import { decodeRecordBatch, encodeRetainedBatch, type DecodedRecord } from '../protocol/record-batch.ts';
import type { PartitionLog } from './partition-log.ts';
import type { LogSegment, BatchLocation } from './segment.ts';

/** Kafka's `log.cleaner.backoff.ms` default: how long the cleaner sleeps between passes. */
export const DEFAULT_CLEANER_BACKOFF_MS = 15_000;
/** Bytes of log the cleaner reads before it yields to the event loop. */
export const YIELD_EVERY_BYTES = 256 * 1024;

export interface CleanParams {
  /** Exclusive committed bound: only segments wholly below it are cleaned. */
  upTo: number;
  now: number;
  deleteRetentionMs: number;
}

export interface CleanResult {
  segmentsRewritten: number;
  recordsRemoved: number;
  /** Exclusive end of what this pass looked at (the next pass needs new segments beyond it). */
  cleanedTo: number;
  /** Tombstones kept because they are younger than delete.retention.ms: a later pass may drop them. */
  tombstonesKept: number;
}

/** Per partition: what the last pass covered, so an unchanged partition is not cleaned again. */
export interface CleanerState {
  cleanedTo: number;
  tombstonesKept: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether a pass could change anything since `last`. */
export function needsCleaning(log: PartitionLog, upTo: number, last: CleanerState | undefined): boolean {
  const segments = log.cleanableSegments(upTo);
  if (segments.length === 0) return false;
  if (last === undefined || last.tombstonesKept > 0) return true;
  return cleanableEnd(log, segments) > last.cleanedTo;
}

/** One cleaning pass over a partition (see the file header). */
export async function cleanLog(log: PartitionLog, p: CleanParams): Promise<CleanResult> {
  const segments = log.cleanableSegments(p.upTo);
  const result: CleanResult = { segmentsRewritten: 0, recordsRemoved: 0, cleanedTo: cleanableEnd(log, segments), tombstonesKept: 0 };
  if (segments.length === 0) return result;

  const latest = new Map<string, number>();
  for (const seg of segments) {
    await forEachBatch(seg, (records) => {
      for (const r of records) if (r.key !== null) latest.set(r.key.toString('latin1'), r.offset);
    });
  }

  for (const seg of segments) {
    const parts: Buffer[] = [];
    let removed = 0;
    await forEachBatch(seg, (records, raw, header) => {
      const kept = records.filter((r) => {
        if (r.key === null) return true;
        if (latest.get(r.key.toString('latin1')) !== r.offset) return false;
        if (r.value !== null) return true;
        if (p.now - r.timestamp > p.deleteRetentionMs) return false;
        result.tombstonesKept++;
        return true;
      });
      removed += records.length - kept.length;
      if (kept.length === records.length) parts.push(raw);
      else if (kept.length > 0) parts.push(encodeRetainedBatch(header, kept));
    });
    if (removed === 0) continue;
    if (!log.replaceSegment(seg, Buffer.concat(parts))) continue;
    result.segmentsRewritten++;
    result.recordsRemoved += removed;
  }
  return result;
}

/** Exclusive end of the cleanable segments: the base of the segment after the last of them. */
function cleanableEnd(log: PartitionLog, segments: readonly LogSegment[]): number {
  if (segments.length === 0) return log.logStartOffset;
  const bases = log.segmentBaseOffsets();
  return bases[bases.indexOf(segments[segments.length - 1]!.baseOffset) + 1] ?? log.logEndOffset;
}

/**
 * Calls `visit` with every batch of a segment, decoded (control batches get an empty record list, so
 * they are always kept whole), yielding to the event loop every YIELD_EVERY_BYTES.
 */
async function forEachBatch(seg: LogSegment, visit: (records: DecodedRecord[], raw: Buffer, header: ReturnType<typeof decodeRecordBatch>['header']) => void): Promise<void> {
  const locations: BatchLocation[] = [];
  seg.scanHeaders(0, (loc) => {
    locations.push(loc);
    return true;
  });
  let sinceYield = 0;
  for (const loc of locations) {
    const raw = seg.read(loc.position, loc.size);
    const batch = decodeRecordBatch(raw);
    visit(batch.header.control ? [] : batch.records, raw, batch.header);
    sinceYield += loc.size;
    if (sinceYield >= YIELD_EVERY_BYTES) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
}
