/**
 * DescribeGroups (key 15), versions 0-5 (v5 flexible).
 *
 *   Request v0-2  => groups:[string]
 *   Request v3-4  => groups:[string] include_authorized_operations:bool
 *   Request v5    => v4 flexible
 *
 *   Response v0   => [group: error_code:int16 group_id:string group_state:string protocol_type:string
 *                      protocol_data:string [member: member_id:string client_id:string client_host:string
 *                      member_metadata:bytes member_assignment:bytes]]
 *   Response v1-2 => throttle_time_ms:int32 first
 *   Response v3   => groups add authorized_operations:int32 at the end
 *   Response v4   => members add group_instance_id:nullable_string after member_id
 *   Response v5   => v4 flexible
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

import { AUTHORIZED_OPERATIONS_OMITTED } from './metadata.ts';

export interface DescribeGroupsRequest {
  groups: string[];
  /** v3+. */
  includeAuthorizedOperations: boolean;
}

export interface DescribedGroupMember {
  memberId: string;
  /** v4+. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
  /** v3+. */
  authorizedOperations: number;
}

export interface DescribeGroupsResponse {
  throttleTimeMs: number;
  groups: DescribedGroup[];
}

const flexible = (version: number): boolean => version >= 5;

const rBytes = (r: Reader, flex: boolean): Buffer => (flex ? r.compactBytes() : r.bytes());
const wBytes = (w: Writer, flex: boolean, b: Uint8Array): void => {
  if (flex) w.compactBytes(b);
  else w.bytes(b);
};

export function decodeDescribeGroupsRequest(r: Reader, version: number): DescribeGroupsRequest {
  const flex = flexible(version);
  const groups = rArray(r, flex, (x) => rString(x, flex));
  const includeAuthorizedOperations = version >= 3 ? r.boolean() : false;
  rTags(r, flex);
  return { groups, includeAuthorizedOperations };
}

export function encodeDescribeGroupsRequest(w: Writer, version: number, req: DescribeGroupsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.groups, (x, g) => wString(x, flex, g));
  if (version >= 3) w.boolean(req.includeAuthorizedOperations);
  wTags(w, flex);
}

export function encodeDescribeGroupsResponse(w: Writer, version: number, res: DescribeGroupsResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  wArray(w, flex, res.groups, (g, x) => {
    g.int16(x.errorCode);
    wString(g, flex, x.groupId);
    wString(g, flex, x.groupState);
    wString(g, flex, x.protocolType);
    wString(g, flex, x.protocolData);
    wArray(g, flex, x.members, (m, y) => {
      wString(m, flex, y.memberId);
      if (version >= 4) wNullableString(m, flex, y.groupInstanceId);
      wString(m, flex, y.clientId);
      wString(m, flex, y.clientHost);
      wBytes(m, flex, y.memberMetadata);
      wBytes(m, flex, y.memberAssignment);
      wTags(m, flex);
    });
    if (version >= 3) g.int32(x.authorizedOperations);
    wTags(g, flex);
  });
  wTags(w, flex);
}

export function decodeDescribeGroupsResponse(r: Reader, version: number): DescribeGroupsResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const groups = rArray(r, flex, (g): DescribedGroup => {
    const errorCode = g.int16();
    const groupId = rString(g, flex);
    const groupState = rString(g, flex);
    const protocolType = rString(g, flex);
    const protocolData = rString(g, flex);
    const members = rArray(g, flex, (m): DescribedGroupMember => {
      const memberId = rString(m, flex);
      const groupInstanceId = version >= 4 ? rNullableString(m, flex) : null;
      const clientId = rString(m, flex);
      const clientHost = rString(m, flex);
      const memberMetadata = rBytes(m, flex);
      const memberAssignment = rBytes(m, flex);
      rTags(m, flex);
      return { memberId, groupInstanceId, clientId, clientHost, memberMetadata, memberAssignment };
    });
    const authorizedOperations = version >= 3 ? g.int32() : AUTHORIZED_OPERATIONS_OMITTED;
    rTags(g, flex);
    return { errorCode, groupId, groupState, protocolType, protocolData, members, authorizedOperations };
  });
  rTags(r, flex);
  return { throttleTimeMs, groups };
}
