/** OffsetFetch: committed offsets per partition (-1 where none); null topics = everything the group has. */
import { decodeOffsetFetchRequest, encodeOffsetFetchResponse, type OffsetFetchGroupResponse, type OffsetFetchRequest, type OffsetFetchResponse } from '../../protocol/apis/offset-fetch.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { ApiHandler } from '../router.ts';

function fetchGroup(coordinator: GroupCoordinator, groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null): OffsetFetchGroupResponse {
  if (topics === null) {
    return {
      groupId,
      errorCode: 0,
      topics: [...coordinator.offsets.all(groupId)].map(([name, parts]) => ({
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
    topics: topics.map((t) => ({
      name: t.name,
      partitions: t.partitionIndexes.map((p) => {
        const c = coordinator.offsets.get(groupId, t.name, p);
        return { partitionIndex: p, committedOffset: c?.offset ?? -1, committedLeaderEpoch: c?.leaderEpoch ?? -1, metadata: c?.metadata ?? '', errorCode: 0 };
      }),
    })),
  };
}

export function offsetFetchHandler(coordinator: GroupCoordinator): ApiHandler<OffsetFetchRequest, OffsetFetchResponse> {
  return {
    decode: decodeOffsetFetchRequest,
    encode: encodeOffsetFetchResponse,
    async handle(req) {
      const ready = await coordinator.ready();
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((g) => (ready !== 0
          ? {
            groupId: g.groupId,
            errorCode: ready,
            topics: (g.topics ?? []).map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((p) => ({ partitionIndex: p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ready })),
            })),
          }
          : fetchGroup(coordinator, g.groupId, g.topics))),
      };
    },
  };
}
