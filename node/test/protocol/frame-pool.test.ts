import test from 'ava';
import { FRAME_POOL_MAX_BYTES, FRAME_POOL_MIN_BYTES, FramePool, isRecycledFrame } from '../../src/protocol/frame-pool.ts';

test('a released frame buffer is handed out again for a frame of the same size class, not before', (t) => {
  const pool = new FramePool();
  const a = pool.take(64 * 1024 + 100);
  t.is(a.length, 64 * 1024 + 100);
  t.true(isRecycledFrame(a));
  const b = pool.take(70 * 1024);
  t.not(b.buffer, a.buffer, 'in use: never handed out twice');
  pool.release(a);
  const c = pool.take(100 * 1024);
  t.is(c.buffer, a.buffer, 'same 128 KiB class: recycled');
  t.is(c.length, 100 * 1024);
  const d = pool.take(200 * 1024);
  t.not(d.buffer, a.buffer, 'another class gets its own buffer');
  t.is(pool.outstanding, 3);
});

test('releasing twice, or releasing a buffer the pool did not hand out, never lets two frames share a buffer', (t) => {
  const pool = new FramePool();
  const a = pool.take(32 * 1024);
  pool.release(a);
  pool.release(a);
  const x = pool.take(32 * 1024);
  const y = pool.take(32 * 1024);
  t.not(x.buffer, y.buffer);
  pool.release(Buffer.alloc(32 * 1024));
  t.is(pool.outstanding, 2);
});

test('small and huge frames get ordinary buffers', (t) => {
  const pool = new FramePool();
  const small = pool.take(FRAME_POOL_MIN_BYTES - 1);
  const huge = pool.take(FRAME_POOL_MAX_BYTES + 1);
  t.false(isRecycledFrame(small));
  t.false(isRecycledFrame(huge));
  t.is(pool.outstanding, 0);
});

test('a pool with a larger maxBytes (Fetch reads) recycles buffers up to it and no further', (t) => {
  const pool = new FramePool({ maxBytes: 4 * FRAME_POOL_MAX_BYTES });
  const big = pool.take(FRAME_POOL_MAX_BYTES + 1);
  t.true(isRecycledFrame(big));
  t.is(big.length, FRAME_POOL_MAX_BYTES + 1);
  pool.release(big.subarray(0, 10));
  t.is(pool.outstanding, 0);
  t.is(pool.take(2 * FRAME_POOL_MAX_BYTES).buffer, big.buffer);
  t.false(isRecycledFrame(pool.take(4 * FRAME_POOL_MAX_BYTES + 1)));
});

test('a retained frame is recycled only after its last holder releases it; retain refuses other buffers', (t) => {
  const pool = new FramePool();
  const a = pool.take(64 * 1024);
  t.true(pool.retain(a.subarray(100, 200)), 'a view of a held frame can be retained');
  pool.release(a);
  t.not(pool.take(64 * 1024).buffer, a.buffer, 'still held by the retainer: not handed out');
  pool.release(a.subarray(100, 200));
  t.is(pool.take(64 * 1024).buffer, a.buffer, 'last holder gone: recycled');
  t.false(pool.retain(Buffer.alloc(64 * 1024)), 'not from the pool');
  const b = pool.take(64 * 1024);
  pool.release(b);
  t.false(pool.retain(b), 'already released: the caller must copy');
});
