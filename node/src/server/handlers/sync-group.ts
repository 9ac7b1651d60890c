/** SyncGroup: the leader hands out assignments; followers wait for theirs. */
import { decodeSyncGroupRequest, encodeSyncGroupResponse, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/apis/sync-group.ts';
import { EMPTY_BYTES } from '../../groups/group.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { ApiHandler } from '../router.ts';

export function syncGroupHandler(coordinator: GroupCoordinator): ApiHandler<SyncGroupRequest, SyncGroupResponse> {
  return {
    decode: decodeSyncGroupRequest,
    encode: encodeSyncGroupResponse,
    async handle(req) {
      const ready = await coordinator.ready();
      const r = ready !== 0
        ? { errorCode: ready, protocolType: null, protocolName: null, assignment: EMPTY_BYTES }
        : await coordinator.membership.sync(req);
      return { throttleTimeMs: 0, ...r };
    },
  };
}
