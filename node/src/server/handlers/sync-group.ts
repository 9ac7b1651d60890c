/** SyncGroup: the leader hands out assignments; followers wait for theirs. ACLs: Read on the group (else 30). */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeSyncGroupRequest, encodeSyncGroupResponse, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/apis/sync-group.ts';
import { EMPTY_BYTES } from '../../groups/group.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

export function syncGroupHandler(coordinator: GroupCoordinator, access: AccessControl): ApiHandler<SyncGroupRequest, SyncGroupResponse> {
  return {
    decode: decodeSyncGroupRequest,
    encode: encodeSyncGroupResponse,
    async handle(req, ctx) {
      const ready = access.group(ctx, 'read', req.groupId) ? await coordinator.ready() : ErrorCode.GROUP_AUTHORIZATION_FAILED.code;
      const r = ready !== 0
        ? { errorCode: ready, protocolType: null, protocolName: null, assignment: EMPTY_BYTES }
        : await coordinator.membership.sync(req);
      return { throttleTimeMs: 0, ...r };
    },
  };
}
