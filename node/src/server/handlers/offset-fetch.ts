/**
 * OffsetFetch: committed offsets per partition (-1 where none); null topics = everything the group has.
 * ACLs, as Kafka: Describe on the group (else GROUP_AUTHORIZATION_FAILED) and Describe on each topic
 * (else TOPIC_AUTHORIZATION_FAILED for its partitions; left out when the request asks for all topics).
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeOffsetFetchRequest, encodeOffsetFetchResponse, type OffsetFetchGroupResponse, type OffsetFetchRequest, type OffsetFetchResponse } from '../../protocol/apis/offset-fetch.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler, RequestContext } from '../router.ts';

type TopicAsked = { name: string; partitionIndexes: number[] };
type TopicsAsked = TopicAsked[] | null;

function failedTopic(t: TopicAsked, errorCode: number): OffsetFetchGroupResponse['topics'][number] {
  return {
    name: t.name,
    partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
  };
}

/** Every partition asked for answers `errorCode` too: below v2 clients read the group's error there. */
function failedGroup(groupId: string, topics: TopicsAsked, errorCode: number): OffsetFetchGroupResponse {
  return { groupId, errorCode, topics: (topics ?? []).map((t) => failedTopic(t, errorCode)) };
}

function fetchGroup(coordinator: GroupCoordinator, access: AccessControl, ctx: RequestContext, groupId: string, topics: TopicsAsked): OffsetFetchGroupResponse {
  if (topics === null) {
    return {
      groupId,
      errorCode: 0,
      topics: [...coordinator.offsets.all(groupId)].filter(([name]) => access.topic(ctx, 'describe', name, false)).map(([name, parts]) => ({
        name,
        partitions: parts.map(({ partition, committed }) => ({
          partitionIndex: partition, committedOffset: committed.offset, committedLeaderEpoch: committed.leaderEpoch, metadata: committed.metadata, errorCode: 0,
        })),
      })),
    };
  }
  return {
    groupId,
    errorCode: 0,
    topics: topics.map((t) => (!access.topic(ctx, 'describe', t.name) ? failedTopic(t, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code) : {
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const c = coordinator.offsets.get(groupId, t.name, p);
        return { partitionIndex: p, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.leaderEpoch ?? -1, metadata: c?.metadata ?? '', errorCode: 0 };
      }),
    })),
  };
}

export function offsetFetchHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<OffsetFetchRequest, OffsetFetchResponse> {
  return {
    decode: decodeOffsetFetchRequest,
    encode: encodeOffsetFetchResponse,
    async handle(req, ctx) {
      const ready = await coordinator.ready();
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => (!access.group(ctx, 'describe', g.groupId)
          ? failedGroup(g.groupId, g.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED.code)
          : ready !== 0
            ? failedGroup(g.groupId, g.topics, ready)
            : fetchGroup(coordinator, access, ctx, g.groupId, g.topics))),
      };
    },
  };
}
