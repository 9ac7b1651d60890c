/** LeaveGroup: removes members (one below v3, a batch from v3) and rebalances the rest. */
import { decodeLeaveGroupRequest, encodeLeaveGroupResponse, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/apis/leave-group.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { ApiHandler } from '../router.ts';

export function leaveGroupHandler(coordinator: GroupCoordinator): ApiHandler<LeaveGroupRequest, LeaveGroupResponse> {
  return {
    decode: decodeLeaveGroupRequest,
    encode: encodeLeaveGroupResponse,
    async handle(req, ctx) {
      const ready = await coordinator.ready();
      if (ready !== 0) return { throttleTimeMs: 0, errorCode: ready, members: [] };
      const codes = coordinator.membership.leave(req.groupId, req.members);
      const members = req.members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: codes[i]! }));
      // Below v3 the one member's outcome is the response's error code.
      const errorCode = ctx.header.apiVersion < 3 ? (codes[0] ?? 0) : 0;
      return { throttleTimeMs: 0, errorCode, members };
    },
  };
}
