/**
 * Notices when files change: Kubernetes updates a mounted Secret by swapping a symlink, which inotify on
 * the file itself misses, so this polls stat() (following the link). The first stat is taken before
 * watchFiles returns: fs.watchFile takes its own first stat asynchronously, so a change made right after
 * the watch started (a test's rewrite, or a Secret swapped during startup) became its baseline and was
 * never reported. The timer is unref'd: watching never keeps a process alive.
 */
import fs from 'node:fs';

/** How often watched files are stat'ed. */
export const WATCH_INTERVAL_MS = 1000;

type Seen = { mtimeMs: number; size: number; ino: number } | null;

function look(path: string): Seen {
  try {
    const s = fs.statSync(path);
    return { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino };
  } catch {
    return null; // missing for now (a Secret mid-swap): its return is a change
  }
}

/** Calls `onChange` when any of `paths` changes (mtime, size or inode); returns a function that stops watching. */
export function watchFiles(paths: readonly string[], onChange: (path: string) => void, intervalMs = WATCH_INTERVAL_MS): () => void {
  const seen = new Map(paths.map((p) => [p, look(p)]));
  const timer = setInterval(() => {
    for (const p of paths) {
      const before = seen.get(p) ?? null;
      const now = look(p);
      seen.set(p, now);
      if (now !== null && (before === null || now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino)) onChange(p);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
