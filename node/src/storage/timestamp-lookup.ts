/** ListOffsets by timestamp over a partition's segments (PartitionLog.offsetForTimestamp and offsetOfMaxTimestamp). */
import { batchBaseOffset, batchMaxTimestamp, decodeRecordBatch } from '../protocol/record-batch.ts';
import type { LogSegment } from './segment.ts';

  /**
   * The first offset whose record timestamp is >= `timestamp` (ListOffsets), or null if none: the first
   * segment whose largest timestamp reaches it, its time index and offset index to the batch, then the
   * one batch decoded (needs `initCompression()` for zstd).
   */
export function offsetForTimestamp(segments: readonly LogSegment[], startOffset: number, timestamp: number): { offset: number; timestamp: number } | null {
        for (const seg of segments) {
      const hit = seg.findBatchByTimestamp(timestamp);
      if (hit === null) continue;
      for (const rec of decodeRecordBatch(seg.read(hit.position, hit.size)).records) {
        if (rec.timestamp >= timestamp && rec.offset >= startOffset) return { offset: rec.offset, timestamp: rec.timestamp };
      }
    }
    return null;
  }

  /**
   * ListOffsets MAX_TIMESTAMP (KIP-734): the first record below `maxOffset` carrying the largest timestamp,
   * or null when there is none. Skips segments whose largest timestamp cannot win, then scans batch headers.
   */
export function offsetOfMaxTimestamp(segments: readonly LogSegment[], startOffset: number, maxOffset: number): { offset: number; timestamp: number } | null {
        // A holder, not a reassigned variable: the scan callback updates it.
    const best = { timestamp: Number.NEGATIVE_INFINITY, seg: null as LogSegment | null, position: 0, size: 0 };
    for (const seg of segments) {
      if (seg.baseOffset >= maxOffset) break;
      if (best.seg !== null && seg.largestTimestamp() <= best.timestamp) continue;
      seg.scanHeaders(0, (loc, buf, at) => {
        if (batchBaseOffset(buf, at) >= maxOffset) return false;
        const ts = batchMaxTimestamp(buf, at);
        if (ts > best.timestamp) Object.assign(best, { timestamp: ts, seg, position: loc.position, size: loc.size });
        return true;
      });
    }
    if (best.seg === null) return null;
    for (const rec of decodeRecordBatch(best.seg.read(best.position, best.size)).records) {
      if (rec.timestamp === best.timestamp && rec.offset >= startOffset && rec.offset < maxOffset) return { offset: rec.offset, timestamp: best.timestamp };
    }
    return null;
  }
