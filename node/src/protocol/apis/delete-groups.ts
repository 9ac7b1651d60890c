/**
 * DeleteGroups (key 42), versions 0-2 (v2 flexible).
 *
 *   Request v0-1  => groups_names:[string]
 *   Request v2    => v1 flexible
 *
 *   Response v0-1 => throttle_time_ms:int32 [result: group_id:string error_code:int16]
 *   Response v2   => v1 flexible
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rString, rTags, wArray, wString, wTags } from './fields.ts';

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: { groupId: string; errorCode: number }[];
}

const flexible = (version: number): boolean => version >= 2;

export function decodeDeleteGroupsRequest(r: Reader, version: number): DeleteGroupsRequest {
  const flex = flexible(version);
  const groupsNames = rArray(r, flex, (x) => rString(x, flex));
  rTags(r, flex);
  return { groupsNames };
}

export function encodeDeleteGroupsRequest(w: Writer, version: number, req: DeleteGroupsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.groupsNames, (x, g) => wString(x, flex, g));
  wTags(w, flex);
}

export function encodeDeleteGroupsResponse(w: Writer, version: number, res: DeleteGroupsResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.results, (x, g) => {
    wString(x, flex, g.groupId);
    x.int16(g.errorCode);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeDeleteGroupsResponse(r: Reader, version: number): DeleteGroupsResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const results = rArray(r, flex, (x) => {
    const groupId = rString(x, flex);
    const errorCode = x.int16();
    rTags(x, flex);
    return { groupId, errorCode };
  });
  rTags(r, flex);
  return { throttleTimeMs, results };
}
