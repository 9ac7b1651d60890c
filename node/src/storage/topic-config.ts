/**
 * Per-topic configuration, as Kafka names it (`retention.ms`, `cleanup.policy`, ...).
 *
 * A topic stores only its overrides (Kafka name -> string value); `resolveTopicConfig` merges them over
 * the broker's defaults into a typed `TopicConfig`, which is what the storage layer (retention,
 * compaction, segment rolling) and the broker (message size, timestamps) read. Validation lives here so
 * CreateTopics, AlterConfigs and IncrementalAlterConfigs refuse exactly the same things, with
 * INVALID_CONFIG (40) for unknown keys and bad values.
 *
 * Durability and replication are elsewhere: LogManager keeps the overrides in `topic-configs.json`
 * (topic-config-store.ts) and the chain ships them with the `Config` link message.
 */
import { KafkaError } from '../protocol/errors.ts';

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** A topic's effective configuration: its overrides over the broker's defaults. */
export interface TopicConfig {
  cleanupPolicy: CleanupPolicy;
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  maxMessageBytes: number;
  minInsyncReplicas: number;
  compressionType: string;
  messageTimestampType: TimestampType;
  /** How long tombstones survive compaction (Kafka's delete.retention.ms). */
  deleteRetentionMs: number;
}

/** A topic's overrides: Kafka config name -> value, only the keys set for this topic. */
export type TopicConfigOverrides = Record<string, string>;

/** Kafka's value types, as DescribeConfigs reports them (ConfigType in describe-configs.ts). */
export type ConfigKind = 'string' | 'int' | 'long' | 'list' | 'boolean' | 'double';

interface KeySpec {
  field: keyof TopicConfig;
  kind: ConfigKind;
  /** Broker-level name whose value is this key's default (Kafka's synonym). */
  brokerName: string;
  parse(value: string): TopicConfig[keyof TopicConfig];
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];

function integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v.trim());
    if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new KafkaError('INVALID_CONFIG', `${name}=${v} must be an integer in [${min}, ${max}]`);
    return n;
  };
}

function oneOf<T extends string>(name: string, values: readonly T[], normalize: (v: string) => string = (v) => v): (v: string) => T {
  return (v) => {
    const n = normalize(v.trim());
    const found = values.find((x) => x === n);
    if (found === undefined) throw new KafkaError('INVALID_CONFIG', `${name}=${v} must be one of ${values.join(', ')}`);
    return found;
  };
}

/** A cleanup.policy value as Kafka spells it; INVALID_CONFIG otherwise. */
export function parseCleanupPolicy(value: string): CleanupPolicy {
  return TOPIC_CONFIG_KEYS['cleanup.policy']!.parse(value) as CleanupPolicy;
}

/** `compact,delete` in any order and spacing is one policy. */
function normalizePolicy(v: string): string {
  const parts = [...new Set(v.split(',').map((p) => p.trim().toLowerCase()))].sort();
  return parts.join(',');
}

const INT_MAX = 0x7fffffff;

/** Every topic-level key vonnegut accepts, in the order DescribeConfigs lists them. */
export const TOPIC_CONFIG_KEYS: Readonly<Record<string, KeySpec>> = {
  'cleanup.policy': { field: 'cleanupPolicy', kind: 'list', brokerName: 'log.cleanup.policy', parse: oneOf<CleanupPolicy>('cleanup.policy', ['delete', 'compact', 'compact,delete'], normalizePolicy) },
  'compression.type': { field: 'compressionType', kind: 'string', brokerName: 'compression.type', parse: oneOf('compression.type', COMPRESSION_TYPES, (v) => v.toLowerCase()) },
  'delete.retention.ms': { field: 'deleteRetentionMs', kind: 'long', brokerName: 'log.cleaner.delete.retention.ms', parse: integer('delete.retention.ms', 0) },
  'max.message.bytes': { field: 'maxMessageBytes', kind: 'int', brokerName: 'message.max.bytes', parse: integer('max.message.bytes', 0, INT_MAX) },
  'message.timestamp.type': { field: 'messageTimestampType', kind: 'string', brokerName: 'log.message.timestamp.type', parse: oneOf<TimestampType>('message.timestamp.type', ['CreateTime', 'LogAppendTime']) },
  'min.insync.replicas': { field: 'minInsyncReplicas', kind: 'int', brokerName: 'min.insync.replicas', parse: integer('min.insync.replicas', 1, INT_MAX) },
  'retention.bytes': { field: 'retentionBytes', kind: 'long', brokerName: 'log.retention.bytes', parse: integer('retention.bytes', -1) },
  'retention.ms': { field: 'retentionMs', kind: 'long', brokerName: 'log.retention.ms', parse: integer('retention.ms', -1) },
  'segment.bytes': { field: 'segmentBytes', kind: 'int', brokerName: 'log.segment.bytes', parse: integer('segment.bytes', 14, INT_MAX) },
  'segment.ms': { field: 'segmentMs', kind: 'long', brokerName: 'log.roll.ms', parse: integer('segment.ms', 1) },
};

