import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { HighWatermarks } from '../../src/chain/high-watermark.ts';

test('marks survive an unclean stop through the slot file even when the checkpoint is stale', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-hwm-'));
  const hw = HighWatermarks.load(dir);
  hw.advance('a', 0, 10);
  hw.checkpoint(dir);
  hw.advance('a', 0, 25);
  hw.advance('b', 3, 7);
  await new Promise((r) => setImmediate(r)); // the slots are written once per event-loop turn
  // No close(), no new checkpoint: as if the process had been killed here.
  const reloaded = HighWatermarks.load(dir);
  t.is(reloaded.get('a', 0), 25);
  t.is(reloaded.get('b', 3), 7);
  reloaded.remove('a', 0);
  reloaded.checkpoint(dir);
  reloaded.close();
  t.is(HighWatermarks.load(dir).get('a', 0), 0, 'a deleted topic created again starts from zero');
  fs.rmSync(dir, { recursive: true });
});

test('commit waiters resolve on advance and time out otherwise; marks never go backwards', async (t) => {
  const hw = new HighWatermarks();
  const waiting = hw.waitForCommit('t', 0, 4, 5000);
  t.false(hw.advance('t', 0, 0));
  t.true(hw.advance('t', 0, 5));
  t.true(await waiting);
  t.false(hw.advance('t', 0, 3));
  t.is(hw.get('t', 0), 5);
  t.false(await hw.waitForCommit('t', 0, 9, 20));
});
