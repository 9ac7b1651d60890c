/**
 * AlterConfigs (replace a resource's overrides) and IncrementalAlterConfigs (SET, DELETE, APPEND, SUBTRACT
 * single keys), for topics and for this broker's dynamic configs (broker-config.ts; another broker's id
 * or the cluster default "" is INVALID_REQUEST). Every
 * key and value is validated as at creation (unknown keys and bad values: INVALID_CONFIG) before
 * anything changes; `validate_only` stops there. The change is applied and replicated by TopicAdmin.
 * ACLs: Alter on the topic (Kafka's AlterConfigs operation) else TOPIC_AUTHORIZATION_FAILED; Alter on
 * the cluster for broker resources, else CLUSTER_AUTHORIZATION_FAILED.
 */
import {
  ConfigOperation, decodeAlterConfigsRequest, decodeIncrementalAlterConfigsRequest, encodeAlterConfigsResponse, encodeIncrementalAlterConfigsResponse,
  type AlterConfigsEntry, type AlterConfigsRequest, type AlterConfigsResponse, type AlterConfigsResult,
} from '../../protocol/apis/alter-configs.ts';
import { RESOURCE_BROKER, RESOURCE_TOPIC } from '../../protocol/apis/describe-configs.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { KafkaError } from '../../protocol/errors.ts';
import { configValueString, isTopicConfigKey, topicKeyInfo, validateTopicConfigEntry, type ConfigKind } from '../../storage/topic-config.ts';
import { dynamicBrokerKeyKind, validateBrokerConfigEntry, type DynamicBrokerConfig } from '../broker-config.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';
import type { TopicAdmin } from '../topic-admin.ts';

/** How a resource type's keys are checked: `validate` returns a value's canonical spelling, `kind` a key's type. */
export interface ConfigRules {
  validate(name: string, value: string | null): string;
  kind(name: string): ConfigKind | undefined;
}

/** Topic keys (storage/topic-config.ts). */
export const TOPIC_RULES: ConfigRules = {
  validate: (name, value) => {
    if (!isTopicConfigKey(name)) throw new KafkaError('INVALID_CONFIG', `unknown topic config ${name}`);
    return validateTopicConfigEntry(name, value);
  },
  kind: (name) => topicKeyInfo(name)?.kind,
};

/** Dynamic broker keys (broker-config.ts). */
export const BROKER_RULES: ConfigRules = { validate: validateBrokerConfigEntry, kind: dynamicBrokerKeyKind };

/** AlterConfigs: the request's entries become the resource's whole set of overrides (null values are left out). */
export function replaceOverrides(entries: readonly AlterConfigsEntry[], rules: ConfigRules = TOPIC_RULES): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (e.value !== null) out[e.name] = rules.validate(e.name, e.value);
    else if (rules.kind(e.name) === undefined) rules.validate(e.name, null); // an unknown key still fails
  }
  return out;
}

/** IncrementalAlterConfigs: applies each operation to the current overrides, validating the result. */
export function applyIncremental(current: Record<string, string>, entries: readonly AlterConfigsEntry[], defaults: (name: string) => string, rules: ConfigRules = TOPIC_RULES): Record<string, string> {
  const out = { ...current };
  for (const e of entries) {
    // Checks the key (unknown, or not dynamic) whatever the operation.
    if (rules.kind(e.name) === undefined) rules.validate(e.name, e.value);
    switch (e.operation) {
      case ConfigOperation.SET:
        out[e.name] = rules.validate(e.name, e.value);
        break;
      case ConfigOperation.DELETE:
        delete out[e.name];
        break;
      case ConfigOperation.APPEND:
      case ConfigOperation.SUBTRACT: {
        if (rules.kind(e.name) !== 'list') throw new KafkaError('INVALID_CONFIG', `${e.name} is not a list: APPEND and SUBTRACT do not apply`);
        const items = new Set((out[e.name] ?? defaults(e.name)).split(',').map((x) => x.trim()).filter((x) => x.length > 0));
        for (const v of (e.value ?? '').split(',').map((x) => x.trim()).filter((x) => x.length > 0)) {
          if (e.operation === ConfigOperation.APPEND) items.add(v);
          else items.delete(v);
        }
        out[e.name] = rules.validate(e.name, [...items].join(','));
        break;
      }
      default:
        throw new KafkaError('INVALID_REQUEST', `unknown config operation ${e.operation}`);
    }
  }
  return out;
}

