/** Shared test helpers for storage: temp dirs, a seeded PRNG, batch builders. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { encodeRecordBatch, decodeRecordBatches } from '../../src/protocol/record-batch.ts';

/** A fresh directory under os.tmpdir(), removed when the test ends. */
export function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-storage-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const T0 = 1_700_000_000_000;

/** A client batch of `count` records whose values are `v<first+i>` (offsets unset: 0). */
export function batch(first: number, count: number, valueBytes = 0, timestamp = T0 + first): Buffer {
  return encodeRecordBatch({
    timestamp,
    records: Array.from({ length: count }, (_, i) => ({
      key: `k${first + i}`,
      value: valueBytes > 0 ? `v${first + i}:`.padEnd(valueBytes, '.') : `v${first + i}`,
    })),
  });
}

/** [offset, value-prefix] of every record in a buffer of batches. */
export function offsetsAndValues(buf: Buffer): [number, string][] {
  const out: [number, string][] = [];
  for (const b of decodeRecordBatches(buf)) for (const r of b.records) out.push([r.offset, r.value!.toString().split(':')[0]!]);
  return out;
}
