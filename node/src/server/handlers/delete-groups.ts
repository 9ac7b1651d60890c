/** DeleteGroups: groups without members are removed with their committed offsets. ACLs: Delete on each group (else 30). */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeDeleteGroupsRequest, encodeDeleteGroupsResponse, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../../protocol/apis/delete-groups.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function deleteGroupsHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<DeleteGroupsRequest, DeleteGroupsResponse> {
  return {
    decode: decodeDeleteGroupsRequest,
    encode: encodeDeleteGroupsResponse,
    async handle(req, ctx) {
      const ready = await coordinator.ready();
      const results = [];
      for (const groupId of req.groupsNames) {
        if (!access.group(ctx, 'delete', groupId)) {
          results.push({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED.code });
          continue;
        }
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
