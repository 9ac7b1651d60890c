/** DeleteGroups: groups without members are removed with their committed offsets. */
import { decodeDeleteGroupsRequest, encodeDeleteGroupsResponse, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../../protocol/apis/delete-groups.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { ApiHandler } from '../router.ts';

export function deleteGroupsHandler(coordinator: GroupCoordinator): ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse> {
  return {
    decode: decodeDeleteGroupsRequest,
    encode: encodeDeleteGroupsResponse,
    async handle(req) {
      const ready = await coordinator.ready();
      const results = [];
      for (const groupId of req.groupsNames) {
        if (ready !== 0) {
          results.push({ groupId, errorCode: ready });
          continue;
        }
        // Tombstones first: a group whose offsets could not be deleted stays listed.
        let errorCode = coordinator.membership.groups.get(groupId)?.state === 'Empty' ? await coordinator.offsets.deleteGroup(groupId) : 0;
        if (errorCode === 0) errorCode = coordinator.membership.delete(groupId);
        results.push({ groupId, errorCode });
      }
      return { throttleTimeMs: 0, results };
    },
  };
}
