/**
 * CreatePartitions: grows a topic (never shrinks it); chains place replicas, so a manual assignment must
 * name the owning chain's members (Broker.checkAssignment), else INVALID_REPLICA_ASSIGNMENT. The new partitions appear on every member of the owning chain (TopicAdmin).
 * ACLs: Alter on the topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import { decodeCreatePartitionsRequest, encodeCreatePartitionsResponse, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../protocol/apis/create-partitions.ts';
import { KafkaError } from '../../protocol/errors.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';
import type { TopicAdmin } from '../topic-admin.ts';

export function createPartitionsHandler(broker: Broker, admin: TopicAdmin, access: AccessControl): ApiHandler<CreatePartitionsRequest, CreatePartitionsResponse> {
  return {
    decode: decodeCreatePartitionsRequest,
    encode: encodeCreatePartitionsResponse,
    async handle(req, ctx) {
      const results = await Promise.all(req.topics.map(async (t) => {
        try {
          if (!access.topic(ctx, 'alter', t.name)) throw new KafkaError('TOPIC_AUTHORIZATION_FAILED', `not authorized to alter topic ${t.name}`);
          if (t.assignments !== null) broker.checkAssignment(t.name, t.assignments);
          await admin.createPartitions(t.name, t.count, req.validateOnly);
          return { name: t.name, errorCode: 0, errorMessage: null };
        } catch (err) {
          return { name: t.name, errorCode: broker.codeFor(err, t.name, -1), errorMessage: (err as Error).message };
        }
      }));
      return { throttleTimeMs: 0, results };
    },
  };
}
