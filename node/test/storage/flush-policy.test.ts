/**
 * Kafka's flush policy on the partition log: flush.messages fsyncs inside the append that reaches the
 * count, flush.ms on the log manager's timer. What fsync itself does to the disk is checked over the
 * wire with strace in e2e/flush-policy.test.ts; here the bookkeeping and the failure path.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import test from 'ava';
import { KafkaError } from '../../src/protocol/errors.ts';
import { LogManager } from '../../src/storage/log-manager.ts';
import { PartitionLog } from '../../src/storage/partition-log.ts';
import { FLUSH_NEVER } from '../../src/storage/log-config.ts';
import { waitFor } from '../../../e2e/lib/tools.ts';
import { batch, tempDir } from './helpers.ts';

test('flush.messages fsyncs in the append that reaches the count, not before', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t), flushMessages: 3 });
  log.append(batch(0, 1));
  log.append(batch(1, 1));
  t.is(log.unflushedMessages, 2);
  log.append(batch(2, 1));
  t.is(log.unflushedMessages, 0);
  // A batch larger than the threshold is flushed by its own append.
  log.append(batch(3, 5));
  t.is(log.unflushedMessages, 0);
  log.close();
});

test('without a flush policy nothing is fsynced until close', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t) });
  t.is(log.config.flushMessages, FLUSH_NEVER);
  for (let i = 0; i < 50; i++) log.append(batch(i * 2, 2));
  t.is(log.unflushedMessages, 100);
  log.close();
});

test('flushIfOlderThan flushes only once the oldest unflushed record has the age', (t) => {
  const log = PartitionLog.open({ dir: tempDir(t) });
  const before = Date.now();
  log.append(batch(0, 1));
  log.append(batch(1, 1));
  t.false(log.flushIfOlderThan(1000, before));
  t.is(log.unflushedMessages, 2);
  t.true(log.flushIfOlderThan(1000, Date.now() + 1000));
  t.is(log.unflushedMessages, 0);
  t.false(log.flushIfOlderThan(0), 'nothing left to flush');
  log.close();
});

test('replicated appends count toward flush.messages too', (t) => {
  const leader = PartitionLog.open({ dir: path.join(tempDir(t), 'leader') });
  const follower = PartitionLog.open({ dir: path.join(tempDir(t), 'follower'), flushMessages: 4 });
  leader.append(batch(0, 3));
  follower.appendReplicated(leader.read(0, { maxBytes: 1 << 20 }).records);
  t.is(follower.unflushedMessages, 3);
  leader.append(batch(3, 1));
  follower.appendReplicated(leader.read(3, { maxBytes: 1 << 20 }).records);
  t.is(follower.unflushedMessages, 0);
  leader.close();
  follower.close();
});

test('bad flush settings are INVALID_CONFIG', (t) => {
  for (const bad of [{ flushMessages: 0 }, { flushMessages: 1.5 }, { flushMs: -2 }, { flushMs: Number.NaN }]) {
    const err = t.throws(() => PartitionLog.open({ dir: tempDir(t), ...bad }), { instanceOf: KafkaError });
    t.is((err as KafkaError).codeName, 'INVALID_CONFIG', JSON.stringify(bad));
  }
});

test('the log manager flushes logs whose unflushed records reach flush.ms', async (t) => {
  const logs = await LogManager.open({ dataDir: tempDir(t), flushMs: 40 });
  logs.createTopic('a', { partitions: 2 });
  const stop = logs.startFlusher();
  t.teardown(() => {
    stop();
    logs.close();
  });
  logs.require('a', 0).append(batch(0, 2));
  logs.require('a', 1).append(batch(0, 1));
  t.is(logs.require('a', 0).unflushedMessages, 2);
  await waitFor('the flusher to fsync both partitions', () => (logs.require('a', 0).unflushedMessages === 0 && logs.require('a', 1).unflushedMessages === 0) || undefined, 5000, 10);
  t.pass();
});

test('an fsync failure (injected: fs.fsyncSync patched to throw EIO) undoes the append so a retry cannot duplicate it', (t) => {
  const dir = tempDir(t);
  const log = PartitionLog.open({ dir, flushMessages: 1 });
  log.append(batch(0, 2));
  const file = path.join(dir, '00000000000000000000.log');
  const sizeBefore = fs.statSync(file).size;
  const real = fs.fsyncSync;
  fs.fsyncSync = () => {
    throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  };
  syncBuiltinESMExports();
  try {
    const err = t.throws(() => log.append(batch(2, 3)));
    t.is((err as NodeJS.ErrnoException).code, 'EIO');
  } finally {
    fs.fsyncSync = real;
    syncBuiltinESMExports();
  }
  t.is(log.logEndOffset, 2);
  t.is(fs.statSync(file).size, sizeBefore);
  t.deepEqual(log.append(batch(2, 3)).baseOffset, 2);
  t.is(log.logEndOffset, 5);
  log.close();
});
