/**
 * The ACL admin APIs of KIP-140: DescribeAcls (key 29), CreateAcls (30), DeleteAcls (31), versions 0-3
 * (v1 adds the resource pattern type, v2 is flexible, v3 only admits the User resource type). One file:
 * the three share the binding and filter layouts (Kafka's CreateAclsRequest.json, DescribeAcls*.json,
 * DeleteAcls*.json).
 *
 *   binding     => resource_type:int8 resource_name:string [v1+ pattern_type:int8] principal:string
 *                  host:string operation:int8 permission_type:int8
 *   filter      => resource_type:int8 resource_name:nullable_string [v1+ pattern_type:int8]
 *                  principal:nullable_string host:nullable_string operation:int8 permission_type:int8
 *
 *   CreateAcls request    => creations:[binding]
 *   CreateAcls response   => throttle_time_ms:int32 results:[error_code:int16 error_message:nullable_string]
 *   DescribeAcls request  => filter (not an array: one filter)
 *   DescribeAcls response => throttle_time_ms:int32 error_code:int16 error_message:nullable_string
 *                            resources:[resource_type:int8 resource_name:string [v1+ pattern_type:int8]
 *                                       acls:[principal:string host:string operation:int8 permission_type:int8]]
 *   DeleteAcls request    => filters:[filter]
 *   DeleteAcls response   => throttle_time_ms:int32 filter_results:[error_code:int16 error_message:nullable_string
 *                            matching_acls:[error_code:int16 error_message:nullable_string binding]]
 *
 * Below v1 the pattern type is absent and means LITERAL (3), Kafka's default for the field.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

/** Kafka's ResourceType codes. */
export const AclResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
/** Kafka's PatternType codes. */
export const AclPatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
/** Kafka's AclOperation codes. */
export const AclOperationCode = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
/** Kafka's AclPermissionType codes. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** One ACL as the wire carries it (codes, not names). */
export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A filter: null strings match anything; ANY codes match anything (MATCH patterns: see security/acl-bindings.ts). */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

export interface CreateAclsRequest {
  creations: AclBinding[];
}
export interface CreateAclsResponse {
  throttleTimeMs: number;
  results: { errorCode: number; errorMessage: string | null }[];
}
export type DescribeAclsRequest = AclFilter;
export interface DescribeAclsResource {
  resourceType: number;
  resourceName: string;
  patternType: number;
  acls: { principal: string; host: string; operation: number; permissionType: number }[];
}
export interface DescribeAclsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: DescribeAclsResource[];
}
export interface DeleteAclsRequest {
  filters: AclFilter[];
}
export interface DeleteAclsMatchingAcl extends AclBinding {
  errorCode: number;
  errorMessage: string | null;
}
export interface DeleteAclsResponse {
  throttleTimeMs: number;
  filterResults: { errorCode: number; errorMessage: string | null; matchingAcls: DeleteAclsMatchingAcl[] }[];
}

const flexible = (version: number): boolean => version >= 2;
const hasPattern = (version: number): boolean => version >= 1;

function rBinding(r: Reader, version: number): AclBinding {
  const flex = flexible(version);
  const resourceType = r.int8();
  const resourceName = rString(r, flex);
  const patternType = hasPattern(version) ? r.int8() : AclPatternType.LITERAL;
  const principal = rString(r, flex);
  const host = rString(r, flex);
  const operation = r.int8();
  const permissionType = r.int8();
  return { resourceType, resourceName, patternType, principal, host, operation, permissionType };
}

function wBinding(w: Writer, version: number, b: AclBinding): void {
  const flex = flexible(version);
  w.int8(b.resourceType);
  wString(w, flex, b.resourceName);
  if (hasPattern(version)) w.int8(b.patternType);
  wString(w, flex, b.principal);
  wString(w, flex, b.host);
  w.int8(b.operation);
  w.int8(b.permissionType);
}

function rFilter(r: Reader, version: number): AclFilter {
  const flex = flexible(version);
  const resourceType = r.int8();
  const resourceName = rNullableString(r, flex);
  const patternType = hasPattern(version) ? r.int8() : AclPatternType.LITERAL;
  const principal = rNullableString(r, flex);
  const host = rNullableString(r, flex);
  const operation = r.int8();
  const permissionType = r.int8();
  return { resourceType, resourceName, patternType, principal, host, operation, permissionType };
}

