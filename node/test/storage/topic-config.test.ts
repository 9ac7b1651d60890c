import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager } from '../../src/storage/log-manager.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { KAFKA_TOPIC_DEFAULTS, configValueString, resolveTopicConfig, validateTopicConfigs, compacts, deletes } from '../../src/storage/topic-config.ts';
import { TOPIC_CONFIGS_FILE } from '../../src/storage/topic-config-store.ts';
import { tempDir } from './helpers.ts';

test('validation accepts Kafka spellings and refuses unknown keys and bad values with INVALID_CONFIG', (t) => {
  t.deepEqual(validateTopicConfigs([{ name: 'cleanup.policy', value: 'delete, compact' }, { name: 'retention.ms', value: '12345678' }]), { 'cleanup.policy': 'compact,delete', 'retention.ms': '12345678' });
  for (const [name, value] of [['no.such.key', '1'], ['retention.ms', 'soon'], ['retention.ms', '-2'], ['segment.bytes', '1'], ['cleanup.policy', 'shred'],
    ['message.timestamp.type', 'Now'], ['compression.type', 'brotli'], ['min.insync.replicas', '0'], ['retention.bytes', null]] as const) {
    const err = t.throws(() => validateTopicConfigs([{ name, value }]), { instanceOf: KafkaError }, `${name}=${value}`);
    t.is(err.codeName, 'INVALID_CONFIG');
  }
});

test('Kafka keys vonnegut does not act on are accepted with their types checked, stored and reported with Kafka defaults', (t) => {
  const stored = validateTopicConfigs([{ name: 'min.cleanable.dirty.ratio', value: '0.01' }, { name: 'max.compaction.lag.ms', value: '100' }, { name: 'flush.ms', value: '9223372036854775807' }, { name: 'preallocate', value: 'TRUE' }, { name: 'message.format.version', value: '0.10.0' }, { name: 'follower.replication.throttled.replicas', value: '' }]);
  t.deepEqual(stored, { 'min.cleanable.dirty.ratio': '0.01', 'max.compaction.lag.ms': '100', 'flush.ms': '9223372036854775807', preallocate: 'true', 'message.format.version': '0.10.0', 'follower.replication.throttled.replicas': '' });
  const effective = resolveTopicConfig(stored);
  t.is(configValueString(effective, 'max.compaction.lag.ms', stored), '100');
  t.is(configValueString(effective, 'file.delete.delay.ms', stored), '60000', 'an unset key reads as Kafka\'s default');
  for (const [name, value] of [['min.cleanable.dirty.ratio', '2'], ['flush.ms', '9223372036854775808'], ['preallocate', 'yes'], ['segment.index.bytes', '-1'], ['message.format.version', 'latest']] as const) {
    const err = t.throws(() => validateTopicConfigs([{ name, value }]), { instanceOf: KafkaError }, `${name}=${value}`);
    t.is(err.codeName, 'INVALID_CONFIG');
  }
});

test('a topic config resolves its overrides over the defaults', (t) => {
  const c = resolveTopicConfig({ 'cleanup.policy': 'compact', 'max.message.bytes': '2000' }, { ...KAFKA_TOPIC_DEFAULTS, retentionMs: 5 });
  t.is(c.cleanupPolicy, 'compact');
  t.is(c.maxMessageBytes, 2000);
  t.is(c.retentionMs, 5);
  t.true(compacts(c));
  t.false(deletes(c));
});

test('topic configs are set at creation, applied to the logs, durable across reopen and forgotten on delete', async (t) => {
  const dataDir = tempDir(t);
  let logs = await LogManager.open({ dataDir, retentionBytes: 1000 });
  const bad = t.throws(() => logs.createTopic('t', { partitions: 2, configs: { 'retention.ms': 'x' } }), { instanceOf: KafkaError });
  t.is(bad.codeName, 'INVALID_CONFIG');
  t.deepEqual(fs.readdirSync(dataDir), ['.lock'], 'a refused creation leaves nothing on disk but the lock');
  logs.createTopic('t', { partitions: 2, configs: { 'retention.ms': '12345678', 'segment.bytes': '4096' } });
  logs.createTopic('plain');
  t.is(logs.topicConfig('t').retentionMs, 12345678);
  t.is(logs.topicConfig('t').retentionBytes, 1000, 'the flag is the default');
  t.is(logs.get('t', 1)!.config.segmentBytes, 4096);
  t.is(logs.get('plain', 0)!.config.segmentBytes, KAFKA_TOPIC_DEFAULTS.segmentBytes);
  logs.setTopicConfig('t', { 'retention.bytes': '77' });
  t.is(logs.get('t', 0)!.config.retentionBytes, 77, 'applied live');
  t.is(logs.get('t', 0)!.config.segmentBytes, KAFKA_TOPIC_DEFAULTS.segmentBytes, 'a removed override falls back to the default');
  logs.close();

  logs = await LogManager.open({ dataDir, retentionBytes: 1000 });
  t.deepEqual(logs.topicOverrides('t'), { 'retention.bytes': '77' });
  t.is(logs.get('t', 1)!.config.retentionBytes, 77, 'reopened logs apply the stored config');
  logs.reconfigure({ retentionBytes: 5 });
  t.is(logs.get('t', 0)!.config.retentionBytes, 77, 'an override wins over a new default');
  t.is(logs.get('plain', 0)!.config.retentionBytes, 5);
  logs.deleteTopic('t');
  t.deepEqual(logs.topicOverrides('t'), {});
  t.false(fs.readFileSync(path.join(dataDir, TOPIC_CONFIGS_FILE), 'utf8').includes('"t"'));
  const missing = t.throws(() => logs.setTopicConfig('t', {}), { instanceOf: KafkaError });
  t.is(missing.codeName, 'UNKNOWN_TOPIC_OR_PARTITION');
  logs.close();
});
