/** CreateTopics: created at the head and replicated down the chain; errors per topic. */
import { KafkaError } from '../../protocol/errors.ts';
import { decodeCreateTopicsRequest, encodeCreateTopicsResponse, type CreateTopicsRequest, type CreateTopicsResponse } from '../../protocol/apis/create-topics.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Creates each topic independently (-1 partitions means the broker default). */
export function createTopicsHandler(broker: Broker): ApiHandler<CreateTopicsRequest, CreateTopicsResponse> {
  return {
    decode: decodeCreateTopicsRequest,
    encode: encodeCreateTopicsResponse,
    async handle(req) {
      return {
        throttleTimeMs: 0,
        topics: await Promise.all(req.topics.map(async (t) => {
          const partitions = t.numPartitions === -1 ? broker.config.defaultPartitions : t.numPartitions;
          const replicationFactor = broker.replicaIds(t.name).length || broker.replicaIds().length || 1;
          try {
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
