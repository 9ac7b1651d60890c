import test from 'ava';
import { ConnectionPool, type Poolable } from '../../src/client/pool.ts';

class Fake implements Poolable {
  closed = false;
  constructor(readonly id: number, readonly address: string) {}
  close(): void {
    this.closed = true;
  }
}

function fakePool(size: number, failFirst = 0) {
  let n = 0;
  let failures = failFirst;
  const opened: string[] = [];
  const pool = new ConnectionPool<Fake>(async (host, port) => {
    if (failures-- > 0) throw new Error('refused');
    opened.push(`${host}:${port}`);
    return new Fake(n++, `${host}:${port}`);
  }, size);
  return { pool, opened };
}

test('connections to one broker are used round-robin, opened once each', async (t) => {
  const { pool, opened } = fakePool(3);
  const ids: number[] = [];
  for (let i = 0; i < 7; i++) ids.push((await pool.get('h:1')).id);
  t.deepEqual(ids, [0, 1, 2, 0, 1, 2, 0]);
  t.deepEqual(opened, ['h:1', 'h:1', 'h:1']);
});

test('each broker has its own slots and its own rotation', async (t) => {
  const { pool } = fakePool(2);
  const a1 = await pool.get('a:1');
  const b1 = await pool.get('b:2');
  const a2 = await pool.get('a:1');
  const a3 = await pool.get('a:1');
  t.is(b1.address, 'b:2');
  t.not(a1, a2);
  t.is(a3, a1);
});

test('concurrent first uses of a slot share one connect', async (t) => {
  const { pool, opened } = fakePool(1);
  const [x, y, z] = await Promise.all([pool.get('h:1'), pool.get('h:1'), pool.get('h:1')]);
  t.is(x, y);
  t.is(y, z);
  t.is(opened.length, 1);
});

test('a closed connection is replaced on its next use, and a failed connect is retried next time', async (t) => {
  const { pool } = fakePool(1, 1);
  await t.throwsAsync(pool.get('h:1'), { message: 'refused' });
  const c = await pool.get('h:1');
  c.close();
  const d = await pool.get('h:1');
  t.not(d, c);
  t.false(d.closed);
  t.is(await pool.get('h:1'), d);
});

test('close closes every connection and refuses new requests', async (t) => {
  const { pool } = fakePool(2);
  const a = await pool.get('h:1');
  const b = await pool.get('h:1');
  await pool.close();
  t.true(a.closed && b.closed);
  await t.throwsAsync(pool.get('h:1'), { message: /closed/ });
  t.throws(() => new ConnectionPool<Fake>(async () => new Fake(0, ''), 0), { instanceOf: RangeError });
});
