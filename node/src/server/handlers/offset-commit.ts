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
      const counts = req.topics.map((t) => partitionCount(t.name));
      const exists = (i: number, partition: number): boolean => partition >= 0 && partition < (counts[i] ?? 0);
      if (errorCode === 0) {
        const offsets = req.topics.flatMap((t, i) => !topicAllowed[i] ? [] : t.partitions
          .filter((p) => !tooLarge(p.committedMetadata) && exists(i, p.partitionIndex))
          .map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '' })));
        errorCode = await coordinator.offsets.commit(req.groupId, offsets);
      }
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t, i) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            errorCode: errorCode === 0 && !topicAllowed[i] ? ErrorCode.TOPIC_AUTHORIZATION_FAILED.code
              : errorCode === 0 && !exists(i, p.partitionIndex) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code
              : errorCode === 0 && tooLarge(p.committedMetadata) ? ErrorCode.OFFSET_METADATA_TOO_LARGE.code : errorCode,
          })),
        })),
      };
    },
  };
}
