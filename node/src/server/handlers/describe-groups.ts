/** DescribeGroups: state, protocol and members of each group; unknown groups are "Dead". ACLs: Describe on each group (else 30). */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeDescribeGroupsRequest, encodeDescribeGroupsResponse, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../../protocol/apis/describe-groups.ts';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/apis/metadata.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function describeGroupsHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<DescribeGroupsRequest, DescribeGroupsResponse> {
  return {
    decode: decodeDescribeGroupsRequest,
    encode: encodeDescribeGroupsResponse,
    async handle(req, ctx) {
      const ready = await coordinator.ready();
      return {
        throttleTimeMs: 0,
        groups: req.groups.map((groupId) => ({
          ...(!access.group(ctx, 'describe', groupId)
            ? { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED.code, groupId, groupState: '', protocolType: '', protocolData: '', members: [] }
            : ready !== 0
            ? { errorCode: ready, groupId, groupState: '', protocolType: '', protocolData: '', members: [] }
            : coordinator.membership.describe(groupId)),
          authorizedOperations: req.includeAuthorizedOperations ? access.authorizedOperations(ctx, 'group', groupId) : AUTHORIZED_OPERATIONS_OMITTED,
        })),
      };
    },
  };
}
