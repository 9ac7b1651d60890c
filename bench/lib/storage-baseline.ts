/**
 * Baselines for the server benches, in this process with no network or protocol in between: the same
 * pre-encoded batches appended (and read back) through LogManager/PartitionLog directly, and the raw
 * disk itself, plain sequential pwrite/pread of the same buffers into one file.
 * What the server adds on top of these is what the server benches measure.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { LogManager } from '../../node/src/storage/log-manager.ts';
import { FramePool } from '../../node/src/protocol/frame-pool.ts';
import { batchLastOffset, batchPositions } from '../../node/src/protocol/record-batch.ts';
import { timed, type Throughput } from './measure.ts';
import type { Progress } from './progress.ts';

/** Appends `count` batches cycling through `pool` to topic `bench` partition 0 of a log under `dir`. */
export async function appendThroughStorage(dir: string, pool: Buffer[], count: number, bar?: Progress): Promise<{ t: Throughput; logs: LogManager }> {
  const logs = await LogManager.open({ dataDir: dir });
  logs.createTopic('bench');
  const log = logs.get('bench', 0)!;
  const t = timed(count * pool[0]!.length, () => {
    for (let i = 0; i < count; i++) {
      const buf = pool[i % pool.length]!;
      log.append(buf);
      bar?.add(buf.length);
    }
  });
  return { t, logs };
}

/**
 * Reads all of `bench`-0 sequentially, `fetchBytes` per PartitionLog.read, as a Fetch handler would:
 * into recycled buffers, each given back once its bytes are handled (the handler's go back once the
 * socket has taken them).
 */
export function readThroughStorage(logs: LogManager, fetchBytes: number, bar?: Progress): Throughput {
  const log = logs.get('bench', 0)!;
  const pool = new FramePool({ maxBytes: 8 * 1024 * 1024 });
  const alloc = (size: number): Buffer => pool.take(size);
  let bytes = 0;
  const t = timed(log.size, () => {
    let offset = log.logStartOffset;
    while (offset < log.highWatermark) {
      const { records } = log.read(offset, { maxBytes: fetchBytes, alloc });
      let last = offset;
      for (const { position } of batchPositions(records)) last = position;
      offset = batchLastOffset(records, last) + 1;
      bytes += records.length;
      bar?.add(records.length);
      pool.release(records);
    }
  });
  if (bytes !== log.size) throw new Error(`read ${bytes} bytes of ${log.size}`);
  return t;
}

/**
 * Writes `count` buffers cycling through `pool` into a new `file` with fs.writeSync at explicit positions
 * (the pwrite the log makes): the disk's sequential append speed. With `fsync` the timing ends with one.
 */
export function appendRawFile(file: string, pool: Buffer[], count: number, opts: { fsync?: boolean; bar?: Progress } = {}): Throughput {
  const fd = fs.openSync(file, 'w+');
  try {
    return timed(count * pool[0]!.length, () => {
      let position = 0;
      for (let i = 0; i < count; i++) {
        const buf = pool[i % pool.length]!;
        let done = 0;
        while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
        position += buf.length;
        opts.bar?.add(buf.length);
      }
      if (opts.fsync) fs.fsyncSync(fd);
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads all of `file` sequentially, `readBytes` per fs.readSync into one reused buffer (as `dd bs=1M`
 * does): the page cache's (or the disk's) own read speed. A new buffer per read is not a baseline: a
 * fresh 1 MiB buffer is its own mmap, page-faulted in by the read and unmapped after, which cost 4-10x
 * the copy itself on this VM (338-1505 MiB/s against 3.3-4.3 GiB/s reused, warm, back to back).
 */
export function readRawFile(file: string, readBytes: number, bar?: Progress): Throughput {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.min(readBytes, size));
    return timed(size, () => {
      for (let position = 0; position < size;) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - position), position);
        if (n === 0) throw new Error(`${file} ended at ${position} of ${size} bytes`);
        position += n;
        bar?.add(n);
      }
    });
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Drops `files` from the page cache (fsync first: dirty pages cannot be dropped), through dd's
 * `iflag=nocache count=0`, which is posix_fadvise(POSIX_FADV_DONTNEED) on the whole file: only these
 * files leave the cache, not other people's on a shared machine.
 */
export function dropFileCache(files: string[]): void {
  for (const file of files) {
    const fd = fs.openSync(file, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
}

/** Raw sequential reads of `files` (fs.readSync, `readBytes` each): warm = from the page cache, cold = after dropping it. */
export interface RawReadBaseline {
  warm: Throughput;
  cold: Throughput;
}

/**
 * The raw-read baseline every read bench uses: the same files read cold (dropped from the page cache
 * first, so from the disk) and warm (read once untimed, then timed from the page cache).
 */
export function rawReadBaseline(files: string[], readBytes: number): RawReadBaseline {
  const readAll = (): Throughput => {
    const parts = files.map((f) => readRawFile(f, readBytes));
    const bytes = parts.reduce((n, t) => n + t.bytes, 0);
    const seconds = parts.reduce((n, t) => n + t.seconds, 0);
    const cpuMs = parts.reduce((n, t) => n + t.cpuMsPerMiB * (t.bytes / (1024 * 1024)), 0);
    return { bytes, seconds, mibPerSec: bytes / (1024 * 1024) / seconds, cpuMsPerMiB: cpuMs / (bytes / (1024 * 1024)) };
  };
  dropFileCache(files);
  const cold = readAll();
  readAll();
  const warm = readAll();
  return { warm, cold };
}
