/**
 * Compression-threads benchmark: a topic with `compression.type` set (zstd by default) makes the head
 * recompress every uncompressed batch it receives; server/recompress-pool.ts does that on worker threads.
 * One multi-partition load (bench/lib/variant-load.ts) against three nodes per round:
 *
 *   inline      --compression-threads 0: recompression on the event loop
 *   threads x1  one worker thread
 *   threads x2  two worker threads
 *
 *   npm run bench:compression-threads -- [--codec zstd] [--mib 64] [--partitions 4] [--batch-kib 64]
 *                                        [--record 1024] [--connections 4] [--inflight 8] [--rounds 3] [--json]
 *
 * Ratios: x2 over x1 (target 1.6: throughput that grows with threads) and x1 over inline. With 2 cores
 * here the load generator takes part of one; the node's cores column says how much it got.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { runVariants, VARIANT_LOAD_ARGS, variantLine, variantLoadOf, type Variant } from './lib/variant-load.ts';

/** Target (issue 19): two workers reach 1.6x one on a multi-partition load. */
export const TARGET_RATIO = 1.6;
const TOPIC = 'bench-compression-threads';

const VARIANTS: Variant[] = [
  { name: 'inline', args: ['--compression-threads', '0'] },
  { name: 'threads x1', args: ['--compression-threads', '1'] },
  { name: 'threads x2', args: ['--compression-threads', '2'] },
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ...VARIANT_LOAD_ARGS, mib: { type: 'string', default: '64' }, codec: { type: 'string', default: 'zstd' } } });
  const o = variantLoadOf(TOPIC, values);
  const codec = values.codec;
  const summary = await runVariants(VARIANTS, {
    ...o,
    async setup(address) {
      const admin = new Kafka({ brokers: [address], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: o.partitions, configEntries: [{ name: 'compression.type', value: codec }] }] });
      } finally {
        await admin.disconnect();
      }
    },
  });
  const [inline, x1, x2] = summary as [typeof summary[0], typeof summary[0], typeof summary[0]];
  const ratios = { twoOverOne: x2.mibPerSec / x1.mibPerSec, oneOverInline: x1.mibPerSec / inline.mibPerSec };
  if (values.json) {
    console.log(JSON.stringify({ config: { ...o, codec, target: TARGET_RATIO }, summary, ...ratios }, null, 2));
    return;
  }
  console.log(`compression-threads bench: compression.type=${codec}, ${o.mib} MiB of uncompressed ${o.batchKib} KiB batches over ${o.partitions} partitions, acks=1, ${o.connections} connections x ${o.inflight} in flight, median of ${o.rounds} rounds, ${os.cpus().length} cores here`);
  for (const s of summary) console.log(variantLine(s));
  console.log(`  threads x2 / x1 throughput ${ratios.twoOverOne.toFixed(2)} (target ${TARGET_RATIO})  threads x1 / inline throughput ${ratios.oneOverInline.toFixed(2)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
