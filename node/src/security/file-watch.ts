/**
 * Notices when files change: Kubernetes updates a mounted Secret by swapping a symlink, which inotify on
 * the file itself misses, so this polls stat() (fs.watchFile follows the link). Timers are unref'd:
 * watching never keeps a process alive.
 */
import fs from 'node:fs';

/** How often watched files are stat'ed. */
export const WATCH_INTERVAL_MS = 1000;

/** Calls `onChange` when any of `paths` changes (mtime, size or inode); returns a function that stops watching. */
export function watchFiles(paths: readonly string[], onChange: (path: string) => void, intervalMs = WATCH_INTERVAL_MS): () => void {
  const listeners = paths.map((p) => {
    const listener = (curr: fs.Stats, prev: fs.Stats): void => {
      if (curr.mtimeMs !== prev.mtimeMs || curr.size !== prev.size || curr.ino !== prev.ino) onChange(p);
    };
    fs.watchFile(p, { interval: intervalMs, persistent: false }, listener);
    return [p, listener] as const;
  });
  return () => {
    for (const [p, l] of listeners) fs.unwatchFile(p, l);
  };
}
