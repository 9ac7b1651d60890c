/**
 * Storage-only baselines for the server benches: the same pre-encoded batches appended (and read back)
 * through LogManager/PartitionLog directly, in this process, with no network or protocol in between.
 * What the server adds on top of this is what the server benches measure.
 */
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
