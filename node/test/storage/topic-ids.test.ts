import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager } from '../../src/storage/log-manager.ts';
import { PARTITION_METADATA_FILE, readPartitionMetadata } from '../../src/storage/topic-ids.ts';
import { nameDerivedTopicId, randomTopicId, uuidToString } from '../../src/protocol/uuid.ts';
import { tempDir } from './helpers.ts';

const metadataOf = (dataDir: string, dir: string): string => fs.readFileSync(path.join(dataDir, dir, PARTITION_METADATA_FILE), 'utf8');

test('a created topic records one id in every partition directory, in Kafka\'s partition.metadata format', async (t) => {
  const dataDir = tempDir(t);
  const logs = await LogManager.open({ dataDir });
  logs.createTopic('orders', { partitions: 3 });
  const id = logs.topicId('orders')!;
  t.is(id.length, 16);
  for (const p of [0, 1, 2]) t.is(metadataOf(dataDir, `orders-${p}`), `version: 0\ntopic_id: ${uuidToString(id)}`);
  t.is(logs.topicById(id), 'orders');
  logs.createTopic('other');
  t.false(logs.topicId('other')!.equals(id), 'each topic gets its own id');
  logs.close();
});

test('ids survive a reopen, a given id is taken as is, and deleting then recreating a topic gives a new id', async (t) => {
  const dataDir = tempDir(t);
  const given = randomTopicId();
  let logs = await LogManager.open({ dataDir });
  logs.createTopic('a', { partitions: 2 });
  logs.createTopic('b', { topicId: given });
  const a = logs.topicId('a')!;
  logs.close();
  logs = await LogManager.open({ dataDir });
  t.deepEqual(logs.topicId('a'), a);
  t.deepEqual(logs.topicId('b'), given);
  logs.ensureTopic('a', 4);
  t.is(readPartitionMetadata(path.join(dataDir, 'a-3'))?.toString('hex'), a.toString('hex'), 'grown partitions get the topic\'s id');
  logs.deleteTopic('a');
  t.is(logs.topicById(a), undefined);
  logs.createTopic('a');
  t.false(logs.topicId('a')!.equals(a));
  logs.close();
});

test('a topic found without an id gets the id derived from its name on open, written to every partition; ensureTopic with an id replaces it', async (t) => {
  const dataDir = tempDir(t);
  let logs = await LogManager.open({ dataDir });
  logs.createTopic('old', { partitions: 2 });
  logs.close();
  // As a data directory written before topic ids: no partition.metadata anywhere.
  for (const p of [0, 1]) fs.rmSync(path.join(dataDir, `old-${p}`, PARTITION_METADATA_FILE));
  logs = await LogManager.open({ dataDir });
  const made = logs.topicId('old')!;
  t.deepEqual(made, nameDerivedTopicId('old'), 'what every other member holding the topic computes too');
  for (const p of [0, 1]) t.deepEqual(readPartitionMetadata(path.join(dataDir, `old-${p}`)), made);
  const headId = randomTopicId();
  logs.ensureTopic('old', 2, headId);
  t.deepEqual(logs.topicId('old'), headId);
  t.is(logs.topicById(made), undefined, 'the replaced id no longer names the topic');
  logs.close();
  logs = await LogManager.open({ dataDir });
  t.deepEqual(logs.topicId('old'), headId);
  logs.close();
});

test('a damaged partition.metadata reads as absent, and the topic takes the id its other partitions hold', async (t) => {
  const dataDir = tempDir(t);
  let logs = await LogManager.open({ dataDir });
  logs.createTopic('t', { partitions: 2 });
  const id = logs.topicId('t')!;
  logs.close();
  fs.writeFileSync(path.join(dataDir, 't-0', PARTITION_METADATA_FILE), 'version: 0\ntopic_id: garbage');
  t.is(readPartitionMetadata(path.join(dataDir, 't-0')), undefined);
  logs = await LogManager.open({ dataDir });
  t.deepEqual(logs.topicId('t'), id);
  t.deepEqual(readPartitionMetadata(path.join(dataDir, 't-0')), id, 'rewritten from its sibling');
  logs.close();
});
