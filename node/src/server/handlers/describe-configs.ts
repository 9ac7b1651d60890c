/**
 * DescribeConfigs for topics and this broker, under Kafka's names so admin tools and kcat show them.
 * A topic's keys come from storage/topic-config.ts: DYNAMIC_TOPIC_CONFIG where the topic overrides them
 * (set at creation or by AlterConfigs), STATIC_BROKER_CONFIG where a node flag sets the default, else
 * DEFAULT_CONFIG; with synonyms asked, the topic's own value is followed by the broker-level one.
 * Broker keys set by AlterConfigs (broker-config.ts) report DYNAMIC_BROKER_CONFIG, followed by the
 * static value they override; keys that cannot change dynamically are read-only.
 * ACLs: Describe on the topic (else TOPIC_AUTHORIZATION_FAILED) or, for the broker, on the cluster
 * (else CLUSTER_AUTHORIZATION_FAILED): Kafka's DescribeConfigs operation, which Describe stands for here.
 */
import {
  ConfigSource, ConfigType, RESOURCE_BROKER, RESOURCE_TOPIC,
  decodeDescribeConfigsRequest, encodeDescribeConfigsResponse,
  type ConfigEntry, type DescribeConfigsRequest, type DescribeConfigsResponse, type DescribeConfigsResult,
} from '../../protocol/apis/describe-configs.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { DEFAULT_RETENTION_BYTES, DEFAULT_RETENTION_MS, DEFAULT_SEGMENT_BYTES } from '../../storage/log-config.ts';
import { TOPIC_CONFIG_NAMES, configValueString, resolveTopicConfig, topicKeyInfo, type ConfigKind } from '../../storage/topic-config.ts';
import type { Broker } from '../broker.ts';
import { dynamicBrokerKeyKind, type DynamicBrokerConfig } from '../broker-config.ts';
import type { TopicAdmin } from '../topic-admin.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

/** The log settings a node runs with (from its flags or the storage defaults). */
export interface LogSettings {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
}

interface Setting {
  name: string;
  value: string;
  type: number;
  /** Set by the operator (a flag) rather than a built-in default. */
  configured: boolean;
  /** Set on the topic itself (DYNAMIC_TOPIC_CONFIG), with the broker-level default it overrides. */
  topicOverride?: { brokerName: string; brokerValue: string };
  /** A broker key set by AlterConfigs (DYNAMIC_BROKER_CONFIG); `value` is then the static one it overrides. */
  dynamicValue?: string;
  /** A broker key AlterConfigs may change (Kafka reports these as not read-only). */
  dynamic?: boolean;
}

const KIND_TYPE: Record<ConfigKind, number> = { string: ConfigType.STRING, int: ConfigType.INT, long: ConfigType.LONG, list: ConfigType.LIST, boolean: ConfigType.BOOLEAN, double: ConfigType.DOUBLE };

function topicSettings(admin: TopicAdmin, broker: Broker, topic: string, configured: Set<string>): Setting[] {
  const overrides = admin.overrides(topic);
  const defaults = broker.logs.topicDefaults();
  const effective = resolveTopicConfig(overrides, defaults);
  return TOPIC_CONFIG_NAMES.map((name): Setting => {
    const spec = topicKeyInfo(name)!;
    const base = { name, value: configValueString(effective, name, overrides), type: KIND_TYPE[spec.kind], configured: spec.field !== undefined && configured.has(spec.field) };
    return Object.hasOwn(overrides, name) ? { ...base, topicOverride: { brokerName: spec.brokerName, brokerValue: configValueString(defaults, name) } } : base;
  });
}

