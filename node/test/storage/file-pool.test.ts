/** The segment file descriptor budget: capped, least recently used closed first, reopened transparently. */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { FilePool } from '../../src/storage/file-pool.ts';
import { LogManager } from '../../src/storage/log-manager.ts';
import { batch, offsetsAndValues, tempDir } from './helpers.ts';

/** Descriptors this process has open now. */
/**
 * Descriptors this process holds on files under `dir`: the other tests of this file run concurrently in
 * the same process with their own files, and tsx opens files as it loads modules, so a count of every
 * descriptor (as this test did first) can move for reasons that are not the pool's.
 */
const openFds = (dir: string): number => fs.readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`);
  } catch {
    return false; // closed between the listing and the look
  }
}).length;

test('the pool never holds more than its cap and closes the least recently used file', (t) => {
  const dir = tempDir(t);
  const pool = new FilePool(3);
  const files = Array.from({ length: 5 }, (_, i) => pool.file(path.join(dir, `f${i}`), 'w+'));
  for (const f of files) f.use((fd) => fs.writeSync(fd, Buffer.from(f.path)));
  t.is(pool.openCount, 3);
  t.deepEqual(files.map((f) => f.isOpen), [false, false, true, true, true]);
  files[2]!.use(() => undefined); // now f3 is the least recently used
  files[0]!.use(() => undefined);
  t.deepEqual(files.map((f) => f.isOpen), [true, false, true, false, true]);
});

test('a reopened file is the same file: first flags create, later opens never truncate', (t) => {
  const dir = tempDir(t);
  const pool = new FilePool(2);
  const a = pool.file(path.join(dir, 'a'), 'wx+');
  a.use((fd) => fs.writeSync(fd, Buffer.from('hello'), 0, 5, 0));
  pool.file(path.join(dir, 'b'), 'w+').use(() => undefined);
  pool.file(path.join(dir, 'c'), 'w+').use(() => undefined);
  t.false(a.isOpen, 'evicted');
  a.use((fd) => fs.writeSync(fd, Buffer.from(' world'), 0, 6, 5));
  t.is(fs.readFileSync(path.join(dir, 'a'), 'utf8'), 'hello world');
});

test('a file in use is never closed under its caller, even when everything else is', (t) => {
  const dir = tempDir(t);
  const pool = new FilePool(2);
  const outer = pool.file(path.join(dir, 'outer'), 'w+');
  outer.use((fd) => {
    // Two more files while `outer` is pinned: the cap evicts the other one, never `outer`.
    pool.file(path.join(dir, 'x'), 'w+').use(() => undefined);
    pool.file(path.join(dir, 'y'), 'w+').use(() => undefined);
    t.true(outer.isOpen);
    fs.writeSync(fd, Buffer.from('still mine'));
  });
  t.is(fs.readFileSync(path.join(dir, 'outer'), 'utf8'), 'still mine');
  t.true(pool.openCount <= 2);
});

test('closeIdle closes only files unused for the idle time', (t) => {
  const dir = tempDir(t);
  const pool = new FilePool(10);
  const old = pool.file(path.join(dir, 'old'), 'w+');
  const fresh = pool.file(path.join(dir, 'fresh'), 'w+');
  old.use(() => undefined);
  fresh.use(() => undefined);
  old.lastUsed -= 5000;
  t.is(pool.closeIdle(1000), 1);
  t.false(old.isOpen);
  t.true(fresh.isOpen);
});

test('300 partitions under a budget of 16 descriptors: every write and read is right and the process holds no more', async (t) => {
  const dir = tempDir(t);
  const before = openFds(dir);
  const logs = await LogManager.open({ dataDir: dir, maxOpenFiles: 16, segmentBytes: 4096 });
  logs.createTopic('many', { partitions: 300 });
  for (let round = 0; round < 3; round++) {
    for (let p = 0; p < 300; p++) logs.require('many', p).append(batch(round * 10, 10, 200));
    const held = openFds(dir) - before;
    t.true(held > 0 && held <= 16, `round ${round}: ${held} descriptors`);
  }
  t.true(logs.files.openCount <= 16);
  for (const p of [0, 7, 150, 299]) {
    const log = logs.require('many', p);
    const got: [number, string][] = [];
    // Reads stay within one segment: walk them all.
    for (let at = 0; at < log.logEndOffset; at = got[got.length - 1]![0] + 1) got.push(...offsetsAndValues(log.read(at, { maxBytes: 1 << 20 }).records));
    t.deepEqual(got, Array.from({ length: 30 }, (_, i) => [i, `v${i}`] as [number, string]));
    t.true(logs.require('many', p).segmentCount > 1, 'several segments each');
  }
  logs.close();
  // Reopening after a crash (no clean-shutdown marker) recovers all 300 within the same budget.
  fs.rmSync(path.join(dir, '.kafka_cleanshutdown'));
  const again = await LogManager.open({ dataDir: dir, maxOpenFiles: 16 });
  t.true(openFds(dir) - before <= 16);
  t.is(again.require('many', 299).logEndOffset, 30);
  again.close();
  t.is(openFds(dir), before);
});

test('writes in flight on more files than the cap keep their descriptors; the pool is back under its cap once they land', async (t) => {
  const dir = tempDir(t);
  const pool = new FilePool(3);
  const files = Array.from({ length: 6 }, (_, i) => pool.file(path.join(dir, `f${i}`), 'w+'));
  const landing: (() => void)[] = [];
  const writes = files.map((f) => f.useAsync((fd) => new Promise<void>((resolve) => landing.push(() => {
    fs.writeSync(fd, Buffer.from(f.path)); // the descriptor is still open when the write runs
    resolve();
  }))));
  t.is(pool.openCount, 6, 'every pinned file stays open');
  // An explicit close of a pinned file waits for its write.
  files[0]!.close();
  t.true(files[0]!.isOpen);
  for (const land of landing) land();
  await Promise.all(writes);
  t.false(files[0]!.isOpen);
  t.true(pool.openCount <= 3, `${pool.openCount} open`);
  t.is(openFds(dir), pool.openCount);
  for (const f of files) t.is(fs.readFileSync(f.path, 'utf8'), f.path);
});
