import test from 'ava';
import { readRanges, type RawFetch } from '../../src/client/fetch.ts';

/**
 * Stand-in fetch answers (no broker): a log of `records` offsets, `per` per answer, high-water mark
 * `records`. Answers arrive only when the test releases them, so what is in flight can be counted.
 */
function fakeAnswers(records: number, per: number) {
  const asked: number[] = [];
  const waiting: { offset: number; resolve: (r: RawFetch) => void; reject: (e: Error) => void }[] = [];
  const ask = (offset: number): Promise<RawFetch> => {
    asked.push(offset);
    return new Promise((resolve, reject) => waiting.push({ offset, resolve, reject }));
  };
  const answer = (offset: number): RawFetch => ({ highWaterMark: records, records: null, offset, nextOffset: Math.min(records, offset + per) });
  /** Answers every request asked so far, oldest first. */
  const releaseAll = async (): Promise<void> => {
    for (const w of waiting.splice(0)) w.resolve(answer(w.offset));
    await new Promise((r) => setImmediate(r));
  };
  return { ask, asked, waiting, releaseAll };
}

test('stand-in answers: ranges come back in order up to the first answer\'s high-water mark, each asked once', async (t) => {
  const f = fakeAnswers(50, 10);
  const seen: number[] = [];
  const reading = (async () => {
    for await (const raw of readRanges(f.ask, 0, undefined)) seen.push(raw.offset);
  })();
  while (seen.length < 5) await f.releaseAll();
  await reading;
  t.deepEqual(seen, [0, 10, 20, 30, 40]);
  t.deepEqual(f.asked, [0, 10, 20, 30, 40]);
});

test('stand-in answers: at most `depth` answers run ahead of a caller that does not take them', async (t) => {
  const f = fakeAnswers(1000, 10);
  const it = readRanges(f.ask, 0, 1000, 2);
  const first = it.next();
  for (let i = 0; i < 5; i++) await f.releaseAll();
  t.is((await first).value!.offset, 0);
  // The caller holds answer 0: answers 10 and 20 arrived or are in flight, nothing further.
  t.deepEqual(f.asked, [0, 10, 20]);
  const second = it.next();
  for (let i = 0; i < 5; i++) await f.releaseAll();
  t.is((await second).value!.offset, 10);
  t.deepEqual(f.asked, [0, 10, 20, 30]);
  await it.return(undefined);
  for (let i = 0; i < 5; i++) await f.releaseAll();
  t.deepEqual(f.asked, [0, 10, 20, 30], 'nothing more is asked once the caller stops');
});

test('stand-in answers: endOffset bounds the ranges asked, and a failed fetch ends the read with its error', async (t) => {
  const f = fakeAnswers(1000, 10);
  const seen: number[] = [];
  const reading = (async () => {
    for await (const raw of readRanges(f.ask, 5, 30)) seen.push(raw.offset);
  })();
  while (seen.length < 3) await f.releaseAll();
  await reading;
  t.deepEqual(seen, [5, 15, 25]);
  t.deepEqual(f.asked, [5, 15, 25]);

  const g = fakeAnswers(1000, 10);
  const failing = (async () => {
    for await (const _ of readRanges(g.ask, 0, undefined)) { /* consume */ }
  })();
  await new Promise((r) => setImmediate(r));
  g.waiting.shift()!.reject(new Error('broker gone'));
  await t.throwsAsync(failing, { message: 'broker gone' });
});