function brokerSettings(broker: Broker, log: LogSettings, configured: Set<string>, dynamic: DynamicBrokerConfig): Setting[] {
  const set = dynamic.get();
  const s = (name: string, value: string | number | boolean, type: number, key?: string): Setting => ({
    name, value: String(value), type, configured: key !== undefined && configured.has(key),
    ...(dynamicBrokerKeyKind(name) !== undefined && { dynamic: true }),
    ...(Object.hasOwn(set, name) && { dynamicValue: set[name] }),
  });
  const listed: Setting[] = [
    s('auto.create.topics.enable', broker.config.autoCreateTopics, ConfigType.BOOLEAN, 'autoCreateTopics'),
    s('broker.id', broker.selfId(), ConfigType.INT, 'nodeId'),
    s('default.replication.factor', Math.max(1, broker.replicaIds().length), ConfigType.INT),
    s('log.retention.bytes', log.retentionBytes, ConfigType.LONG, 'retentionBytes'),
    s('log.retention.ms', log.retentionMs, ConfigType.LONG, 'retentionMs'),
    s('log.segment.bytes', log.segmentBytes, ConfigType.INT, 'segmentBytes'),
    s('message.max.bytes', broker.config.maxMessageBytes, ConfigType.INT),
    s('num.partitions', broker.config.defaultPartitions, ConfigType.INT, 'defaultPartitions'),
    s('offsets.topic.num.partitions', 1, ConfigType.INT),
  ];
  // Dynamic keys the list above does not name (background.threads, log.cleanup.policy, ...), over their static value where vonnegut has one.
  const names = new Set(listed.map((x) => x.name));
  const extra = Object.keys(set).filter((name) => !names.has(name)).map((name) => {
    const kind = dynamicBrokerKeyKind(name) ?? 'string';
    return { ...s(name, dynamic.staticValue(name) ?? '', KIND_TYPE[kind]), value: dynamic.staticValue(name) ?? '' };
  });
  return [...listed, ...extra].sort((a, b) => a.name.localeCompare(b.name));
}

function entry(setting: Setting, brokerLevel: boolean, synonyms: boolean): ConfigEntry {
  const brokerSource = setting.configured ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
  const o = setting.topicOverride;
  const d = brokerLevel ? setting.dynamicValue : undefined;
  let value = setting.value;
  let source: number = brokerSource;
  let chain = [{ name: setting.name, value: setting.value, source }];
  if (o) {
    source = ConfigSource.DYNAMIC_TOPIC_CONFIG;
    chain = [{ name: setting.name, value, source }, { name: o.brokerName, value: o.brokerValue, source: brokerSource }];
  } else if (d !== undefined) {
    value = d;
    source = ConfigSource.DYNAMIC_BROKER_CONFIG;
    chain = [{ name: setting.name, value, source }, ...(setting.value === '' ? [] : [{ name: setting.name, value: setting.value, source: brokerSource }])];
  }
  return {
    name: setting.name,
    value,
    readOnly: brokerLevel && setting.dynamic !== true,
    configSource: source,
    isSensitive: false,
    synonyms: synonyms ? chain : [],
    configType: setting.type,
    documentation: null,
  };
}

/** Answers DescribeConfigs; `flags` holds the log settings the node was started with (the rest are defaults). */
export function describeConfigsHandler(broker: Broker, admin: TopicAdmin, flags: Partial<LogSettings>, dynamic: DynamicBrokerConfig, access: AccessControl): ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse> {
  const log: LogSettings = {
    retentionMs: flags.retentionMs ?? DEFAULT_RETENTION_MS,
    retentionBytes: flags.retentionBytes ?? DEFAULT_RETENTION_BYTES,
    segmentBytes: flags.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
  };
  const configured = new Set(Object.entries(flags).filter(([, v]) => v !== undefined).map(([k]) => k));
  return {
    decode: decodeDescribeConfigsRequest,
    encode: encodeDescribeConfigsResponse,
    async handle(req, ctx) {
      const results = req.resources.map((r): DescribeConfigsResult => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorMessage: null };
        let settings: Setting[];
        if (r.resourceType === RESOURCE_TOPIC) {
          if (!access.topic(ctx, 'describe', r.resourceName)) {
            return { ...base, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, errorMessage: `not authorized to describe topic ${r.resourceName}`, configs: [] };
          }
          if (broker.partitionCount(r.resourceName) === undefined) {
            return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code, errorMessage: `topic ${r.resourceName} does not exist`, configs: [] };
          }
          settings = topicSettings(admin, broker, r.resourceName, configured);
        } else if (r.resourceType === RESOURCE_BROKER) {
          if (!access.cluster(ctx, 'describe')) {
            return { ...base, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, errorMessage: 'not authorized to describe the cluster', configs: [] };
          }
          settings = brokerSettings(broker, log, configured, dynamic);
        } else {
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST.code, errorMessage: `resource type ${r.resourceType} has no configs here`, configs: [] };
        }
        const wanted = r.configurationKeys === null || r.configurationKeys.length === 0 ? null : new Set(r.configurationKeys);
        const configs = settings.filter((s) => wanted === null || wanted.has(s.name)).map((s) => entry(s, r.resourceType === RESOURCE_BROKER, req.includeSynonyms));
        return { ...base, errorCode: 0, configs };
      });
      return { throttleTimeMs: 0, results };
    },
  };
}
