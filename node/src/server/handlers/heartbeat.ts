/** Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. ACLs: Read on the group (else 30). */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeHeartbeatRequest, encodeHeartbeatResponse, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/apis/heartbeat.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function heartbeatHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<HeartbeatRequest, HeartbeatResponse> {
  return {
    decode: decodeHeartbeatRequest,
    encode: encodeHeartbeatResponse,
    async handle(req, ctx) {
      const ready = access.group(ctx, 'read', req.groupId) ? await coordinator.ready() : ErrorCode.GROUP_AUTHORIZATION_FAILED.code;
      return { throttleTimeMs: 0, errorCode: ready !== 0 ? ready : coordinator.membership.heartbeat(req) };
    },
  };
}