/** Kafka's defaults for what the broker's flags do not set. */
export const KAFKA_TOPIC_DEFAULTS: TopicConfig = {
  cleanupPolicy: 'delete',
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * 24 * 60 * 60 * 1000,
  maxMessageBytes: 1024 * 1024 + 12,
  minInsyncReplicas: 1,
  compressionType: 'producer',
  messageTimestampType: 'CreateTime',
  deleteRetentionMs: 24 * 60 * 60 * 1000,
};

interface StoredKeySpec {
  kind: ConfigKind;
  brokerName: string;
  /** Kafka's default, as DescribeConfigs prints it. */
  defaultValue: string;
}

const LONG_MAX = '9223372036854775807';

/**
 * Kafka topic keys that vonnegut accepts, keeps with the topic and reports, but does not act on (its
 * flushing, indexing and cleaning are not tuned per topic): Kafka's tools and clients set them (librdkafka's
 * tests create compacted topics with min.cleanable.dirty.ratio and max.compaction.lag.ms), and refusing
 * a key Kafka accepts would fail their whole request.
 */
const STORED_ONLY_TOPIC_KEYS: Readonly<Record<string, StoredKeySpec>> = {
  'file.delete.delay.ms': { kind: 'long', brokerName: 'log.segment.delete.delay.ms', defaultValue: '60000' },
  'flush.messages': { kind: 'long', brokerName: 'log.flush.interval.messages', defaultValue: LONG_MAX },
  'flush.ms': { kind: 'long', brokerName: 'log.flush.interval.ms', defaultValue: LONG_MAX },
  'follower.replication.throttled.replicas': { kind: 'list', brokerName: 'follower.replication.throttled.replicas', defaultValue: '' },
  'index.interval.bytes': { kind: 'int', brokerName: 'log.index.interval.bytes', defaultValue: '4096' },
  'leader.replication.throttled.replicas': { kind: 'list', brokerName: 'leader.replication.throttled.replicas', defaultValue: '' },
  'max.compaction.lag.ms': { kind: 'long', brokerName: 'log.cleaner.max.compaction.lag.ms', defaultValue: LONG_MAX },
  'message.downconversion.enable': { kind: 'boolean', brokerName: 'log.message.downconversion.enable', defaultValue: 'true' },
  // Ignored by Kafka itself since 3.0 (records are always v2); librdkafka's 0092 still sets it.
  'message.format.version': { kind: 'string', brokerName: 'log.message.format.version', defaultValue: '3.0-IV1' },
  'message.timestamp.difference.max.ms': { kind: 'long', brokerName: 'log.message.timestamp.difference.max.ms', defaultValue: LONG_MAX },
  'min.cleanable.dirty.ratio': { kind: 'double', brokerName: 'log.cleaner.min.cleanable.ratio', defaultValue: '0.5' },
  'min.compaction.lag.ms': { kind: 'long', brokerName: 'log.cleaner.min.compaction.lag.ms', defaultValue: '0' },
  'preallocate': { kind: 'boolean', brokerName: 'log.preallocate', defaultValue: 'false' },
  'segment.index.bytes': { kind: 'int', brokerName: 'log.index.size.max.bytes', defaultValue: '10485760' },
  'segment.jitter.ms': { kind: 'long', brokerName: 'log.roll.jitter.ms', defaultValue: '0' },
  'unclean.leader.election.enable': { kind: 'boolean', brokerName: 'unclean.leader.election.enable', defaultValue: 'false' },
};

