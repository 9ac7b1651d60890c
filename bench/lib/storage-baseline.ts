/**
 * Baselines for the server benches, in this process with no network or protocol in between: the same
 * pre-encoded batches appended (and read back) through LogManager/PartitionLog directly, and the raw
 * disk itself, plain sequential pwrite/pread of the same buffers into one file.
 * What the server adds on top of these is what the server benches measure.
 */
import fs from 'node:fs';
import { LogManager } from '../../node/src/storage/log-manager.ts';
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

/** Reads all of `bench`-0 sequentially, `fetchBytes` per PartitionLog.read, as a Fetch handler would. */
export function readThroughStorage(logs: LogManager, fetchBytes: number, bar?: Progress): Throughput {
  const log = logs.get('bench', 0)!;
  let bytes = 0;
  const t = timed(log.size, () => {
    let offset = log.logStartOffset;
    while (offset < log.highWatermark) {
      const { records } = log.read(offset, { maxBytes: fetchBytes });
      let last = offset;
      for (const { position } of batchPositions(records)) last = position;
      offset = batchLastOffset(records, last) + 1;
      bytes += records.length;
      bar?.add(records.length);
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

/** Reads all of `file` sequentially, `readBytes` per fs.readSync into a new buffer, as a Fetch would. */
export function readRawFile(file: string, readBytes: number, bar?: Progress): Throughput {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    return timed(size, () => {
      for (let position = 0; position < size;) {
        const buf = Buffer.allocUnsafe(Math.min(readBytes, size - position));
        const n = fs.readSync(fd, buf, 0, buf.length, position);
        if (n === 0) throw new Error(`${file} ended at ${position} of ${size} bytes`);
        position += n;
        bar?.add(n);
      }
    });
  } finally {
    fs.closeSync(fd);
  }
}
