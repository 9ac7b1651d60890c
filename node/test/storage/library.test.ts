import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openLog } from '../../src/index.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { tempDir } from './helpers.ts';

test('createTopic, write and fetch, as the original vg:create_topic/write/fetch', async (t) => {
  const dataDir = tempDir(t);
  const log = await openLog({ dataDir });
  log.createTopic('my-topic');
  t.deepEqual(log.write('my-topic', ['a', Buffer.from('b')]), [0, 1]);
  t.deepEqual(log.write('my-topic', [{ key: 'k', value: 'c', headers: [{ key: 'h', value: 'v' }], timestamp: 123 }]), [2]);
  t.true(fs.existsSync(path.join(dataDir, 'my-topic-0', '00000000000000000000.log')));
  t.true(fs.existsSync(path.join(dataDir, 'my-topic-0', '00000000000000000000.index')));
  const all = log.fetch('my-topic');
  t.is(all.highWaterMark, 3);
  t.deepEqual(all.records.map((r) => r.value!.toString()), ['a', 'b', 'c']);
  const tail = log.fetch('my-topic', { offset: 1 });
  t.deepEqual(tail.records.map((r) => r.offset), [1, 2], 'records before the offset are skipped');
  t.is(tail.records[1]!.timestamp, 123);
  t.deepEqual(tail.records[1]!.headers, [{ key: 'h', value: Buffer.from('v') }]);
  t.is(log.fetch('my-topic', { offset: 3 }).records.length, 0);
  t.is(t.throws(() => log.fetch('my-topic', { offset: 4 }), { instanceOf: KafkaError }).codeName, 'OFFSET_OUT_OF_RANGE');
  t.is(t.throws(() => log.write('missing', ['x']), { instanceOf: KafkaError }).codeName, 'UNKNOWN_TOPIC_OR_PARTITION');
  log.close();

  const again = await openLog({ dataDir, compression: 'zstd' });
  t.deepEqual(again.write('my-topic', ['d', 'e']), [3, 4]);
  t.deepEqual(again.fetch('my-topic', { offset: 2 }).records.map((r) => r.value!.toString()), ['c', 'd', 'e']);
  again.close();
});

test('writes to several partitions are independent', async (t) => {
  const log = await openLog({ dataDir: tempDir(t) });
  log.createTopic('p', { partitions: 2 });
  t.deepEqual(log.write('p', ['x'], { partition: 1 }), [0]);
  t.deepEqual(log.write('p', ['y', 'z'], { partition: 1 }), [1, 2]);
  t.deepEqual(log.write('p', ['w']), [0]);
  t.is(log.fetch('p', { partition: 1 }).highWaterMark, 3);
  t.is(log.fetch('p').highWaterMark, 1);
  log.close();
});
