/**
 * Dynamic broker configs (Kafka's DynamicBrokerConfig, per broker): keys AlterConfigs and
 * IncrementalAlterConfigs set on this node's BROKER resource, over the node's flags.
 *
 * Which keys: Kafka's dynamically updatable ones. The broker-level synonyms of topic keys
 * (log.retention.ms, log.segment.bytes, log.cleanup.policy, message.max.bytes, ...: Kafka's
 * DynamicLogConfig) are validated as the topic key and applied live as the broker's topic defaults
 * through LogManager.reconfigure, the same path `PUT /v1/config` takes. Thread pools, connection
 * limits and SASL/Kerberos keys are stored and described only: vonnegut has no use for them. Keys Kafka
 * only reads at startup are INVALID_REQUEST ("Cannot update these configs dynamically"); unknown keys
 * are INVALID_CONFIG.
 *
 * Durable in `<dataDir>/broker-configs.json` ({"version":1,"configs":{...}}), next to topic-configs.json,
 * rewritten through a temporary file, fsync and rename. Per node only: the cluster default (resource
 * name "") is refused by the handler, since nothing here makes it the same on every node.
 */
import * as fs from 'node:fs';
import { replaceFileDurably } from '../storage/durable-replace.ts';
import * as path from 'node:path';
import { KafkaError } from '../protocol/errors.ts';
import { resolveTopicConfig, topicKeyForBrokerName, topicKeyInfo, validateTopicConfigEntry, type ConfigKind, type TopicConfig } from '../storage/topic-config.ts';

export const BROKER_CONFIGS_FILE = 'broker-configs.json';
const FORMAT_VERSION = 1;

/** Dynamically updatable Kafka broker keys vonnegut stores and reports but does not act on. */
const STORED_ONLY_BROKER_KEYS: Readonly<Record<string, ConfigKind>> = {
  'background.threads': 'int',
  'log.cleaner.backoff.ms': 'long',
  'log.cleaner.dedupe.buffer.size': 'long',
  'log.cleaner.io.buffer.load.factor': 'double',
  'log.cleaner.io.buffer.size': 'int',
  'log.cleaner.io.max.bytes.per.second': 'double',
  'log.cleaner.threads': 'int',
  'max.connection.creation.rate': 'int',
  'max.connections': 'int',
  'max.connections.per.ip': 'int',
  'metric.reporters': 'list',
  'num.io.threads': 'int',
  'num.network.threads': 'int',
  'num.recovery.threads.per.data.dir': 'int',
  'num.replica.fetchers': 'int',
  'sasl.kerberos.kinit.cmd': 'string',
  'sasl.kerberos.min.time.before.relogin': 'long',
  'sasl.kerberos.principal.to.local.rules': 'list',
  'sasl.kerberos.service.name': 'string',
  'sasl.kerberos.ticket.renew.jitter': 'double',
  'sasl.kerberos.ticket.renew.window.factor': 'double',
};

/** Kafka broker keys that are read only at startup (Kafka refuses to change them dynamically). */
const STATIC_BROKER_KEYS: ReadonlySet<string> = new Set([
  'advertised.listeners', 'auto.create.topics.enable', 'broker.id', 'controller.quorum.voters', 'default.replication.factor',
  'delete.topic.enable', 'listeners', 'log.dir', 'log.dirs', 'log.retention.check.interval.ms', 'node.id', 'num.partitions',
  'offsets.topic.num.partitions', 'offsets.topic.replication.factor', 'process.roles', 'transaction.state.log.num.partitions', 'zookeeper.connect',
]);

/** A dynamic broker key's value type, or undefined when the key cannot be set dynamically. */
export function dynamicBrokerKeyKind(name: string): ConfigKind | undefined {
  const stored = STORED_ONLY_BROKER_KEYS[name];
  if (stored) return stored;
  const topicKey = topicKeyForBrokerName(name);
  return topicKey === undefined ? undefined : topicKeyInfo(topicKey)!.kind;
}

