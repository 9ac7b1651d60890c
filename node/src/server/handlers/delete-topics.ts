/**
 * DeleteTopics: deleted at the head and replicated down the chain; errors per topic. ACLs: Delete on the
 * topic, else TOPIC_AUTHORIZATION_FAILED for that topic. v6 names a topic by name or (name null) by its
 * id (KIP-516): an id no topic has is UNKNOWN_TOPIC_ID; answers carry both the name and the id.
 */
import { KafkaError } from '../../protocol/errors.ts';
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse, type DeletableTopicResult, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/apis/delete-topics.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { RequestContext, ApiHandler } from '../router.ts';

/** Deletes each topic independently. */
export function deleteTopicsHandler(broker: Broker, access: AccessControl): ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse> {
  const remove = async (ctx: RequestContext, name: string, topicId: Buffer | undefined): Promise<DeletableTopicResult> => {
    // The id as it was before deletion, for v6's answer.
    const id = topicId ?? broker.directory.topicId(name);
    try {
      if (!access.topic(ctx, 'delete', name)) throw new KafkaError('TOPIC_AUTHORIZATION_FAILED', `not authorized to delete topic ${name}`);
      await broker.deleteTopic(name);
      return { name, topicId: id, errorCode: 0, errorMessage: null };
    } catch (err) {
      return { name, topicId: id, errorCode: broker.codeFor(err, name, -1), errorMessage: (err as Error).message };
    }
  };
  return {
    decode: decodeDeleteTopicsRequest,
    encode: encodeDeleteTopicsResponse,
    async handle(req, ctx) {
      const entries = req.topics ?? req.topicNames.map((name) => ({ name, topicId: undefined }));
      return {
        throttleTimeMs: 0,
        responses: await Promise.all(entries.map(async (t): Promise<DeletableTopicResult> => {
          if (t.name !== null) return remove(ctx, t.name, undefined);
          const name = broker.directory.topicById(t.topicId!);
          if (name === undefined) return { name: null, topicId: t.topicId, errorCode: ErrorCode.UNKNOWN_TOPIC_ID.code, errorMessage: 'no topic has this id' };
          // As Kafka: a name the principal may not Describe is not revealed for an id.
          if (!access.topic(ctx, 'describe', name)) return { name: null, topicId: t.topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, errorMessage: 'not authorized to describe this topic' };
          return remove(ctx, name, t.topicId);
        })),
      };
    },
  };
}
