/** Heartbeat: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
import { decodeHeartbeatRequest, encodeHeartbeatResponse, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/apis/heartbeat.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { ApiHandler } from '../router.ts';

export function heartbeatHandler(coordinator: GroupCoordinator): ApiHandler<HeartbeatRequest, HeartbeatResponse> {
  return {
    decode: decodeHeartbeatRequest,
    encode: encodeHeartbeatResponse,
    async handle(req) {
      const ready = await coordinator.ready();
      return { throttleTimeMs: 0, errorCode: ready !== 0 ? ready : coordinator.membership.heartbeat(req) };
    },
  };
}
