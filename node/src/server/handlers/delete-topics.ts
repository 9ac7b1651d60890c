/**
 * DeleteTopics: deleted at the head and replicated down the chain; errors per topic. ACLs: Delete on the
 * topic, else TOPIC_AUTHORIZATION_FAILED for that topic. Topics are not given ids here (v6's by-id form
 * answers UNKNOWN_TOPIC_ID; by name works as in every version).
 */
import { KafkaError } from '../../protocol/errors.ts';
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse, type DeletableTopicResult, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/apis/delete-topics.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Deletes each topic independently. */
export function deleteTopicsHandler(broker: Broker, access: AccessControl): ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse> {
  return {
    decode: decodeDeleteTopicsRequest,
    encode: encodeDeleteTopicsResponse,
    async handle(req, ctx) {
      const byId: DeletableTopicResult[] = (req.topics ?? []).filter((t) => t.name === null).map((t) => ({
        name: null, topicId: t.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID.code, errorMessage: 'topics have no ids on this cluster; delete by name',
      }));
      return {
        throttleTimeMs: 0,
        responses: [...byId, ...await Promise.all(req.topicNames.map(async (name) => {
          try {
            if (!access.topic(ctx, 'delete', name)) throw new KafkaError('TOPIC_AUTHORIZATION_FAILED', `not authorized to delete topic ${name}`);
            await broker.deleteTopic(name);
            return { name, errorCode: 0, errorMessage: null };
          } catch (err) {
            return { name, errorCode: broker.codeFor(err, name, -1), errorMessage: (err as Error).message };
          }
        }))],
      };
    },
  };
}