function wFilter(w: Writer, version: number, f: AclFilter): void {
  const flex = flexible(version);
  w.int8(f.resourceType);
  wNullableString(w, flex, f.resourceName);
  if (hasPattern(version)) w.int8(f.patternType);
  wNullableString(w, flex, f.principal);
  wNullableString(w, flex, f.host);
  w.int8(f.operation);
  w.int8(f.permissionType);
}

export function decodeCreateAclsRequest(r: Reader, version: number): CreateAclsRequest {
  const flex = flexible(version);
  const creations = rArray(r, flex, (x) => {
    const b = rBinding(x, version);
    rTags(x, flex);
    return b;
  });
  rTags(r, flex);
  return { creations };
}

export function encodeCreateAclsRequest(w: Writer, version: number, req: CreateAclsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.creations, (x, b) => {
    wBinding(x, version, b);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function encodeCreateAclsResponse(w: Writer, version: number, res: CreateAclsResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.results, (x, e) => {
    x.int16(e.errorCode);
    wNullableString(x, flex, e.errorMessage);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeCreateAclsResponse(r: Reader, version: number): CreateAclsResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const results = rArray(r, flex, (x) => {
    const errorCode = x.int16();
    const errorMessage = rNullableString(x, flex);
    rTags(x, flex);
    return { errorCode, errorMessage };
  });
  rTags(r, flex);
  return { throttleTimeMs, results };
}

export function decodeDescribeAclsRequest(r: Reader, version: number): DescribeAclsRequest {
  const f = rFilter(r, version);
  rTags(r, flexible(version));
  return f;
}

export function encodeDescribeAclsRequest(w: Writer, version: number, req: DescribeAclsRequest): void {
  wFilter(w, version, req);
  wTags(w, flexible(version));
}

export function encodeDescribeAclsResponse(w: Writer, version: number, res: DescribeAclsResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  w.int16(res.errorCode);
  wNullableString(w, flex, res.errorMessage);
  wArray(w, flex, res.resources, (x, resource) => {
    x.int8(resource.resourceType);
    wString(x, flex, resource.resourceName);
    if (hasPattern(version)) x.int8(resource.patternType);
    wArray(x, flex, resource.acls, (y, a) => {
      wString(y, flex, a.principal);
      wString(y, flex, a.host);
      y.int8(a.operation);
      y.int8(a.permissionType);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeDescribeAclsResponse(r: Reader, version: number): DescribeAclsResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  const errorMessage = rNullableString(r, flex);
  const resources = rArray(r, flex, (x) => {
    const resourceType = x.int8();
    const resourceName = rString(x, flex);
    const patternType = hasPattern(version) ? x.int8() : AclPatternType.LITERAL;
    const acls = rArray(x, flex, (y) => {
      const principal = rString(y, flex);
      const host = rString(y, flex);
      const operation = y.int8();
      const permissionType = y.int8();
      rTags(y, flex);
      return { principal, host, operation, permissionType };
    });
    rTags(x, flex);
    return { resourceType, resourceName, patternType, acls };
  });
  rTags(r, flex);
  return { throttleTimeMs, errorCode, errorMessage, resources };
}

export function decodeDeleteAclsRequest(r: Reader, version: number): DeleteAclsRequest {
  const flex = flexible(version);
  const filters = rArray(r, flex, (x) => {
    const f = rFilter(x, version);
    rTags(x, flex);
    return f;
  });
  rTags(r, flex);
  return { filters };
}

export function encodeDeleteAclsRequest(w: Writer, version: number, req: DeleteAclsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.filters, (x, f) => {
    wFilter(x, version, f);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function encodeDeleteAclsResponse(w: Writer, version: number, res: DeleteAclsResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.filterResults, (x, fr) => {
    x.int16(fr.errorCode);
    wNullableString(x, flex, fr.errorMessage);
    wArray(x, flex, fr.matchingAcls, (y, m) => {
      y.int16(m.errorCode);
      wNullableString(y, flex, m.errorMessage);
      wBinding(y, version, m);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeDeleteAclsResponse(r: Reader, version: number): DeleteAclsResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const filterResults = rArray(r, flex, (x) => {
    const errorCode = x.int16();
    const errorMessage = rNullableString(x, flex);
    const matchingAcls = rArray(x, flex, (y) => {
      const errorCode2 = y.int16();
      const errorMessage2 = rNullableString(y, flex);
      const b = rBinding(y, version);
      rTags(y, flex);
      return { errorCode: errorCode2, errorMessage: errorMessage2, ...b };
    });
    rTags(x, flex);
    return { errorCode, errorMessage, matchingAcls };
  });
  rTags(r, flex);
  return { throttleTimeMs, filterResults };
}
