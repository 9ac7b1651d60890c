/** FindCoordinator: every node names the same coordinator, the head of the chain holding internal topics. */
import { decodeFindCoordinatorRequest, encodeFindCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../../protocol/apis/find-coordinator.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { ApiHandler } from '../router.ts';

export function findCoordinatorHandler(coordinator: GroupCoordinator): ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse> {
  return {
    decode: decodeFindCoordinatorRequest,
    encode: encodeFindCoordinatorResponse,
    async handle(req) {
      const node = coordinator.coordinatorNode();
      return {
        throttleTimeMs: 0,
        coordinators: req.keys.map((key) => node
          ? { key, nodeId: node.nodeId, host: node.host, port: node.port, errorCode: 0, errorMessage: null }
          : { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE.code, errorMessage: 'the chain has no head yet' }),
      };
    },
  };
}