function checkNumber(name: string, kind: ConfigKind, value: string): string {
  const v = value.trim();
  const ok = kind === 'double' ? v !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 : /^\d+$/.test(v) && (kind === 'long' || Number(v) <= 0x7fffffff);
  if (!ok) throw new KafkaError('INVALID_CONFIG', `${name}=${value} is not a valid ${kind}`);
  return kind === 'double' ? String(Number(v)) : BigInt(v).toString();
}

/** Validates one dynamic broker key and value, returning the value's canonical spelling. */
export function validateBrokerConfigEntry(name: string, value: string | null): string {
  if (STATIC_BROKER_KEYS.has(name)) throw new KafkaError('INVALID_REQUEST', `Cannot update these configs dynamically: ${name}`);
  const kind = dynamicBrokerKeyKind(name);
  if (kind === undefined) throw new KafkaError('INVALID_CONFIG', `unknown broker config ${name}`);
  if (value === null) throw new KafkaError('INVALID_CONFIG', `broker config ${name} needs a value`);
  const topicKey = topicKeyForBrokerName(name);
  if (topicKey !== undefined) return validateTopicConfigEntry(topicKey, value);
  return kind === 'int' || kind === 'long' || kind === 'double' ? checkNumber(name, kind, value) : value.trim();
}

/** This node's dynamic broker configs over its static topic defaults (flags and Kafka's defaults). */
export class DynamicBrokerConfig {
  private readonly file: string;
  private configs: Record<string, string>;
  private base: TopicConfig;
  private readonly apply: (effective: TopicConfig) => void;

  private constructor(file: string, configs: Record<string, string>, base: TopicConfig, apply: (effective: TopicConfig) => void) {
    this.file = file;
    this.configs = configs;
    this.base = base;
    this.apply = apply;
  }

  /**
   * Reads the data directory's dynamic configs and applies them at once; `base` is what the flags set
   * (LogManager.topicDefaults() before any dynamic change), `apply` hands the effective defaults to the logs.
   */
  static load(dataDir: string, base: TopicConfig, apply: (effective: TopicConfig) => void): DynamicBrokerConfig {
    const file = path.join(dataDir, BROKER_CONFIGS_FILE);
    let configs: Record<string, string> = {};
    if (fs.existsSync(file)) {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: number; configs?: Record<string, unknown> };
      if (parsed.version !== FORMAT_VERSION) throw new Error(`${file}: unsupported version ${String(parsed.version)}`);
      configs = Object.fromEntries(Object.entries(parsed.configs ?? {}).map(([k, v]) => [k, String(v)]));
    }
    const dynamic = new DynamicBrokerConfig(file, configs, base, apply);
    if (Object.keys(configs).length > 0) apply(dynamic.effective());
    return dynamic;
  }

  /** The dynamic keys set on this broker (Kafka names, canonical values). */
  get(): Record<string, string> {
    return { ...this.configs };
  }

  /** The static value a dynamic key overrides (the synonym DescribeConfigs lists after it), if vonnegut has one. */
  staticValue(name: string): string | undefined {
    const topicKey = topicKeyForBrokerName(name);
    const field = topicKey === undefined ? undefined : topicKeyInfo(topicKey)!.field;
    return field === undefined ? undefined : String(this.base[field]);
  }

  /** The broker's topic defaults: static ones with the dynamic keys over them. */
  effective(): TopicConfig {
    const asTopicKeys: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.configs)) {
      const topicKey = topicKeyForBrokerName(name);
      if (topicKey !== undefined) asTopicKeys[topicKey] = value;
    }
    return resolveTopicConfig(asTopicKeys, this.base);
  }

  /** Replaces the dynamic keys (already validated), durably, then applies them live. */
  set(next: Record<string, string>): void {
    const sorted = Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)));
    replaceFileDurably(this.file, JSON.stringify({ version: FORMAT_VERSION, configs: sorted }, null, 1));
    this.configs = sorted;
    this.apply(this.effective());
  }

  /** Changes the static layer (PUT /v1/config); dynamic keys still win over it. */
  setStatic(change: Partial<TopicConfig>): void {
    this.base = { ...this.base, ...change };
    this.apply(this.effective());
  }
}
