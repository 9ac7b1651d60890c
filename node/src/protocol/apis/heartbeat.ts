/**
 * Heartbeat (key 12), versions 0-4 (v4 flexible).
 *
 *   Request v0-2  => group_id:string generation_id:int32 member_id:string
 *   Request v3    => v2 group_instance_id:nullable_string
 *   Request v4    => v3 flexible
 *
 *   Response v0   => error_code:int16
 *   Response v1-3 => throttle_time_ms:int32 error_code:int16
 *   Response v4   => v3 flexible
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rNullableString, rString, rTags, wNullableString, wString, wTags } from './fields.ts';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  /** v3+. */
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}

const flexible = (version: number): boolean => version >= 4;

export function decodeHeartbeatRequest(r: Reader, version: number): HeartbeatRequest {
  const flex = flexible(version);
  const groupId = rString(r, flex);
  const generationId = r.int32();
  const memberId = rString(r, flex);
  const groupInstanceId = version >= 3 ? rNullableString(r, flex) : null;
  rTags(r, flex);
  return { groupId, generationId, memberId, groupInstanceId };
}

export function encodeHeartbeatRequest(w: Writer, version: number, req: HeartbeatRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.groupId);
  w.int32(req.generationId);
  wString(w, flex, req.memberId);
  if (version >= 3) wNullableString(w, flex, req.groupInstanceId);
  wTags(w, flex);
}

export function encodeHeartbeatResponse(w: Writer, version: number, res: HeartbeatResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  w.int16(res.errorCode);
  wTags(w, flex);
}

export function decodeHeartbeatResponse(r: Reader, version: number): HeartbeatResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const errorCode = r.int16();
  rTags(r, flex);
  return { throttleTimeMs, errorCode };
}
