/**
 * DeleteRecords: moves each partition's log start offset (at the head of the owning chain, then down the
 * chain; durable through `log-start-offset-checkpoint`) and answers the new low watermark. -1 deletes
 * up to the high watermark; past it is OFFSET_OUT_OF_RANGE. ACLs: Delete on the topic, else
 * TOPIC_AUTHORIZATION_FAILED for its partitions.
 */
import { decodeDeleteRecordsRequest, encodeDeleteRecordsResponse, type DeleteRecordsRequest, type DeleteRecordsResponse } from '../../protocol/apis/delete-records.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';
import type { TopicAdmin } from '../topic-admin.ts';

export function deleteRecordsHandler(admin: TopicAdmin, access: AccessControl): ApiHandler<DeleteRecordsRequest, DeleteRecordsResponse> {
  return {
    decode: decodeDeleteRecordsRequest,
    encode: encodeDeleteRecordsResponse,
    async handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => {
          const allowed = access.topic(ctx, 'delete', t.name);
          return {
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              ...(allowed ? admin.deleteRecords(t.name, p.partitionIndex, p.offset) : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, lowWatermark: -1 }),
            })),
          };
        }),
      };
    },
  };
}
