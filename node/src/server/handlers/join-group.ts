/**
 * JoinGroup: waits for the rebalance; v4+ members without an id get MEMBER_ID_REQUIRED first.
 * ACLs: Read on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeJoinGroupRequest, encodeJoinGroupResponse, type JoinGroupRequest, type JoinGroupResponse } from '../../protocol/apis/join-group.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function joinGroupHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<JoinGroupRequest, JoinGroupResponse> {
  return {
    decode: decodeJoinGroupRequest,
    encode: encodeJoinGroupResponse,
    async handle(req, ctx) {
      const ready = access.group(ctx, 'read', req.groupId) ? await coordinator.ready() : ErrorCode.GROUP_AUTHORIZATION_FAILED.code;
      const r = ready !== 0
        ? { errorCode: ready, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: req.memberId, members: [] }
        : await coordinator.membership.join({
          groupId: req.groupId,
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          clientId: ctx.header.clientId ?? '',
          clientHost: `/${ctx.conn.remote.replace(/:\d+$/, '')}`,
          sessionTimeoutMs: req.sessionTimeoutMs,
          rebalanceTimeoutMs: req.rebalanceTimeoutMs,
          protocolType: req.protocolType,
          protocols: req.protocols,
          requireKnownMemberId: ctx.header.apiVersion >= 4,
        });
      return { throttleTimeMs: 0, skipAssignment: false, ...r };
    },
  };
}
