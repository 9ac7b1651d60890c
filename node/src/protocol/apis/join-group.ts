/**
 * JoinGroup (key 11), versions 0-9 (v6+ flexible).
 *
 *   Request v0    => group_id:string session_timeout_ms:int32 member_id:string protocol_type:string
 *                    [protocol: name:string metadata:bytes]
 *   Request v1-4  => rebalance_timeout_ms:int32 after session_timeout_ms
 *   Request v5    => group_instance_id:nullable_string after member_id (static membership, KIP-345)
 *   Request v6-7  => v5 flexible
 *   Request v8-9  => reason:nullable_string at the end
 *
 *   Response v0-1 => error_code:int16 generation_id:int32 protocol_name:string leader:string member_id:string
 *                    [member: member_id:string metadata:bytes]
 *   Response v2-4 => throttle_time_ms:int32 first
 *   Response v5   => members add group_instance_id:nullable_string
 *   Response v6   => v5 flexible
 *   Response v7   => protocol_type:nullable_string before protocol_name, which becomes nullable
 *   Response v8   => v7
 *   Response v9   => skip_assignment:bool after leader
 *
 * From v4 a member joining without an id is answered MEMBER_ID_REQUIRED with the id it must rejoin with.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  /** v1+; v0 uses the session timeout. */
  rebalanceTimeoutMs: number;
  memberId: string;
  /** v5+. */
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  /** v8+. */
  reason: string | null;
}

export interface JoinGroupMember {
  memberId: string;
  /** v5+. */
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  /** v7+. */
  protocolType: string | null;
  /** Nullable from v7 (null with an error); '' below. */
  protocolName: string | null;
  leader: string;
  /** v9+. */
  skipAssignment: boolean;
  memberId: string;
  members: JoinGroupMember[];
}

const flexible = (version: number): boolean => version >= 6;

const rBytes = (r: Reader, flex: boolean): Buffer => (flex ? r.compactBytes() : r.bytes());
const wBytes = (w: Writer, flex: boolean, b: Uint8Array): void => {
  if (flex) w.compactBytes(b);
  else w.bytes(b);
};

export function decodeJoinGroupRequest(r: Reader, version: number): JoinGroupRequest {
  const flex = flexible(version);
  const groupId = rString(r, flex);
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
  const memberId = rString(r, flex);
  const groupInstanceId = version >= 5 ? rNullableString(r, flex) : null;
  const protocolType = rString(r, flex);
  const protocols = rArray(r, flex, (x): JoinGroupProtocol => {
    const name = rString(x, flex);
    const metadata = rBytes(x, flex);
    rTags(x, flex);
    return { name, metadata };
  });
  const reason = version >= 8 ? rNullableString(r, flex) : null;
  rTags(r, flex);
  return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols, reason };
}

export function encodeJoinGroupRequest(w: Writer, version: number, req: JoinGroupRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.groupId);
  w.int32(req.sessionTimeoutMs);
  if (version >= 1) w.int32(req.rebalanceTimeoutMs);
  wString(w, flex, req.memberId);
  if (version >= 5) wNullableString(w, flex, req.groupInstanceId);
  wString(w, flex, req.protocolType);
  wArray(w, flex, req.protocols, (x, p) => {
    wString(x, flex, p.name);
    wBytes(x, flex, p.metadata);
    wTags(x, flex);
  });
  if (version >= 8) wNullableString(w, flex, req.reason);
  wTags(w, flex);
}

export function encodeJoinGroupResponse(w: Writer, version: number, res: JoinGroupResponse): void {
  const flex = flexible(version);
  if (version >= 2) w.int32(res.throttleTimeMs);
  w.int16(res.errorCode);
  w.int32(res.generationId);
  if (version >= 7) {
    wNullableString(w, flex, res.protocolType);
    wNullableString(w, flex, res.protocolName);
  } else {
    wString(w, flex, res.protocolName ?? '');
  }
  wString(w, flex, res.leader);
  if (version >= 9) w.boolean(res.skipAssignment);
  wString(w, flex, res.memberId);
  wArray(w, flex, res.members, (x, m) => {
    wString(x, flex, m.memberId);
    if (version >= 5) wNullableString(x, flex, m.groupInstanceId);
    wBytes(x, flex, m.metadata);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeJoinGroupResponse(r: Reader, version: number): JoinGroupResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 2 ? r.int32() : 0;
  const errorCode = r.int16();
  const generationId = r.int32();
  const protocolType = version >= 7 ? rNullableString(r, flex) : null;
  const protocolName = version >= 7 ? rNullableString(r, flex) : rString(r, flex);
  const leader = rString(r, flex);
  const skipAssignment = version >= 9 ? r.boolean() : false;
  const memberId = rString(r, flex);
  const members = rArray(r, flex, (x): JoinGroupMember => {
    const id = rString(x, flex);
    const groupInstanceId = version >= 5 ? rNullableString(x, flex) : null;
    const metadata = rBytes(x, flex);
    rTags(x, flex);
    return { memberId: id, groupInstanceId, metadata };
  });
  rTags(r, flex);
  return { throttleTimeMs, errorCode, generationId, protocolType, protocolName, leader, skipAssignment, memberId, members };
}
