import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigOperation } from '../../src/protocol/apis/alter-configs.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { BROKER_CONFIGS_FILE, DynamicBrokerConfig, validateBrokerConfigEntry } from '../../src/server/broker-config.ts';
import { BROKER_RULES, applyIncremental, replaceOverrides } from '../../src/server/handlers/alter-configs.ts';
import { KAFKA_TOPIC_DEFAULTS, type TopicConfig } from '../../src/storage/topic-config.ts';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-broker-config-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('dynamic broker keys are validated: static keys INVALID_REQUEST, unknown keys and bad values INVALID_CONFIG', (t) => {
  t.is(validateBrokerConfigEntry('log.retention.ms', ' 60000'), '60000');
  t.is(validateBrokerConfigEntry('log.cleanup.policy', 'delete, compact'), 'compact,delete');
  t.is(validateBrokerConfigEntry('sasl.kerberos.min.time.before.relogin', '58000'), '58000');
  t.is(validateBrokerConfigEntry('background.threads', '9'), '9');
  const cases: [string, string | null, 'INVALID_REQUEST' | 'INVALID_CONFIG'][] = [
    ['broker.id', '7', 'INVALID_REQUEST'],
    ['num.partitions', '3', 'INVALID_REQUEST'],
    ['no.such.key', '1', 'INVALID_CONFIG'],
    ['log.retention.ms', 'soon', 'INVALID_CONFIG'],
    ['log.segment.bytes', '1', 'INVALID_CONFIG'],
    ['log.cleanup.policy', 'shred', 'INVALID_CONFIG'],
    ['background.threads', '-1', 'INVALID_CONFIG'],
    ['background.threads', '99999999999', 'INVALID_CONFIG'],
    ['sasl.kerberos.ticket.renew.jitter', 'x', 'INVALID_CONFIG'],
    ['log.retention.bytes', null, 'INVALID_CONFIG'],
  ];
  for (const [name, value, code] of cases) {
    const err = t.throws(() => validateBrokerConfigEntry(name, value), { instanceOf: KafkaError }, `${name}=${String(value)}`);
    t.is(err.codeName, code, `${name}=${String(value)}`);
  }
});

test('IncrementalAlterConfigs on broker keys: SET, APPEND and SUBTRACT over the static value, DELETE, refusals', (t) => {
  const staticOf = (name: string) => (name === 'log.cleanup.policy' ? 'delete' : '');
  const set = applyIncremental({}, [
    { name: 'background.threads', operation: ConfigOperation.SET, value: '9' },
    { name: 'log.cleanup.policy', operation: ConfigOperation.APPEND, value: 'compact' },
  ], staticOf, BROKER_RULES);
  t.deepEqual(set, { 'background.threads': '9', 'log.cleanup.policy': 'compact,delete' });
  const back = applyIncremental(set, [
    { name: 'background.threads', operation: ConfigOperation.DELETE, value: '' },
    { name: 'log.cleanup.policy', operation: ConfigOperation.SUBTRACT, value: 'compact' },
  ], staticOf, BROKER_RULES);
  t.deepEqual(back, { 'log.cleanup.policy': 'delete' });
  const notList = t.throws(() => applyIncremental({}, [{ name: 'background.threads', operation: ConfigOperation.APPEND, value: '1' }], staticOf, BROKER_RULES), { instanceOf: KafkaError });
  t.is(notList.codeName, 'INVALID_CONFIG');
  const staticKey = t.throws(() => applyIncremental({}, [{ name: 'broker.id', operation: ConfigOperation.DELETE, value: null }], staticOf, BROKER_RULES), { instanceOf: KafkaError });
  t.is(staticKey.codeName, 'INVALID_REQUEST');
  t.is(staticKey.message, 'Cannot update these configs dynamically: broker.id');
  const unknown = t.throws(() => replaceOverrides([{ name: 'no.such.key', operation: ConfigOperation.SET, value: null }], BROKER_RULES), { instanceOf: KafkaError });
  t.is(unknown.codeName, 'INVALID_CONFIG');
  t.deepEqual(replaceOverrides([{ name: 'log.retention.ms', operation: ConfigOperation.SET, value: '5000' }, { name: 'background.threads', operation: ConfigOperation.SET, value: null }], BROKER_RULES), { 'log.retention.ms': '5000' });
});

test('dynamic broker configs are durable, applied over the static layer at load and on change, and reverted on delete', (t) => {
  const dir = tempDir(t);
  const base: TopicConfig = { ...KAFKA_TOPIC_DEFAULTS, retentionMs: 1000 };
  const applied: TopicConfig[] = [];
  const first = DynamicBrokerConfig.load(dir, base, (c) => applied.push(c));
  t.is(applied.length, 0, 'nothing to apply without a file');
  first.set({ 'log.retention.ms': '5000', 'log.cleanup.policy': 'compact', 'background.threads': '9' });
  t.is(applied.at(-1)!.retentionMs, 5000);
  t.is(applied.at(-1)!.cleanupPolicy, 'compact');
  t.is(first.staticValue('log.retention.ms'), '1000');
  t.is(first.staticValue('background.threads'), undefined);
  first.setStatic({ retentionMs: 2000 });
  t.is(applied.at(-1)!.retentionMs, 5000, 'the dynamic key still wins over a changed static one');
  t.is(first.staticValue('log.retention.ms'), '2000');
  t.false(fs.readdirSync(dir).some((f) => f.endsWith('.tmp')));

  const again: TopicConfig[] = [];
  const second = DynamicBrokerConfig.load(dir, base, (c) => again.push(c));
  t.deepEqual(second.get(), { 'background.threads': '9', 'log.cleanup.policy': 'compact', 'log.retention.ms': '5000' });
  t.is(again.length, 1);
  t.is(again[0]!.retentionMs, 5000);
  second.set({ 'background.threads': '9' });
  t.is(again.at(-1)!.retentionMs, 1000, 'deleting the key falls back to the static value');
  t.is(again.at(-1)!.cleanupPolicy, 'delete');
  t.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, BROKER_CONFIGS_FILE), 'utf8')), { version: 1, configs: { 'background.threads': '9' } });
});
