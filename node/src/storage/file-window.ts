/**
 * A read window over a file: hands out views of byte ranges, rereading only when a range falls outside
 * what it holds. Scans of batch headers and recovery walk a segment front to back through one of these,
 * so a scan costs one pread per window rather than one per batch.
 *
 * Concurrency: single-threaded use by the partition that owns the file.
 */
import * as fs from 'node:fs';
import type { PooledFile } from './file-pool.ts';

export class FileWindow {
  private buf: Buffer;
  private start = 0;
  private filled = 0;

  /** `end` is the file size to respect; `windowBytes` the usual read size. */
  constructor(private readonly file: PooledFile, private readonly end: number, private readonly windowBytes: number) {
    this.buf = Buffer.allocUnsafe(windowBytes);
  }

  /**
   * A buffer and index such that buf[at, at + length) are the file's bytes [position, position + length),
   * or null when the file ends before position + length.
   */
  view(position: number, length: number): { buf: Buffer; at: number } | null {
    if (position + length > this.end) return null;
    if (position >= this.start && position + length <= this.start + this.filled) {
      return { buf: this.buf, at: position - this.start };
    }
    const want = Math.min(Math.max(this.windowBytes, length), this.end - position);
    if (this.buf.length < want) this.buf = Buffer.allocUnsafe(want);
    const buf = this.buf;
    const got = this.file.use((fd) => readFully(fd, buf, want, position));
    this.start = position;
    this.filled = got;
    return got >= length ? { buf: this.buf, at: 0 } : null;
  }
}

/** preads until `length` bytes are in `buf` or the file ends; returns the count read. */
export function readFully(fd: number, buf: Buffer, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

/** pwrites all of `buf` at `position` (writeSync may write less than asked). */
export function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}

/**
 * Writes `bufs` back to back from `position` with pwritev (libuv splits at IOV_MAX and resumes short
 * writes); a single buffer goes through writeFully.
 */
export function writevFully(fd: number, bufs: readonly Buffer[], position: number): void {
  if (bufs.length === 1) return writeFully(fd, bufs[0]!, position);
  finishShortWrite(fd, bufs, position, fs.writevSync(fd, bufs as Buffer[], position));
}

/**
 * `writevFully` on libuv's thread pool: the pwritev (and its page-cache copy, the costly part) runs on
 * a pool thread while the event loop goes on; resolves once every byte is written.
 */
export function writevFullyAsync(fd: number, bufs: readonly Buffer[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.writev(fd, bufs as Buffer[], position, (err, done) => {
      if (err) return reject(err);
      try {
        finishShortWrite(fd, bufs, position, done);
        resolve();
      } catch (e) {
        reject(e);
      }
    });
  });
}

function finishShortWrite(fd: number, bufs: readonly Buffer[], position: number, done: number): void {
  let total = 0;
  for (const b of bufs) total += b.length;
  if (done === total) return;
  // Not expected (libuv loops until done or error), but never leave a gap: finish byte-wise.
  let skip = done;
  let at = position + done;
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    writeFully(fd, b.subarray(skip), at);
    at += b.length - skip;
    skip = 0;
  }
}
