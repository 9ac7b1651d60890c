/**
 * The data directory itself: made usable (or refused with the path and the reason) and locked for one
 * process, as Kafka locks its log dirs with `.lock`.
 *
 *   <dataDir>/.lock    the pid of the process holding the directory (for the refusal message only)
 *
 * The lock proper is a Linux abstract unix socket named after the directory's device and inode. Binding
 * one is exclusive across every process of the network namespace, and the kernel drops it when its holder
 * exits in any way (kill -9 included), so there is never a stale lock to break, and two paths to the same
 * directory (symlinks, `./data` vs its absolute path) map to one lock. Node has no flock(2); an npm flock
 * binding needs a native install script, and a pid file alone cannot tell a live holder from a reused pid.
 * The lock cannot see a process in another network namespace (another container on a shared volume);
 * Kubernetes' ReadWriteOnce volumes keep those apart.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

/** The pid file beside the lock. */
export const LOCK_FILE = '.lock';

/** A data directory that cannot be used, or is held by another process. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * Makes `dataDir` (and missing parents) and checks that files can be written in it; throws a
 * DataDirError naming the path and the reason.
 * mkdir is done one level at a time because `fs.mkdirSync(..., {recursive: true})` loops forever
 * under /proc.
 */
export function prepareDataDir(dataDir: string): void {
  const missing: string[] = [];
  let dir = path.resolve(dataDir);
  for (;;) {
    let st: fs.Stats;
    try {
      st = fs.statSync(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a parent is a file; walking up reports which one.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw refusal(dataDir, dir, err);
      missing.unshift(dir);
      const parent = path.dirname(dir);
      if (parent === dir) throw refusal(dataDir, dir, err);
      dir = parent;
      continue;
    }
    if (!st.isDirectory()) throw new DataDirError(`data directory ${dataDir} is unusable: ${dir} is not a directory`);
    break;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw refusal(dataDir, d, err, 'cannot create');
    }
  }
  checkWritable(dataDir);
}

/** Throws a DataDirError unless a file can be written (and removed) in `dataDir`. */
export function checkWritable(dataDir: string): void {
  const probe = path.join(dataDir, '.write-probe');
  try {
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
  } catch (err) {
    throw new DataDirError(`data directory ${dataDir} is not writable: ${(err as Error).message}`);
  }
}

function refusal(dataDir: string, at: string, err: unknown, verb = 'cannot use'): DataDirError {
  const e = err as NodeJS.ErrnoException;
  const reason = e.code === 'ENOENT' ? `${path.dirname(at)} does not allow creating ${path.basename(at)}` : e.message;
  return new DataDirError(`data directory ${dataDir} is unusable: ${verb} ${at}: ${reason}`);
}

/** Held until release(); another holder of the same directory cannot exist meanwhile. */
export interface DataDirLock {
  release(): void;
}

/**
 * Takes the exclusive lock on `dataDir` (which must exist), or throws a DataDirError naming the
 * holder's pid. Never waits: a second opener fails at once.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  // Abstract sockets are Linux's; elsewhere (a developer's macOS) the directory goes unlocked.
  if (process.platform !== 'linux') return { release() {} };
  const st = fs.statSync(dataDir);
  const name = `\0vonnegut-data-dir-${st.dev}-${st.ino}`;
  const pidFile = path.join(dataDir, LOCK_FILE);
  const server = net.createServer((sock) => sock.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') return reject(new DataDirError(`cannot lock data directory ${dataDir}: ${err.message}`));
      reject(new DataDirError(`data directory ${dataDir} is in use by ${holder(pidFile)}; one process per data directory`));
    });
    server.listen(name, () => resolve());
  });
  // The lock must not keep an otherwise finished process alive.
  server.unref();
  fs.writeFileSync(pidFile, `${process.pid}\n`);
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      server.close();
    },
  };
}

function holder(pidFile: string): string {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) return pid === process.pid ? `this process (pid ${pid})` : `pid ${pid}`;
  } catch {
    // The holder has not written its pid yet.
  }
  return 'another process';
}
