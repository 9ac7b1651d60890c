/**
 * FindCoordinator: every node names the same coordinator, the head of the chain holding internal topics,
 * for groups (key type 0) and transactional ids (key type 1) alike; other key types are INVALID_REQUEST.
 * ACLs: Describe on a group key, else GROUP_AUTHORIZATION_FAILED for it.
 */
import { COORDINATOR_KEY_GROUP, COORDINATOR_KEY_TRANSACTION, decodeFindCoordinatorRequest, encodeFindCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../../protocol/apis/find-coordinator.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function findCoordinatorHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<FindCoordinatorRequest, FindCoordinatorResponse> {
  return {
    decode: decodeFindCoordinatorRequest,
    encode: encodeFindCoordinatorResponse,
    async handle(req, ctx) {
      const node = coordinator.coordinatorNode();
      return {
        throttleTimeMs: 0,
        coordinators: req.keys.map((key) => req.keyType === COORDINATOR_KEY_GROUP && !access.group(ctx, 'describe', key)
          ? { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED.code, errorMessage: `not authorized to describe group ${key}` }
          : req.keyType !== COORDINATOR_KEY_GROUP && req.keyType !== COORDINATOR_KEY_TRANSACTION
          ? { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST.code, errorMessage: `unknown coordinator key type ${req.keyType}` }
          : node
          ? { key, nodeId: node.nodeId, host: node.host, port: node.port, errorCode: 0, errorMessage: null }
          : { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE.code, errorMessage: 'the chain has no head yet' }),
      };
    },
  };
}
