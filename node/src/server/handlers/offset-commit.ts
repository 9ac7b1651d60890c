/**
 * OffsetCommit: checks the member's generation (or accepts a commit from outside any generation for a
 * group without members), then writes the offsets to `__consumer_offsets`; one error code for the batch.
 * ACLs: Read on the group (else GROUP_AUTHORIZATION_FAILED everywhere) and Read on each topic (else
 * TOPIC_AUTHORIZATION_FAILED for its partitions, which are not committed), as Kafka. A partition that
 * does not exist gets UNKNOWN_TOPIC_OR_PARTITION and nothing is stored for it; the others still commit.
 */
import { decodeOffsetCommitRequest, encodeOffsetCommitResponse, type OffsetCommitRequest, type OffsetCommitResponse } from '../../protocol/apis/offset-commit.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';
import { planOffsetCommit } from './offset-commit-plan.ts';

/** Kafka's offset.metadata.max.bytes. */
export const MAX_OFFSET_METADATA_BYTES = 4096;

/** `partitionCount` says how many partitions a topic has (undefined: no such topic), as Metadata would. */
export function offsetCommitHandler(coordinator: GroupCoordinator, access: AccessControl, partitionCount: (topic: string) => number | undefined): ApiHandler<OffsetCommitRequest, OffsetCommitResponse> {
  return {
    decode: decodeOffsetCommitRequest,
    encode: encodeOffsetCommitResponse,
    async handle(req, ctx) {
      const groupAllowed = access.group(ctx, 'read', req.groupId);
      const topicAllowed = req.topics.map((t) => groupAllowed && access.topic(ctx, 'read', t.name));
      let errorCode = groupAllowed ? await coordinator.ready() : ErrorCode.GROUP_AUTHORIZATION_FAILED.code;
      if (errorCode === 0) errorCode = coordinator.membership.checkCommit(req);
      const tooLarge = (m: string | null): boolean => m !== null && Buffer.byteLength(m) > MAX_OFFSET_METADATA_BYTES;
      const plan = planOffsetCommit(req.topics, topicAllowed, partitionCount,
        (p) => tooLarge(p.committedMetadata) ? ErrorCode.OFFSET_METADATA_TOO_LARGE.code : 0);
      if (errorCode === 0) errorCode = await coordinator.offsets.commit(req.groupId, plan.offsets);
      return { throttleTimeMs: 0, topics: plan.answer(errorCode) };
    },
  };
}
