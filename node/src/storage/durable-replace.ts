/** Replacing a small state file so that a crash leaves the old contents or the new, never a torn mix. */
import * as fs from 'node:fs';

/** Writes `text` to `file` through `<file>.tmp`: written, fsynced, then renamed over `file`. */
export function replaceFileDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
