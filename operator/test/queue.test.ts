import test from 'ava';
import { WorkQueue, type Outcome } from '../src/queue.ts';
import { backoffDelay } from '../src/backoff.ts';
import { waitFor } from './helpers/wait.ts';

/** A promise the test resolves by hand, to hold a handler mid-flight. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((r) => { open = r; });
  return { promise, open };
}

test('duplicate keys queued before processing run once', async (t) => {
  const seen: string[] = [];
  const hold = gate();
  const q = new WorkQueue(async (key) => { await hold.promise; seen.push(key); return { kind: 'done' }; }, { workers: 1 });
  q.add('blocker');
  for (let i = 0; i < 5; i++) { q.add('a'); q.add('b'); }
  t.is(q.length, 2);
  hold.open();
  await q.idle();
  t.deepEqual(seen, ['blocker', 'a', 'b']);
});

test('one reconcile per key at a time; an add during processing runs once more afterwards', async (t) => {
  let concurrent = 0;
  let maxConcurrent = 0;
  let runs = 0;
  const hold = gate();
  const q = new WorkQueue(async () => {
    concurrent++; maxConcurrent = Math.max(maxConcurrent, concurrent); runs++;
    if (runs === 1) await hold.promise;
    concurrent--;
    return { kind: 'done' };
  }, { workers: 4 });
  q.add('k');
  await waitFor('first run started', () => runs === 1);
  q.add('k'); q.add('k'); q.add('k');
  hold.open();
  await q.idle();
  t.is(maxConcurrent, 1);
  t.is(runs, 2);
});

test('different keys run in parallel up to the worker count', async (t) => {
  let concurrent = 0;
  let maxConcurrent = 0;
  const hold = gate();
  const q = new WorkQueue(async () => {
    concurrent++; maxConcurrent = Math.max(maxConcurrent, concurrent);
    await hold.promise;
    concurrent--;
    return { kind: 'done' };
  }, { workers: 2 });
  q.add('a'); q.add('b'); q.add('c');
  await waitFor('two workers busy', () => concurrent === 2);
  t.is(q.length, 1);
  hold.open();
  await q.idle();
  t.is(maxConcurrent, 2);
});

test('failures retry with growing backoff and success resets the count', async (t) => {
  const times: number[] = [];
  const q = new WorkQueue(async (): Promise<Outcome> => {
    times.push(Date.now());
    return times.length < 4 ? { kind: 'retry', error: new Error('boom') } : { kind: 'done' };
  }, { workers: 1, backoff: { baseMs: 20, maxMs: 1000 } });
  q.add('k');
  await waitFor('four attempts', () => times.length === 4, 5000);
  await q.idle();
  const gaps = times.slice(1).map((x, i) => x - times[i]!);
  // 20, 40, 80 ms nominal; timers never fire early.
  t.true(gaps[0]! >= 19 && gaps[1]! >= 39 && gaps[2]! >= 79, `gaps ${gaps.join(',')}`);
  t.is(q.failureCount('k'), 0);
});

test('a thrown handler error is a retry, not a crash', async (t) => {
  let n = 0;
  const q = new WorkQueue(async (): Promise<Outcome> => { n++; if (n === 1) throw new Error('thrown'); return { kind: 'done' }; }, { backoff: { baseMs: 1, maxMs: 1 } });
  q.add('k');
  await waitFor('second attempt', () => n === 2);
  await q.idle();
  t.is(n, 2);
});

test('backoff doubles and caps', (t) => {
  const p = { baseMs: 100, maxMs: 1000 };
  t.deepEqual([0, 1, 2, 3, 4, 5, 60].map((f) => backoffDelay(p, f)), [0, 100, 200, 400, 800, 1000, 1000]);
});

test('shutdown waits for in-flight work and drops pending keys', async (t) => {
  const hold = gate();
  let finished = 0;
  const q = new WorkQueue(async () => { await hold.promise; finished++; return { kind: 'done' }; }, { workers: 1 });
  q.add('a'); q.add('b');
  await waitFor('a started', () => q.length === 1);
  const done = q.shutdown();
  hold.open();
  await done;
  t.is(finished, 1);
  q.add('c');
  t.is(q.length, 0);
});
