/**
 * Write-threads benchmark: where a node writes produced batches to its segments (server/log-writes.ts),
 * and with how many threads, on a multi-partition load (bench/lib/variant-load.ts):
 *
 *   event-loop        --log-writes event-loop (the default): one synchronous pwritev per partition group
 *   thread-pool x1    --log-writes thread-pool, UV_THREADPOOL_SIZE=1: groups of 256 KiB+ on one pool thread
 *   thread-pool x2    the same with two pool threads (two partitions' groups written at once)
 *
 *   npm run bench:write-threads -- [--mib 128] [--partitions 4] [--batch-kib 64] [--record 1024]
 *                                  [--connections 4] [--inflight 8] [--rounds 3] [--json]
 *
 * Ratios: x2 over x1 (does a second write thread add throughput?) and thread-pool x1 over event-loop.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runVariants, VARIANT_LOAD_ARGS, variantLine, variantLoadOf, type Variant } from './lib/variant-load.ts';

/** Target (issue 19): two threads reach 1.6x one on a multi-partition load. */
export const TARGET_RATIO = 1.6;

const VARIANTS: Variant[] = [
  { name: 'event-loop', env: { VONNEGUT_LOG_WRITES: 'event-loop' } },
  { name: 'thread-pool x1', env: { VONNEGUT_LOG_WRITES: 'thread-pool', UV_THREADPOOL_SIZE: '1' } },
  { name: 'thread-pool x2', env: { VONNEGUT_LOG_WRITES: 'thread-pool', UV_THREADPOOL_SIZE: '2' } },
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: VARIANT_LOAD_ARGS });
  const o = variantLoadOf('bench-write-threads', values);
  const summary = await runVariants(VARIANTS, o);
  const [loop, x1, x2] = summary as [typeof summary[0], typeof summary[0], typeof summary[0]];
  const ratios = { twoOverOne: x2.mibPerSec / x1.mibPerSec, poolOverLoop: x1.mibPerSec / loop.mibPerSec, p99PoolOverLoop: x1.p99Ms / loop.p99Ms };
  if (values.json) {
    console.log(JSON.stringify({ config: { ...o, target: TARGET_RATIO }, summary, ...ratios }, null, 2));
    return;
  }
  console.log(`write-threads bench: ${o.mib} MiB of ${o.batchKib} KiB batches over ${o.partitions} partitions, acks=1, ${o.connections} connections x ${o.inflight} in flight, median of ${o.rounds} rounds, ${os.cpus().length} cores here`);
  for (const s of summary) console.log(variantLine(s));
  console.log(`  thread-pool x2 / x1 throughput ${ratios.twoOverOne.toFixed(2)} (target ${TARGET_RATIO})  thread-pool x1 / event-loop throughput ${ratios.poolOverLoop.toFixed(2)}, p99 ${ratios.p99PoolOverLoop.toFixed(2)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