/** Alters this broker's dynamic configs; the resource must name this node (the cluster default is refused). */
function alterBroker(incremental: boolean, broker: Broker, dynamic: DynamicBrokerConfig, name: string, entries: readonly AlterConfigsEntry[], validateOnly: boolean): void {
  if (name === '') throw new KafkaError('INVALID_REQUEST', 'cluster-wide default broker configs are not supported: name this broker\'s id');
  const self = String(broker.selfId());
  if (name !== self) throw new KafkaError('INVALID_REQUEST', `Unexpected broker id, expected ${self}, but received ${name}`);
  const next = incremental
    ? applyIncremental(dynamic.get(), entries, (key) => dynamic.staticValue(key) ?? '', BROKER_RULES)
    : replaceOverrides(entries, BROKER_RULES);
  if (!validateOnly) dynamic.set(next);
}

function handler(incremental: boolean, broker: Broker, admin: TopicAdmin, dynamic: DynamicBrokerConfig, access: AccessControl): ApiHandler<AlterConfigsRequest, AlterConfigsResponse> {
  return {
    decode: incremental ? decodeIncrementalAlterConfigsRequest : decodeAlterConfigsRequest,
    encode: incremental ? encodeIncrementalAlterConfigsResponse : encodeAlterConfigsResponse,
    async handle(req, ctx) {
      const responses = await Promise.all(req.resources.map(async (r): Promise<AlterConfigsResult> => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName };
        const fail = (code: number, errorMessage: string): AlterConfigsResult => ({ ...base, errorCode: code, errorMessage });
        if (r.resourceType === RESOURCE_BROKER) {
          if (!access.cluster(ctx, 'alter')) return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, 'not authorized to alter the cluster');
          try {
            alterBroker(incremental, broker, dynamic, r.resourceName, r.configs, req.validateOnly);
            return { ...base, errorCode: 0, errorMessage: null };
          } catch (err) {
            return fail(broker.codeFor(err, r.resourceName, -1), (err as Error).message);
          }
        }
        if (r.resourceType !== RESOURCE_TOPIC) return fail(ErrorCode.INVALID_REQUEST.code, `resource type ${r.resourceType} has no configs here`);
        if (!access.topic(ctx, 'alter', r.resourceName)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, `not authorized to alter topic ${r.resourceName}`);
        try {
          const current = admin.overrides(r.resourceName);
          const defaults = admin.effective(r.resourceName);
          const next = incremental
            ? applyIncremental(current, r.configs, (name) => configValueString(defaults, name))
            : replaceOverrides(r.configs);
          if (!req.validateOnly) await admin.setConfigs(r.resourceName, next);
          return { ...base, errorCode: 0, errorMessage: null };
        } catch (err) {
          return fail(broker.codeFor(err, r.resourceName, -1), (err as Error).message);
        }
      }));
      return { throttleTimeMs: 0, responses };
    },
  };
}

/** AlterConfigs (key 33). */
export function alterConfigsHandler(broker: Broker, admin: TopicAdmin, dynamic: DynamicBrokerConfig, access: AccessControl): ApiHandler<AlterConfigsRequest, AlterConfigsResponse> {
  return handler(false, broker, admin, dynamic, access);
}

/** IncrementalAlterConfigs (key 44). */
export function incrementalAlterConfigsHandler(broker: Broker, admin: TopicAdmin, dynamic: DynamicBrokerConfig, access: AccessControl): ApiHandler<AlterConfigsRequest, AlterConfigsResponse> {
  return handler(true, broker, admin, dynamic, access);
}
