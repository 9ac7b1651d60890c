import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager } from '../../src/storage/log-manager.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { tempDir, batch, offsetsAndValues } from './helpers.ts';

test('invalid topic names are refused with a clear error and create nothing on disk', async (t) => {
  const root = tempDir(t);
  const dataDir = path.join(root, 'data');
  const logs = await LogManager.open({ dataDir });
  const before = fs.readdirSync(dataDir);
  for (const name of ['../x', 'a/b', '', 'x'.repeat(250), '.', '..', 'a b', 'naïve', '..\\x']) {
    const err = t.throws(() => logs.createTopic(name, { partitions: 2 }), { instanceOf: KafkaError }, JSON.stringify(name));
    t.is(err.codeName, 'INVALID_TOPIC_EXCEPTION');
    t.true(err.message.length > 10 && /topic name/.test(err.message), err.message);
  }
  t.deepEqual(fs.readdirSync(dataDir), before);
  t.deepEqual(fs.readdirSync(root), ['data'], 'nothing escaped the data dir');
  t.notThrows(() => logs.createTopic('x'.repeat(249)));
  t.notThrows(() => logs.createTopic('a.b_c-D9'));
  logs.close();
});

test('createTopic refuses bad partition counts and duplicates without touching the disk', async (t) => {
  const dataDir = tempDir(t);
  const logs = await LogManager.open({ dataDir });
  for (const partitions of [0, -1, 1.5, 10_001]) {
    const err = t.throws(() => logs.createTopic('t', { partitions }), { instanceOf: KafkaError });
    t.is(err.codeName, 'INVALID_PARTITIONS');
  }
  t.deepEqual(fs.readdirSync(dataDir), ['.lock'], 'only the lock');
  logs.createTopic('t', { partitions: 3 });
  t.deepEqual(fs.readdirSync(dataDir).sort(), ['.lock', 't-0', 't-1', 't-2']);
  t.deepEqual(fs.readdirSync(path.join(dataDir, 't-1')).sort(), ['00000000000000000000.index', '00000000000000000000.log', '00000000000000000000.timeindex', '00000000000000000000.txnindex', 'partition.metadata']);
  const err = t.throws(() => logs.createTopic('t', { partitions: 5 }), { instanceOf: KafkaError });
  t.is(err.codeName, 'TOPIC_ALREADY_EXISTS');
  t.deepEqual(fs.readdirSync(dataDir).sort(), ['.lock', 't-0', 't-1', 't-2']);
  logs.close();
});

test('topics, get, deleteTopic, and reopen after a clean close', async (t) => {
  const dataDir = tempDir(t);
  const logs = await LogManager.open({ dataDir });
  logs.createTopic('b', { partitions: 2 });
  logs.createTopic('a-1', { partitions: 1 }); // a dash in a topic name: dir "a-1-0"
  logs.get('b', 1)!.append(batch(0, 3));
  logs.get('a-1', 0)!.append(batch(0, 1));
  t.deepEqual(logs.topics(), [{ topic: 'a-1', partitions: 1 }, { topic: 'b', partitions: 2 }]);
  t.is(logs.get('b', 2), undefined);
  t.is(logs.get('nope', 0), undefined);
  t.is(t.throws(() => logs.require('nope', 0), { instanceOf: KafkaError }).codeName, 'UNKNOWN_TOPIC_OR_PARTITION');
  logs.close();
  t.true(fs.existsSync(path.join(dataDir, '.kafka_cleanshutdown')));

  const again = await LogManager.open({ dataDir });
  t.true(again.openedClean);
  t.false(fs.existsSync(path.join(dataDir, '.kafka_cleanshutdown')), 'marker removed while open');
  t.deepEqual(again.topics(), [{ topic: 'a-1', partitions: 1 }, { topic: 'b', partitions: 2 }]);
  t.deepEqual(offsetsAndValues(again.get('b', 1)!.read(0, { maxBytes: 1 << 20 }).records).map(([o]) => o), [0, 1, 2]);
  t.true(again.deleteTopic('b'));
  t.false(again.deleteTopic('b'));
  t.deepEqual(fs.readdirSync(dataDir).sort(), ['.lock', 'a-1-0']);
  again.ensureTopic('c', 2);
  again.ensureTopic('c', 3);
  t.is(again.get('c', 2)!.logEndOffset, 0);
  again.close();
});

test('an unclean shutdown (no marker) recovers every segment of every log', async (t) => {
  const dataDir = tempDir(t);
  const logs = await LogManager.open({ dataDir, segmentBytes: 2048 });
  logs.createTopic('t');
  const log = logs.get('t', 0)!;
  for (let i = 0; i < 30; i++) log.append(batch(i * 2, 2, 100));
  const bases = log.segmentBaseOffsets();
  logs.close();
  fs.rmSync(path.join(dataDir, '.kafka_cleanshutdown'));
  // Damage the first segment's index: only a full recovery (or its sanity check) repairs it.
  const idx = path.join(dataDir, 't-0', '00000000000000000000.index');
  fs.writeFileSync(idx, Buffer.alloc(fs.statSync(idx).size, 0xff));
  const again = await LogManager.open({ dataDir, segmentBytes: 2048 });
  t.false(again.openedClean);
  const reopened = again.get('t', 0)!;
  t.deepEqual(reopened.segmentBaseOffsets(), bases);
  t.is(reopened.logEndOffset, 60);
  t.deepEqual(offsetsAndValues(reopened.read(7, { maxBytes: 1 }).records).map(([o]) => o), [6, 7]);
  again.close();
});

test('the retention sweep runs across logs', async (t) => {
  const dataDir = tempDir(t);
  const logs = await LogManager.open({ dataDir, segmentBytes: 2048, retentionBytes: 4096, retentionMs: -1 });
  logs.createTopic('t', { partitions: 2 });
  for (let i = 0; i < 120; i++) logs.get('t', i % 2)!.append(batch(i, 2, 100));
  t.true(logs.deleteOldSegments() > 0);
  t.true(logs.get('t', 0)!.logStartOffset > 0 && logs.get('t', 1)!.logStartOffset > 0);
  const stop = logs.startRetention(10);
  stop();
  logs.close();
});

test('the retention sweep never touches internal topics (placement map, group offsets)', async (t) => {
  const dataDir = tempDir(t);
  const logs = await LogManager.open({ dataDir, segmentBytes: 2048, retentionBytes: 4096, retentionMs: -1 });
  logs.createTopic('__consumer_offsets', { partitions: 1 });
  logs.createTopic('user', { partitions: 1 });
  for (let i = 0; i < 60; i++) {
    logs.get('__consumer_offsets', 0)!.append(batch(i, 2, 100));
    logs.get('user', 0)!.append(batch(i, 2, 100));
  }
  t.true(logs.deleteOldSegments() > 0);
  t.true(logs.get('user', 0)!.logStartOffset > 0, 'user topics expire');
  t.is(logs.get('__consumer_offsets', 0)!.logStartOffset, 0, 'internal topics are kept whole');
  logs.close();
});
