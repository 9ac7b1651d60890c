/**
 * Opening a partition directory, Kafka's LogLoader: list its segments by base offset (removing index
 * files whose log is gone), open them, and recover the last one (every one after an unclean shutdown,
 * or any whose index is unusable). Damage in a segment cuts it there and drops every later segment:
 * offsets after a gap could not be served in order. An empty directory gets one empty segment at 0.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogSegment, type SegmentConfig } from './segment.ts';
import { recoverSegment } from './recovery.ts';
import { parseSegmentFileName, segmentFileName, LOG_SUFFIX } from './log-files.ts';
import type { StorageLogger } from './logger.ts';

/** The recovered segments of `dir`, oldest first (never empty). */
export function loadSegments(dir: string, segConfig: SegmentConfig, recoverAll: boolean, logger: StorageLogger): LogSegment[] {
  const bases: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    const parsed = parseSegmentFileName(name);
    if (parsed?.suffix === LOG_SUFFIX) bases.push(parsed.baseOffset);
    else if (parsed && parsed.suffix !== LOG_SUFFIX && !fs.existsSync(path.join(dir, segmentFileName(parsed.baseOffset, LOG_SUFFIX)))) {
      fs.rmSync(path.join(dir, name)); // an index without its log is useless
    }
  }
  bases.sort((a, b) => a - b);
  const segments = bases.map((base) => LogSegment.open(dir, base, segConfig));
  if (segments.length === 0) segments.push(LogSegment.create(dir, 0, segConfig));

  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const isLast = i === segments.length - 1;
    if (!recoverAll && !isLast && !seg.needsRecovery) continue;
    const result = recoverSegment(seg);
    if (result.truncatedBytes === 0) continue;
    logger.warn('truncated damaged segment tail', { dir, segment: seg.baseOffset, ...result });
    // Offsets after the damage cannot follow the kept ones: drop every later segment.
    for (const later of segments.splice(i + 1)) {
      logger.warn('deleting segment after damaged one', { dir, segment: later.baseOffset });
      later.delete();
    }
  }
  return segments;
}
