/** DeleteTopics: deleted at the head and replicated down the chain; errors per topic. */
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/apis/delete-topics.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Deletes each topic independently. */
export function deleteTopicsHandler(broker: Broker): ApiHandler<DeleteTopicsRequest, DeleteTopicsResponse> {
  return {
    decode: decodeDeleteTopicsRequest,
    encode: encodeDeleteTopicsResponse,
    async handle(req) {
      return {
        throttleTimeMs: 0,
        responses: await Promise.all(req.topicNames.map(async (name) => {
          try {
            await broker.deleteTopic(name);
            return { name, errorCode: 0, errorMessage: null };
          } catch (err) {
            return { name, errorCode: broker.codeFor(err, name, -1), errorMessage: (err as Error).message };
          }
        })),
      };
    },
  };
}
