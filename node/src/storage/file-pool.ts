/**
 * A bound on the file descriptors the storage engine holds. Every segment's `.log` and `.index` is a
 * PooledFile: opened on first use, kept open while used, and closed again when the pool needs the slot
 * for another file (least recently used first) or when it sat idle for longer than the idle timeout.
 * Kafka keeps every segment open and asks operators for a huge `ulimit -n`; with thousands of
 * partitions most of them idle, a fixed budget is kinder to the pod and costs one open(2) on the
 * rare access to a cold partition.
 *
 * Closing an fd loses nothing: writes are in the page cache and fsync(2) on a later fd of the same
 * file flushes them. Concurrency: synchronous use on one thread; a file is pinned only for the
 * duration of `use`, so a pinned file is never closed under its caller.
 */
import * as fs from 'node:fs';

/** Default cap on open segment files per log manager (each partition needs 2 while active). */
export const DEFAULT_MAX_OPEN_FILES = 4096;
/** Default time a file may sit unused before it is closed. */
export const DEFAULT_FILE_IDLE_MS = 10 * 60 * 1000;

export class FilePool {
  /** Open files in least-recently-used order (Map keeps insertion order; use moves a file last). */
  private readonly lru = new Map<PooledFile, true>();

  constructor(readonly maxOpen: number = DEFAULT_MAX_OPEN_FILES) {
    if (!(Number.isInteger(maxOpen) && maxOpen >= 2)) throw new Error(`max open files ${maxOpen} must be an integer >= 2`);
  }

  /** A file in this pool; `firstFlags` opens it the first time (e.g. 'wx+' to create), later opens use 'r+'. */
  file(path: string, firstFlags: string): PooledFile {
    return new PooledFile(this, path, firstFlags);
  }

  /** Descriptors open now. */
  get openCount(): number {
    return this.lru.size;
  }

  /** Closes files unused for `idleMs` or longer; returns how many. */
  closeIdle(idleMs: number, now = Date.now()): number {
    let closed = 0;
    for (const file of this.lru.keys()) {
      // LRU order: once one file is fresh enough, every later one is too.
      if (now - file.lastUsed < idleMs) break;
      if (file.closeIfUnpinned()) closed++;
    }
    return closed;
  }

  /** @internal a file was just used: it moves to the most recent end. */
  touched(file: PooledFile): void {
    this.lru.delete(file);
    this.lru.set(file, true);
  }

  /** @internal closes least recently used unpinned files while more than the cap are open. */
  trim(): void {
    if (this.lru.size <= this.maxOpen) return;
    for (const file of this.lru.keys()) {
      if (file.closeIfUnpinned() && this.lru.size <= this.maxOpen) return;
    }
  }

  /** @internal makes room for one more descriptor. */
  reserve(): void {
    if (this.lru.size < this.maxOpen) return;
    for (const file of this.lru.keys()) {
      if (file.closeIfUnpinned() && this.lru.size < this.maxOpen) return;
    }
    // Every open file is pinned (nested use deeper than the cap): go over rather than fail.
  }

  /** @internal */
  forget(file: PooledFile): void {
    this.lru.delete(file);
  }
}

export class PooledFile {
  private fd = -1;
  private pins = 0;
  private closeWhenUnpinned = false;
  private flags: string;
  /** Date.now() of the last use. */
  lastUsed = 0;

  constructor(private readonly pool: FilePool, readonly path: string, firstFlags: string) {
    this.flags = firstFlags;
  }

  /** Whether a descriptor is open now. */
  get isOpen(): boolean {
    return this.fd >= 0;
  }

  /** Runs `fn` with an open descriptor, opening the file if the pool closed it. */
  use<T>(fn: (fd: number) => T): T {
    if (this.fd < 0) {
      this.pool.reserve();
      this.fd = fs.openSync(this.path, this.flags);
      // Only the first open may create (or truncate): a reopen must find the same file.
      this.flags = 'r+';
    }
    this.lastUsed = Date.now();
    this.pool.touched(this);
    this.pins++;
    try {
      return fn(this.fd);
    } finally {
      this.unpin();
    }
  }

  /**
   * `use` for work that outlives the call (a write on libuv's thread pool): the file stays pinned, and
   * its descriptor open, until the promise settles.
   */
  async useAsync<T>(fn: (fd: number) => Promise<T>): Promise<T> {
    // `use` opens the file and pins it for the call; the extra pin lasts until `fn` settles.
    const fd = this.use((fd) => {
      this.pins++;
      return fd;
    });
    try {
      return await fn(fd);
    } finally {
      this.unpin();
    }
  }

  private unpin(): void {
    this.pins--;
    if (this.pins > 0) return;
    if (this.closeWhenUnpinned) this.close();
    // Writes in flight on many partitions at once pin more files than the cap allows (reserve goes over
    // rather than fail); the last of them to finish brings the pool back under it.
    else this.pool.trim();
  }

  /**
   * Closes the descriptor (the file can still be used: it reopens). While a `useAsync` holds it, the
   * close waits for that to finish: a pool thread may still be writing through the descriptor, and a
   * reused descriptor number would take its bytes.
   */
  close(): void {
    if (this.fd < 0) return;
    if (this.pins > 0) {
      this.closeWhenUnpinned = true;
      return;
    }
    this.closeWhenUnpinned = false;
    const fd = this.fd;
    this.fd = -1;
    this.pool.forget(this);
    fs.closeSync(fd);
  }

  /** @internal */
  closeIfUnpinned(): boolean {
    if (this.pins > 0) return false;
    this.close();
    return true;
  }
}
