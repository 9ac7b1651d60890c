/**
 * DescribeConfigs for topics and this broker: the settings vonnegut actually applies (retention, segment
 * size, message size, partition defaults), under Kafka's names so admin tools and kcat show them.
 * Everything is read-only: there is no AlterConfigs.
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
import type { Broker } from '../broker.ts';
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
}

function topicSettings(broker: Broker, log: LogSettings, configured: Set<string>): Setting[] {
  const s = (name: string, value: string | number | boolean, type: number, key?: string): Setting => ({ name, value: String(value), type, configured: key !== undefined && configured.has(key) });
  return [
    s('cleanup.policy', 'delete', ConfigType.LIST),
    s('compression.type', 'producer', ConfigType.STRING),
    s('max.message.bytes', broker.config.maxMessageBytes, ConfigType.INT),
    s('message.timestamp.type', 'CreateTime', ConfigType.STRING),
    s('min.insync.replicas', 1, ConfigType.INT),
    s('retention.bytes', log.retentionBytes, ConfigType.LONG, 'retentionBytes'),
    s('retention.ms', log.retentionMs, ConfigType.LONG, 'retentionMs'),
    s('segment.bytes', log.segmentBytes, ConfigType.INT, 'segmentBytes'),
  ];
}

function brokerSettings(broker: Broker, log: LogSettings, configured: Set<string>): Setting[] {
  const s = (name: string, value: string | number | boolean, type: number, key?: string): Setting => ({ name, value: String(value), type, configured: key !== undefined && configured.has(key) });
  return [
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
}

function entry(setting: Setting, brokerLevel: boolean, synonyms: boolean): ConfigEntry {
  const source = setting.configured ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
  return {
    name: setting.name,
    value: setting.value,
    readOnly: brokerLevel,
    configSource: source,
    isSensitive: false,
    synonyms: synonyms ? [{ name: setting.name, value: setting.value, source }] : [],
    configType: setting.type,
    documentation: null,
  };
}

/** Answers DescribeConfigs; `flags` holds the log settings the node was started with (the rest are defaults). */
export function describeConfigsHandler(broker: Broker, flags: Partial<LogSettings>, access: AccessControl): ApiHandler<DescribeConfigsRequest, DescribeConfigsResponse> {
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
          settings = topicSettings(broker, log, configured);
        } else if (r.resourceType === RESOURCE_BROKER) {
          if (!access.cluster(ctx, 'describe')) {
            return { ...base, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, errorMessage: 'not authorized to describe the cluster', configs: [] };
          }
          settings = brokerSettings(broker, log, configured);
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
