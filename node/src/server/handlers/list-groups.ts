/**
 * ListGroups: every group this node coordinates (v4 filters by state). ACLs, as Kafka: Describe on the
 * cluster lists all; otherwise only the groups the principal may Describe.
 */
import { decodeListGroupsRequest, encodeListGroupsResponse, type ListGroupsRequest, type ListGroupsResponse } from '../../protocol/apis/list-groups.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function listGroupsHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<ListGroupsRequest, ListGroupsResponse> {
  return {
    decode: decodeListGroupsRequest,
    encode: encodeListGroupsResponse,
    async handle(req, ctx) {
      // Only the coordinator holds groups; elsewhere the list is empty, as on a Kafka broker without any.
      if ((await coordinator.ready()) !== 0) return { throttleTimeMs: 0, errorCode: 0, groups: [] };
      const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
      const all = access.cluster(ctx, 'describe', false);
      const groups = coordinator.membership.list()
        .filter((g) => states.size === 0 || states.has(g.groupState.toLowerCase()))
        .filter((g) => all || access.group(ctx, 'describe', g.groupId));
      return { throttleTimeMs: 0, errorCode: 0, groups };
    },
  };
}
