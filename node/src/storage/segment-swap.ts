/**
 * Replacing a segment's `.log` with a cleaned copy, crash-safely, with Kafka's suffixes
 * (LogFileUtils.CLEANED_FILE_SUFFIX / SWAP_FILE_SUFFIX):
 *
 *   1. the cleaned bytes go to `<base>.log.cleaned` and are fsynced;
 *   2. `<base>.log.cleaned` is renamed to `<base>.log.swap`: from here the copy is complete;
 *   3. the segment's `.index` and `.timeindex` are removed (they describe the old bytes);
 *   4. `<base>.log.swap` is renamed over `<base>.log` (rename(2) is atomic) and the directory fsynced.
 *
 * A crash before 2 leaves a `.cleaned` file, which open discards (the old segment is whole). A crash
 * after 2 leaves a `.swap`, which open completes (steps 3 and 4). Either way the segment on disk is the
 * old one or the cleaned one, never a mix; the missing indexes make the segment recover on open, which
 * rebuilds them. Synchronous, like the rest of storage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, segmentFileName } from './log-files.ts';

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';

/** Steps 1-2: writes the cleaned `.log` beside the segment and marks it complete. Returns the `.swap` path. */
export function writeCleanedLog(dir: string, baseOffset: number, bytes: Buffer): string {
  const log = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
  const cleaned = log + CLEANED_SUFFIX;
  const fd = fs.openSync(cleaned, 'w');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(cleaned, log + SWAP_SUFFIX);
  return log + SWAP_SUFFIX;
}

/** Steps 3-4: puts a complete `.swap` in place of the segment's `.log`, dropping its stale indexes. */
export function installSwap(dir: string, baseOffset: number): void {
  const log = path.join(dir, segmentFileName(baseOffset, LOG_SUFFIX));
  fs.rmSync(path.join(dir, segmentFileName(baseOffset, INDEX_SUFFIX)), { force: true });
  fs.rmSync(path.join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)), { force: true });
  fs.renameSync(log + SWAP_SUFFIX, log);
  fsyncDir(dir);
}

/** On open: discards unfinished `.cleaned` files and completes every `.swap`; returns the bases swapped. */
export function finishSwaps(dir: string): number[] {
  const swapped: number[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(LOG_SUFFIX + CLEANED_SUFFIX)) {
      fs.rmSync(path.join(dir, name), { force: true });
    } else if (name.endsWith(LOG_SUFFIX + SWAP_SUFFIX)) {
      const base = Number(name.slice(0, name.length - LOG_SUFFIX.length - SWAP_SUFFIX.length));
      if (!Number.isSafeInteger(base)) continue;
      installSwap(dir, base);
      swapped.push(base);
    }
  }
  return swapped;
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
