/**
 * RecompressPool: recompression on real worker threads answers exactly what recompressBatches answers
 * inline (the same bytes, the same typed refusals), several requests at once; `inOrder` lets requests of
 * one partition through in the order they came whichever finishes first; jobs in flight when the workers
 * stop are finished inline.
 */
import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Compression, initCompression } from '../../src/protocol/compression.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { recompressBatches } from '../../src/protocol/recompress.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { RecompressPool } from '../../src/server/recompress-pool.ts';

test.before(async () => {
  await initCompression();
});

const batch = (i: number, compression: 'none' | 'gzip' = 'none') =>
  encodeRecordBatch({ records: Array.from({ length: 40 }, (_, r) => ({ key: `k${r}`, value: `request ${i} record ${r} `.repeat(30) })), compression, producerId: 9, producerEpoch: 0, baseSequence: i * 40 });

test('worker threads answer the bytes recompressBatches answers inline, many requests at once', async (t) => {
  const where: string[] = [];
  const pool = new RecompressPool(2, { done: (thread) => where.push(thread) });
  t.teardown(() => pool.close());
  const inputs = Array.from({ length: 24 }, (_, i) => batch(i, i % 3 === 0 ? 'gzip' : 'none'));
  for (const codec of [Compression.zstd, Compression.gzip, Compression.lz4]) {
    const out = await Promise.all(inputs.map((b) => pool.recompress(b, codec)));
    out.forEach((o, i) => t.deepEqual(o, recompressBatches(inputs[i]!, codec)));
  }
  // Nothing to change: the request's own buffer comes back.
  const zstd = recompressBatches(inputs[1]!, Compression.zstd);
  t.is(await pool.recompress(zstd, Compression.zstd), zstd);
  // Every answer came from a worker thread, none was redone inline.
  t.deepEqual(new Set(where), new Set(['worker']));
  t.is(where.length, 3 * inputs.length + 1);
  t.is(pool.broken, null);
});

test('workers that cannot start leave recompression inline, said once, and no produce fails', async (t) => {
  const reasons: string[] = [];
  const where: string[] = [];
  const pool = new RecompressPool(2, { broken: (why) => reasons.push(why), done: (thread) => where.push(thread) }, new URL('./no-such-worker.ts', import.meta.url));
  t.teardown(() => pool.close());
  const inputs = Array.from({ length: 6 }, (_, i) => batch(i));
  const out = await Promise.all(inputs.map((b) => pool.recompress(b, Compression.zstd)));
  out.forEach((o, i) => t.deepEqual(o, recompressBatches(inputs[i]!, Compression.zstd)));
  t.deepEqual(await pool.recompress(inputs[0]!, Compression.lz4), recompressBatches(inputs[0]!, Compression.lz4));
  t.is(reasons.length, 1);
  t.regex(reasons[0]!, /could not start/);
  t.is(where.filter((w) => w === 'worker').length, 0);
  t.is(where.length, inputs.length + 1, 'every request recompressed on the event loop');
});

test('a corrupt batch is refused with the same typed error as inline', async (t) => {
  const pool = new RecompressPool(1);
  t.teardown(() => pool.close());
  const bad = Buffer.from(batch(1));
  bad[bad.length - 1]! ^= 0xff;
  const err = await t.throwsAsync(pool.recompress(bad, Compression.zstd), { instanceOf: KafkaError });
  t.is(err?.codeName, 'CORRUPT_MESSAGE');
  const inline = new RecompressPool(0);
  t.is((await t.throwsAsync(inline.recompress(bad, Compression.zstd), { instanceOf: KafkaError }))?.codeName, 'CORRUPT_MESSAGE');
});

test('inOrder runs a partition\'s steps in arrival order whichever input is ready first; other partitions do not wait', async (t) => {
  const pool = new RecompressPool(0);
  const ran: string[] = [];
  const gate = (): { promise: Promise<Buffer>; open: () => void } => {
    let open!: () => void;
    const promise = new Promise<Buffer>((r) => (open = () => r(Buffer.alloc(0))));
    return { promise, open };
  };
  const [a, b, c] = [gate(), gate(), gate()];
  const step = (name: string) => async () => {
    ran.push(name);
    return name;
  };
  const first = pool.inOrder('p0', a.promise, step('a'));
  const second = pool.inOrder('p0', b.promise, step('b'));
  const other = pool.inOrder('p1', c.promise, step('c'));
  t.false(pool.idle, 'requests wait for their turn');
  b.open();
  c.open();
  await other;
  await nextTurn();
  t.deepEqual(ran, ['c'], 'b waits for a; p1 does not');
  a.open();
  t.deepEqual(await Promise.all([first, second]), ['a', 'b']);
  t.deepEqual(ran, ['c', 'a', 'b']);
  await nextTurn();
  t.true(pool.idle, 'every partition is free once its queue ran');
});

test('a failed input does not hold up the partition\'s later requests', async (t) => {
  const pool = new RecompressPool(0);
  const failed = pool.inOrder('p0', Promise.reject(new KafkaError('CORRUPT_MESSAGE', 'bad')), async () => 'never');
  const next = pool.inOrder('p0', Promise.resolve(Buffer.alloc(0)), async () => 'ran');
  await t.throwsAsync(failed, { instanceOf: KafkaError });
  t.is(await next, 'ran');
});

test('jobs in flight when the workers stop are finished inline', async (t) => {
  const pool = new RecompressPool(2);
  const inputs = Array.from({ length: 16 }, (_, i) => batch(i));
  const jobs = inputs.map((b) => pool.recompress(b, Compression.gzip));
  await pool.close();
  const out = await Promise.all(jobs);
  out.forEach((o, i) => t.deepEqual(o, recompressBatches(inputs[i]!, Compression.gzip)));
  t.is(pool.broken, null, 'stopped, not broken');
  // Once stopped, the next job starts a fresh worker.
  t.deepEqual(await pool.recompress(inputs[0]!, Compression.lz4), recompressBatches(inputs[0]!, Compression.lz4));
  await pool.close();
});