/** Checks a stored-only key's value against its type, returning its canonical spelling. */
function parseStored(name: string, spec: StoredKeySpec, value: string): string {
  const v = value.trim();
  const bad = (): never => { throw new KafkaError('INVALID_CONFIG', `${name}=${value} is not a valid ${spec.kind}`); };
  switch (spec.kind) {
    case 'int':
    case 'long': {
      if (!/^-?\d+$/.test(v)) bad();
      const n = BigInt(v);
      if (n < 0n || n > (spec.kind === 'int' ? 0x7fffffffn : BigInt(LONG_MAX))) bad();
      return n.toString();
    }
    case 'double':
      if (v === '' || !Number.isFinite(Number(v)) || Number(v) < 0 || Number(v) > 1) bad();
      return String(Number(v));
    case 'boolean':
      if (!/^(true|false)$/i.test(v)) bad();
      return v.toLowerCase();
    case 'list':
      return v;
    default:
      if (!/^\d+\.\d+(\.\d+)*(-IV\d+)?$/.test(v)) bad();
      return v;
  }
}

/** Every topic config key vonnegut accepts, in DescribeConfigs order (alphabetical, as Kafka lists them). */
export const TOPIC_CONFIG_NAMES: readonly string[] = [...Object.keys(TOPIC_CONFIG_KEYS), ...Object.keys(STORED_ONLY_TOPIC_KEYS)].sort();

/** A key's type and broker-level synonym; `field` only for keys vonnegut acts on. */
export function topicKeyInfo(name: string): { kind: ConfigKind; brokerName: string; field?: keyof TopicConfig } | undefined {
  return TOPIC_CONFIG_KEYS[name] ?? STORED_ONLY_TOPIC_KEYS[name];
}

/** The topic key whose broker-level synonym is `brokerName` (log.retention.ms -> retention.ms), if any. */
export function topicKeyForBrokerName(brokerName: string): string | undefined {
  return TOPIC_CONFIG_NAMES.find((name) => topicKeyInfo(name)!.brokerName === brokerName);
}

/** Whether `name` is a topic config key vonnegut knows. */
export function isTopicConfigKey(name: string): boolean {
  return Object.hasOwn(TOPIC_CONFIG_KEYS, name) || Object.hasOwn(STORED_ONLY_TOPIC_KEYS, name);
}

/** Validates one key and value, returning the value in its canonical spelling; INVALID_CONFIG if either is wrong. */
export function validateTopicConfigEntry(name: string, value: string | null): string {
  if (!isTopicConfigKey(name)) throw new KafkaError('INVALID_CONFIG', `unknown topic config ${name}`);
  if (value === null) throw new KafkaError('INVALID_CONFIG', `topic config ${name} needs a value`);
  const stored = STORED_ONLY_TOPIC_KEYS[name];
  return stored ? parseStored(name, stored, value) : String(TOPIC_CONFIG_KEYS[name]!.parse(value));
}

/** Validates a whole set of overrides (CreateTopics configs, an AlterConfigs replacement). */
export function validateTopicConfigs(entries: Iterable<{ name: string; value: string | null }>): TopicConfigOverrides {
  const out: TopicConfigOverrides = {};
  for (const { name, value } of entries) out[name] = validateTopicConfigEntry(name, value);
  return out;
}

/** Merges a topic's overrides over the defaults into the typed config the logs apply. */
export function resolveTopicConfig(overrides: TopicConfigOverrides, defaults: TopicConfig = KAFKA_TOPIC_DEFAULTS): TopicConfig {
  const config: TopicConfig = { ...defaults };
  for (const [name, value] of Object.entries(overrides)) {
    const spec = TOPIC_CONFIG_KEYS[name];
    // Keys from a newer version's store are ignored rather than fatal.
    if (spec) Object.assign(config, { [spec.field]: spec.parse(value) });
  }
  return config;
}

/** A config's value as Kafka prints it (DescribeConfigs); stored-only keys come from `overrides` or Kafka's default. */
export function configValueString(config: TopicConfig, name: string, overrides: TopicConfigOverrides = {}): string {
  const stored = STORED_ONLY_TOPIC_KEYS[name];
  if (stored) return overrides[name] ?? stored.defaultValue;
  const spec = TOPIC_CONFIG_KEYS[name];
  if (!spec) throw new KafkaError('INVALID_CONFIG', `unknown topic config ${name}`);
  return String(config[spec.field]);
}

/** Whether the policy asks for compaction (the cleaner's input). */
export function compacts(config: TopicConfig): boolean {
  return config.cleanupPolicy !== 'delete';
}

/** Whether the policy asks for time/size retention. */
export function deletes(config: TopicConfig): boolean {
  return config.cleanupPolicy !== 'compact';
}
