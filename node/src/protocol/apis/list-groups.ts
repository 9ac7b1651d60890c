/**
 * ListGroups (key 16), versions 0-4 (v3+ flexible).
 *
 *   Request v0-2  => (empty)
 *   Request v3    => v2 flexible
 *   Request v4    => states_filter:[string]
 *
 *   Response v0   => error_code:int16 [group: group_id:string protocol_type:string]
 *   Response v1-2 => throttle_time_ms:int32 first
 *   Response v3   => v2 flexible
 *   Response v4   => groups add group_state:string
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rString, rTags, wArray, wString, wTags } from './fields.ts';

export interface ListGroupsRequest {
  /** v4+; empty = every state. */
  statesFilter: string[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  /** v4+. */
  groupState: string;
}

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: ListedGroup[];
}

const flexible = (version: number): boolean => version >= 3;

export function decodeListGroupsRequest(r: Reader, version: number): ListGroupsRequest {
  const flex = flexible(version);
  const statesFilter = version >= 4 ? rArray(r, flex, (x) => rString(x, flex)) : [];
  rTags(r, flex);
  return { statesFilter };
}

export function encodeListGroupsRequest(w: Writer, version: number, req: ListGroupsRequest): void {
  const flex = flexible(version);
  if (version >= 4) wArray(w, flex, req.statesFilter, (x, s) => wString(x, flex, s));
  wTags(w, flex);
}

export function encodeListGroupsResponse(w: Writer, version: number, res: ListGroupsResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  w.int16(res.errorCode);
  wArray(w, flex, res.groups, (g, x) => {
    wString(g, flex, x.groupId);
    wString(g, flex, x.protocolType);
    if (version >= 4) wString(g, flex, x.groupState);
    wTags(g, flex);
  });
  wTags(w, flex);
}

export function decodeListGroupsResponse(r: Reader, version: number): ListGroupsResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const errorCode = r.int16();
  const groups = rArray(r, flex, (g): ListedGroup => {
    const groupId = rString(g, flex);
    const protocolType = rString(g, flex);
    const groupState = version >= 4 ? rString(g, flex) : '';
    rTags(g, flex);
    return { groupId, protocolType, groupState };
  });
  rTags(r, flex);
  return { throttleTimeMs, errorCode, groups };
}
