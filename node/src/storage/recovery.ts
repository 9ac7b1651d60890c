/**
 * Segment recovery, Kafka's LogSegment.recover: after a crash the tail of a `.log` may be torn (a batch
 * half written) or damaged, and the `.index` and `.timeindex` may be stale. Recovery walks the `.log` from its start (the
 * last point known clean: a segment is only ever appended to), keeps every batch that is whole, has
 * magic 2, a matching CRC-32C and offsets above its predecessor's, rebuilds both indexes from
 * those batches, and cuts the file at the first batch that fails. Nothing after damage is trusted, even
 * if it looks valid, because offsets after a gap could not be served in order.
 *
 * Which segments: the partition log recovers its last segment on every open, and every segment when the
 * data directory lacks the clean-shutdown marker (see log-files.ts and log-manager.ts).
 *
 * Concurrency: runs while the partition is being opened, before anyone can append or read.
 */
import { batchProblem, batchLastOffset, batchMaxTimestamp, batchBaseOffset, batchSize, LOG_OVERHEAD, walkBatches } from '../protocol/record-batch.ts';
import type { LogSegment } from './segment.ts';
import { FileWindow } from './file-window.ts';

/** Recovery reads the segment in windows of this size. */
const RECOVERY_WINDOW_BYTES = 1024 * 1024;

export interface RecoveryResult {
  /** Bytes of whole, valid batches kept. */
  validBytes: number;
  /** Bytes cut off the end of the `.log`. */
  truncatedBytes: number;
  /** Batches kept. */
  batches: number;
  /** Offset after the last kept batch. */
  nextOffset: number;
  /** Why the scan stopped early, or null if the whole file was valid. */
  problem: string | null;
}

/** Rebuilds `segment`'s index from its `.log`, cutting the log at the first torn or corrupt batch. */
export function recoverSegment(segment: LogSegment): RecoveryResult {
  const fileSize = segment.size;
  const window = new FileWindow(segment.file, fileSize, RECOVERY_WINDOW_BYTES);
  segment.resetIndex();

  let expectedOffset = segment.baseOffset;
  let batches = 0;
  let problem: string | null = null;

  // 1. Length: the walker stops where the file no longer holds the whole batch a length announces.
  const position = walkBatches(window, 0, fileSize, (pos, size, buf, at) => {
    // 2. Framing, magic and CRC-32C of the batch.
    const bad = batchProblem(buf, at, at + size);
    if (bad !== null) {
      problem = `batch at byte ${pos}: ${bad}`;
      return false;
    }
    // 3. Offsets rise past the previous batch (the base offset is outside the CRC). Gaps are legal:
    //    the log cleaner removes records and whole batches of a compacted topic.
    const base = batchBaseOffset(buf, at);
    if (base < expectedOffset) {
      problem = `batch at byte ${pos} has base offset ${base}, expected at least ${expectedOffset}`;
      return false;
    }
    // 4. Keep it: index it exactly as an append would have.
    const last = batchLastOffset(buf, at);
    segment.noteBatch(pos, size, last, batchMaxTimestamp(buf, at));
    expectedOffset = last + 1;
    batches++;
    return true;
  }, { whole: true });
  if (problem === null && position < fileSize) problem = tornTail(window, position, fileSize);

  // 5. Cut off whatever follows the last good batch.
  const truncatedBytes = fileSize - position;
  segment.truncateBytes(position, expectedOffset);
  // Kafka ends a recovered segment's time index with its largest timestamp, as a roll does.
  segment.onBecomeInactive();
  return { validBytes: position, truncatedBytes, batches, nextOffset: expectedOffset, problem };
}

/** Why the walk stopped at `position` before the file's end when every batch it saw was good. */
function tornTail(window: FileWindow, position: number, fileSize: number): string {
  const prefix = window.view(position, LOG_OVERHEAD);
  if (prefix === null) return `torn batch prefix at byte ${position}`;
  return `batch at byte ${position} announces ${batchSize(prefix.buf, prefix.at)} bytes, ${fileSize - position} remain`;
}
