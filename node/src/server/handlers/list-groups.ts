/** ListGroups: every group this node coordinates (v4 filters by state). */
import { decodeListGroupsRequest, encodeListGroupsResponse, type ListGroupsRequest, type ListGroupsResponse } from '../../protocol/apis/list-groups.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { ApiHandler } from '../router.ts';

export function listGroupsHandler(coordinator: GroupCoordinator): ApiHandler<ListGroupsRequest, ListGroupsResponse> {
  return {
    decode: decodeListGroupsRequest,
    encode: encodeListGroupsResponse,
    async handle(req) {
      // Only the coordinator holds groups; elsewhere the list is empty, as on a Kafka broker without any.
      if ((await coordinator.ready()) !== 0) return { throttleTimeMs: 0, errorCode: 0, groups: [] };
      const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
      const groups = coordinator.membership.list().filter((g) => states.size === 0 || states.has(g.groupState.toLowerCase()));
      return { throttleTimeMs: 0, errorCode: 0, groups };
    },
  };
}
