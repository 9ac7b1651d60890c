import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager } from '../../src/storage/log-manager.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { LOG_START_CHECKPOINT_FILE } from '../../src/storage/log-start-checkpoint.ts';
import { tempDir, batch, offsetsAndValues } from './helpers.ts';

test('deleteRecordsBefore moves the log start mid-segment, drops whole segments below it, and survives an unclean reopen', async (t) => {
  const dataDir = tempDir(t);
  let logs = await LogManager.open({ dataDir, segmentBytes: 200 });
  logs.createTopic('t', { partitions: 2 });
  const log = logs.get('t', 1)!;
  for (let i = 0; i < 10; i++) log.append(batch(i, 1, 40));
  const segmentsBefore = fs.readdirSync(path.join(dataDir, 't-1')).filter((f) => f.endsWith('.log')).length;
  t.true(segmentsBefore > 2, `${segmentsBefore} segments`);
  t.is(logs.deleteRecordsBefore('t', 1, 7), 7);
  t.is(log.logStartOffset, 7);
  t.true(fs.readdirSync(path.join(dataDir, 't-1')).filter((f) => f.endsWith('.log')).length < segmentsBefore, 'whole segments below the start are deleted');
  t.is(logs.deleteRecordsBefore('t', 1, 3), 7, 'the start never moves back');
  t.is(t.throws(() => log.read(6, { maxBytes: 1000 }), { instanceOf: KafkaError })!.codeName, 'OFFSET_OUT_OF_RANGE');
  t.is(t.throws(() => logs.deleteRecordsBefore('t', 1, 11), { instanceOf: KafkaError })!.codeName, 'OFFSET_OUT_OF_RANGE');
  t.deepEqual(fs.readFileSync(path.join(dataDir, LOG_START_CHECKPOINT_FILE), 'utf8'), '0\n2\nt 0 0\nt 1 7\n', "Kafka's checkpoint format");
  // The checkpoint above was written by deleteRecordsBefore itself; reopen as after a crash.
  logs.close();
  fs.rmSync(path.join(dataDir, '.kafka_cleanshutdown'));
  logs = await LogManager.open({ dataDir, segmentBytes: 200 });
  t.false(logs.openedClean);
  t.is(logs.get('t', 1)!.logStartOffset, 7);
  t.is(offsetsAndValues(logs.get('t', 1)!.read(7, { maxBytes: 10_000 }).records)[0]![0], 7);
  t.is(logs.get('t', 1)!.logEndOffset, 10);
  logs.close();
});
