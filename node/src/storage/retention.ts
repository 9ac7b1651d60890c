/**
 * Kafka's time and size retention over one partition's segments: whole segments from the oldest, never
 * the active one and never one holding offsets at or above the bound (the high watermark; a chain passes
 * its committed bound, see ChainNode.retentionBound); by age (the segment's largest timestamp, or file
 * mtime when its batches carry none, older than retention.ms) and by size (while the log would still
 * exceed retention.bytes without the segment).
 */
import type { LogSegment } from './segment.ts';

/** Why each of the oldest segments goes, oldest first: as many reasons as segments retention deletes. */
export function retentionCuts(segments: readonly LogSegment[], opts: { retentionMs: number; retentionBytes: number; now: number; bound: number }): string[] {
  const cuts: string[] = [];
  // Segment i may go when the one after it starts at or below the bound (so the active one never does).
  const deletable = (i: number): LogSegment | null => {
    const next = segments[i + 1];
    return next !== undefined && next.baseOffset <= opts.bound ? segments[i]! : null;
  };
  if (opts.retentionMs >= 0) {
    for (let seg = deletable(cuts.length); seg !== null; seg = deletable(cuts.length)) {
      const ts = seg.largestTimestamp();
      if (opts.now - (ts > 0 ? ts : seg.lastModified()) <= opts.retentionMs) break;
      cuts.push(`older than retention.ms ${opts.retentionMs}`);
    }
  }
  if (opts.retentionBytes >= 0) {
    let excess = segments.reduce((n, s) => n + s.size, 0) - opts.retentionBytes;
    for (const s of segments.slice(0, cuts.length)) excess -= s.size;
    for (let seg = deletable(cuts.length); seg !== null && excess - seg.size >= 0; seg = deletable(cuts.length)) {
      excess -= seg.size;
      cuts.push(`log exceeds retention.bytes ${opts.retentionBytes}`);
    }
  }
  return cuts;
}
