/** LeaveGroup: removes members (one below v3, a batch from v3) and rebalances the rest. ACLs: Read on the group (else 30). */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeLeaveGroupRequest, encodeLeaveGroupResponse, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/apis/leave-group.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function leaveGroupHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<LeaveGroupRequest, LeaveGroupResponse> {
  return {
    decode: decodeLeaveGroupRequest,
    encode: encodeLeaveGroupResponse,
    async handle(req, ctx) {
      const ready = access.group(ctx, 'read', req.groupId) ? await coordinator.ready() : ErrorCode.GROUP_AUTHORIZATION_FAILED.code;
      if (ready !== 0) return { throttleTimeMs: 0, errorCode: ready, members: [] };
      const codes = coordinator.membership.leave(req.groupId, req.members);
      const members = req.members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: codes[i]! }));
      // Below v3 the one member's outcome is the response's error code.
      const errorCode = ctx.header.apiVersion < 3 ? (codes[0] ?? 0) : 0;
      return { throttleTimeMs: 0, errorCode, members };
    },
  };
}
