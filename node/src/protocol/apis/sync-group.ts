/**
 * SyncGroup (key 14), versions 0-5 (v4+ flexible).
 *
 *   Request v0-2  => group_id:string generation_id:int32 member_id:string
 *                    [assignment: member_id:string assignment:bytes]
 *   Request v3    => group_instance_id:nullable_string after member_id
 *   Request v4    => v3 flexible
 *   Request v5    => protocol_type:nullable_string protocol_name:nullable_string after group_instance_id
 *
 *   Response v0   => error_code:int16 assignment:bytes
 *   Response v1-3 => throttle_time_ms:int32 first
 *   Response v4   => v3 flexible
 *   Response v5   => protocol_type:nullable_string protocol_name:nullable_string after error_code
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export interface SyncGroupAssignment {
  memberId: string;
  assignment: Buffer;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
  /** v5+. */
  protocolType: string | null;
  /** v5+. */
  protocolName: string | null;
  /** Only the leader's carries assignments. */
  assignments: SyncGroupAssignment[];
}

export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  /** v5+. */
  protocolType: string | null;
  /** v5+. */
  protocolName: string | null;
  assignment: Buffer;
}

const flexible = (version: number): boolean => version >= 4;

const rBytes = (r: Reader, flex: boolean): Buffer => (flex ? r.compactBytes() : r.bytes());
const wBytes = (w: Writer, flex: boolean, b: Uint8Array): void => {
  if (flex) w.compactBytes(b);
  else w.bytes(b);
};

export function decodeSyncGroupRequest(r: Reader, version: number): SyncGroupRequest {
  const flex = flexible(version);
  const groupId = rString(r, flex);
  const generationId = r.int32();
  const memberId = rString(r, flex);
  const groupInstanceId = version >= 3 ? rNullableString(r, flex) : null;
  const protocolType = version >= 5 ? rNullableString(r, flex) : null;
  const protocolName = version >= 5 ? rNullableString(r, flex) : null;
  const assignments = rArray(r, flex, (x): SyncGroupAssignment => {
    const id = rString(x, flex);
    const assignment = rBytes(x, flex);
    rTags(x, flex);
    return { memberId: id, assignment };
  });
  rTags(r, flex);
  return { groupId, generationId, memberId, groupInstanceId, protocolType, protocolName, assignments };
}

export function encodeSyncGroupRequest(w: Writer, version: number, req: SyncGroupRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.groupId);
  w.int32(req.generationId);
  wString(w, flex, req.memberId);
  if (version >= 3) wNullableString(w, flex, req.groupInstanceId);
  if (version >= 5) {
    wNullableString(w, flex, req.protocolType);
    wNullableString(w, flex, req.protocolName);
  }
  wArray(w, flex, req.assignments, (x, a) => {
    wString(x, flex, a.memberId);
    wBytes(x, flex, a.assignment);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function encodeSyncGroupResponse(w: Writer, version: number, res: SyncGroupResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  w.int16(res.errorCode);
  if (version >= 5) {
    wNullableString(w, flex, res.protocolType);
    wNullableString(w, flex, res.protocolName);
  }
  wBytes(w, flex, res.assignment);
  wTags(w, flex);
}

export function decodeSyncGroupResponse(r: Reader, version: number): SyncGroupResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const errorCode = r.int16();
  const protocolType = version >= 5 ? rNullableString(r, flex) : null;
  const protocolName = version >= 5 ? rNullableString(r, flex) : null;
  const assignment = rBytes(r, flex);
  rTags(r, flex);
  return { throttleTimeMs, errorCode, protocolType, protocolName, assignment };
}
