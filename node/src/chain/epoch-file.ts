/**
 * The chain epoch this node has seen, kept across restarts in `<dataDir>/chain-epoch` (one decimal
 * line, replaced atomically by rename) so a restarted node never goes back to an older epoch.
 */
import fs from 'node:fs';
import path from 'node:path';

const EPOCH_FILE = 'chain-epoch';

/** The stored epoch, or 0 when there is none (or it is unreadable). */
export function readEpoch(dataDir: string): number {
  try {
    const n = Number(fs.readFileSync(path.join(dataDir, EPOCH_FILE), 'utf8').trim());
    return Number.isInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** Stores the epoch (temp file + rename). */
export function writeEpoch(dataDir: string, epoch: number): void {
  const file = path.join(dataDir, EPOCH_FILE);
  fs.writeFileSync(`${file}.tmp`, `${epoch}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
