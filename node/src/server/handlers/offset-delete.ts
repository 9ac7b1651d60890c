/**
 * OffsetDelete: removes some committed offsets of a group (tombstones in `__consumer_offsets`). A group
 * that does not exist is GROUP_ID_NOT_FOUND; partitions of a topic a live consumer member subscribes to
 * are GROUP_SUBSCRIBED_TO_TOPIC and kept, as in Kafka. ACLs: Delete on the group (else 30 for the whole
 * request) and Read on each topic (else TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeOffsetDeleteRequest, encodeOffsetDeleteResponse, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../../protocol/apis/offset-delete.ts';
import { Reader } from '../../protocol/reader.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { Group } from '../../groups/group.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

/**
 * Topics the group's live members subscribe to, read from the consumer protocol's subscription
 * (version:int16 topics:[string] ...); null (everything) when a subscription cannot be read.
 */
function subscribedTopics(group: Group | undefined): Set<string> | null {
  const topics = new Set<string>();
  if (!group || group.members.size === 0) return topics;
  if (group.protocolType !== 'consumer') return null;
  try {
    for (const m of group.members.values()) {
      for (const p of m.protocols) {
        const r = new Reader(p.metadata);
        r.int16();
        for (const t of r.array((x) => x.string())) topics.add(t);
      }
    }
  } catch {
    return null;
  }
  return topics;
}

export function offsetDeleteHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<OffsetDeleteRequest, OffsetDeleteResponse> {
  return {
    decode: decodeOffsetDeleteRequest,
    encode: encodeOffsetDeleteResponse,
    async handle(req, ctx) {
      const answer = (errorCode: number): OffsetDeleteResponse => ({ errorCode, throttleTimeMs: 0, topics: [] });
      if (!access.group(ctx, 'delete', req.groupId)) return answer(ErrorCode.GROUP_AUTHORIZATION_FAILED.code);
      const ready = await coordinator.ready();
      if (ready !== 0) return answer(ready);
      const group = coordinator.membership.groups.get(req.groupId);
      if (!group && coordinator.offsets.all(req.groupId).size === 0) return answer(ErrorCode.GROUP_ID_NOT_FOUND.code);
      const subscribed = subscribedTopics(group);
      const codeOf = (topic: string): number => !access.topic(ctx, 'read', topic) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED.code
        : subscribed === null || subscribed.has(topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC.code : 0;
      const codes = req.topics.map((t) => codeOf(t.name));
      const doomed = req.topics.flatMap((t, i) => (codes[i] === 0 ? t.partitions.map((partition) => ({ topic: t.name, partition })) : []));
      const errorCode = await coordinator.offsets.deletePartitions(req.groupId, doomed);
      if (errorCode !== 0) return answer(errorCode);
      return {
        errorCode: 0,
        throttleTimeMs: 0,
        topics: req.topics.map((t, i) => ({ name: t.name, partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode: codes[i]! })) })),
      };
    },
  };
}
