/**
 * CreateTopics: created at the head and replicated down the chain; errors per topic. Topic configs are
 * validated first (unknown keys and bad values: INVALID_CONFIG, nothing created) and stored with the
 * topic; v5+ answers with the topic's resulting configs. A replica assignment is accepted when it names
 * the chain's members for every partition (Broker.checkAssignment). v7 answers each created topic's id. ACLs: Create on the cluster or on the topic,
 * else TOPIC_AUTHORIZATION_FAILED for that topic.
 */
import { KafkaError } from '../../protocol/errors.ts';
import { ConfigSource } from '../../protocol/apis/describe-configs.ts';
import {
  decodeCreateTopicsRequest, encodeCreateTopicsResponse,
  type CreatableTopicConfigResult, type CreateTopicsRequest, type CreateTopicsResponse,
} from '../../protocol/apis/create-topics.ts';
import { TOPIC_CONFIG_NAMES, configValueString, resolveTopicConfig, validateTopicConfigs } from '../../storage/topic-config.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';
import { ZERO_UUID } from '../../protocol/uuid.ts';

/** The configs a created topic ends up with, as CreateTopics v5+ reports them. */
function resultConfigs(broker: Broker, overrides: Record<string, string>): CreatableTopicConfigResult[] {
  const effective = resolveTopicConfig(overrides, broker.logs.topicDefaults());
  return TOPIC_CONFIG_NAMES.map((name) => ({
    name,
    value: configValueString(effective, name, overrides),
    readOnly: false,
    configSource: Object.hasOwn(overrides, name) ? ConfigSource.DYNAMIC_TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
  }));
}

/** Creates each topic independently (-1 partitions means the broker default). */
export function createTopicsHandler(broker: Broker, access: AccessControl): ApiHandler<CreateTopicsRequest, CreateTopicsResponse> {
  return {
    decode: decodeCreateTopicsRequest,
    encode: encodeCreateTopicsResponse,
    async handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        topics: await Promise.all(req.topics.map(async (t) => {
          // With a manual assignment (which Kafka sends with numPartitions -1) its length is the count.
          const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions === -1 ? broker.config.defaultPartitions : t.numPartitions;
          const replicationFactor = broker.replicaIds(t.name).length || broker.replicaIds().length || 1;
          try {
            if (!access.createTopic(ctx, t.name)) throw new KafkaError('TOPIC_AUTHORIZATION_FAILED', `not authorized to create topic ${t.name}`);
            if (t.assignments.length > 0) {
              if (t.numPartitions !== -1 || t.replicationFactor !== -1) throw new KafkaError('INVALID_REQUEST', 'a replica assignment needs numPartitions and replicationFactor -1');
              const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
              if (indexes.some((p, i) => p !== i)) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `partitions must be numbered 0..${indexes.length - 1}`);
              broker.checkAssignment(t.name, t.assignments.map((a) => a.brokerIds));
            }
            const configs = validateTopicConfigs(t.configs);
            if (!req.validateOnly) await broker.createTopic(t.name, partitions, configs);
            // v7: the new topic's id (zero for validate_only, as Kafka answers).
            const topicId = req.validateOnly ? ZERO_UUID : broker.directory.topicId(t.name);
            return { name: t.name, topicId, errorCode: 0, errorMessage: null, numPartitions: partitions, replicationFactor, configs: resultConfigs(broker, configs) };
          } catch (err) {
            const code = broker.codeFor(err, t.name, -1);
            return { name: t.name, topicId: ZERO_UUID, errorCode: code, errorMessage: (err as Error).message, numPartitions: -1, replicationFactor: -1, configs: null };
          }
        })),
      };
    },
  };
}
