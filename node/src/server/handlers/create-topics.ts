/**
 * CreateTopics: created at the head and replicated down the chain; errors per topic. ACLs: Create on the
 * cluster or on the topic, else TOPIC_AUTHORIZATION_FAILED for that topic.
 */
import { KafkaError } from '../../protocol/errors.ts';
import { decodeCreateTopicsRequest, encodeCreateTopicsResponse, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/apis/create-topics.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Creates each topic independently (-1 partitions means the broker default). */
export function createTopicsHandler(broker: Broker, access: AccessControl): ApiHandler<CreateTopicsRequest, CreateTopicsResponse> {
  return {
    decode: decodeCreateTopicsRequest,
    encode: encodeCreateTopicsResponse,
    async handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        topics: await Promise.all(req.topics.map(async (t) => {
          const partitions = t.numPartitions === -1 ? broker.config.defaultPartitions : t.numPartitions;
          const replicationFactor = broker.replicaIds(t.name).length || broker.replicaIds().length || 1;
          try {
            if (!access.createTopic(ctx, t.name)) throw new KafkaError('TOPIC_AUTHORIZATION_FAILED', `not authorized to create topic ${t.name}`);
            if (t.assignments.length > 0) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'chains place replicas; manual assignments are not supported');
            if (!req.validateOnly) await broker.createTopic(t.name, partitions);
            return { name: t.name, errorCode: 0, errorMessage: null, numPartitions: partitions, replicationFactor, configs: [] };
          } catch (err) {
            const code = broker.codeFor(err, t.name, -1);
            return { name: t.name, errorCode: code, errorMessage: (err as Error).message, numPartitions: -1, replicationFactor: -1, configs: null };
          }
        })),
      };
    },
  };
}
