/**
 * LeaveGroup (key 13), versions 0-5 (v4+ flexible).
 *
 *   Request v0-2  => group_id:string member_id:string
 *   Request v3    => group_id:string [member: member_id:string group_instance_id:nullable_string]  (KIP-345)
 *   Request v4    => v3 flexible
 *   Request v5    => members add reason:nullable_string
 *
 *   Response v0   => error_code:int16
 *   Response v1-2 => throttle_time_ms:int32 error_code:int16
 *   Response v3   => v2 [member: member_id:string group_instance_id:nullable_string error_code:int16]
 *   Response v4-5 => v3 flexible
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  /** v5+. */
  reason: string | null;
}

export interface LeaveGroupRequest {
  groupId: string;
  /** One member below v3. */
  members: LeavingMember[];
}

export interface LeftMember {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** v3+. */
  members: LeftMember[];
}

const flexible = (version: number): boolean => version >= 4;

export function decodeLeaveGroupRequest(r: Reader, version: number): LeaveGroupRequest {
  const flex = flexible(version);
  const groupId = rString(r, flex);
  let members: LeavingMember[];
  if (version >= 3) {
    members = rArray(r, flex, (x): LeavingMember => {
      const memberId = rString(x, flex);
      const groupInstanceId = rNullableString(x, flex);
      const reason = version >= 5 ? rNullableString(x, flex) : null;
      rTags(x, flex);
      return { memberId, groupInstanceId, reason };
    });
  } else {
    members = [{ memberId: rString(r, flex), groupInstanceId: null, reason: null }];
  }
  rTags(r, flex);
  return { groupId, members };
}

export function encodeLeaveGroupRequest(w: Writer, version: number, req: LeaveGroupRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.groupId);
  if (version >= 3) {
    wArray(w, flex, req.members, (x, m) => {
      wString(x, flex, m.memberId);
      wNullableString(x, flex, m.groupInstanceId);
      if (version >= 5) wNullableString(x, flex, m.reason);
      wTags(x, flex);
    });
  } else {
    wString(w, flex, req.members[0]?.memberId ?? '');
  }
  wTags(w, flex);
}

export function encodeLeaveGroupResponse(w: Writer, version: number, res: LeaveGroupResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  w.int16(res.errorCode);
  if (version >= 3) {
    wArray(w, flex, res.members, (x, m) => {
      wString(x, flex, m.memberId);
      wNullableString(x, flex, m.groupInstanceId);
      x.int16(m.errorCode);
      wTags(x, flex);
    });
  }
  wTags(w, flex);
}

export function decodeLeaveGroupResponse(r: Reader, version: number): LeaveGroupResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const errorCode = r.int16();
  const members = version >= 3
    ? rArray(r, flex, (x): LeftMember => {
      const memberId = rString(x, flex);
      const groupInstanceId = rNullableString(x, flex);
      const code = x.int16();
      rTags(x, flex);
      return { memberId, groupInstanceId, errorCode: code };
    })
    : [];
  rTags(r, flex);
  return { throttleTimeMs, errorCode, members };
}
