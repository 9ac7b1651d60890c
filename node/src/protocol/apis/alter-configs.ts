/**
 * AlterConfigs (key 33), versions 0-2 (v2 flexible), and IncrementalAlterConfigs (key 44), versions 0-1
 * (v1 flexible): both answer with the same response layout.
 *
 *   AlterConfigs Request            => [resource_type:int8 resource_name:string
 *                                       [name:string value:nullable_string]] validate_only:bool
 *   IncrementalAlterConfigs Request => [resource_type:int8 resource_name:string
 *                                       [name:string config_operation:int8 value:nullable_string]] validate_only:bool
 *   Response (both)                 => throttle_time_ms:int32
 *                                      [error_code:int16 error_message:nullable_string resource_type:int8 resource_name:string]
 *
 * AlterConfigs replaces a resource's whole set of overrides; IncrementalAlterConfigs changes single keys
 * (operation 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT; the last two for list-valued keys).
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

export interface AlterConfigsEntry {
  name: string;
  /** IncrementalAlterConfigs only (AlterConfigs entries are all SET). */
  operation: number;
  value: string | null;
}

export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: AlterConfigsEntry[];
}

export interface AlterConfigsRequest {
  resources: AlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface AlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResult[];
}

/** The two APIs differ only in the operation byte and where flexible versions start. */
interface Layout {
  incremental: boolean;
  flexibleFrom: number;
}

const ALTER: Layout = { incremental: false, flexibleFrom: 2 };
const INCREMENTAL: Layout = { incremental: true, flexibleFrom: 1 };

function decodeRequest(l: Layout, r: Reader, version: number): AlterConfigsRequest {
  const flex = version >= l.flexibleFrom;
  const resources = rArray(r, flex, (x): AlterConfigsResource => {
    const resourceType = x.int8();
    const resourceName = rString(x, flex);
    const configs = rArray(x, flex, (y): AlterConfigsEntry => {
      const name = rString(y, flex);
      const operation = l.incremental ? y.int8() : ConfigOperation.SET;
      const value = rNullableString(y, flex);
      rTags(y, flex);
      return { name, operation, value };
    });
    rTags(x, flex);
    return { resourceType, resourceName, configs };
  });
  const validateOnly = r.boolean();
  rTags(r, flex);
  return { resources, validateOnly };
}

function encodeRequest(l: Layout, w: Writer, version: number, req: AlterConfigsRequest): void {
  const flex = version >= l.flexibleFrom;
  wArray(w, flex, req.resources, (x, res) => {
    x.int8(res.resourceType);
    wString(x, flex, res.resourceName);
    wArray(x, flex, res.configs, (y, c) => {
      wString(y, flex, c.name);
      if (l.incremental) y.int8(c.operation);
      wNullableString(y, flex, c.value);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  w.boolean(req.validateOnly);
  wTags(w, flex);
}

function encodeResponse(l: Layout, w: Writer, version: number, res: AlterConfigsResponse): void {
  const flex = version >= l.flexibleFrom;
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.responses, (x, r) => {
    x.int16(r.errorCode);
    wNullableString(x, flex, r.errorMessage);
    x.int8(r.resourceType);
    wString(x, flex, r.resourceName);
    wTags(x, flex);
  });
  wTags(w, flex);
}

function decodeResponse(l: Layout, r: Reader, version: number): AlterConfigsResponse {
  const flex = version >= l.flexibleFrom;
  const throttleTimeMs = r.int32();
  const responses = rArray(r, flex, (x): AlterConfigsResult => {
    const errorCode = x.int16();
    const errorMessage = rNullableString(x, flex);
    const resourceType = x.int8();
    const resourceName = rString(x, flex);
    rTags(x, flex);
    return { errorCode, errorMessage, resourceType, resourceName };
  });
  rTags(r, flex);
  return { throttleTimeMs, responses };
}

export const decodeAlterConfigsRequest = (r: Reader, v: number): AlterConfigsRequest => decodeRequest(ALTER, r, v);
export const encodeAlterConfigsRequest = (w: Writer, v: number, req: AlterConfigsRequest): void => encodeRequest(ALTER, w, v, req);
export const encodeAlterConfigsResponse = (w: Writer, v: number, res: AlterConfigsResponse): void => encodeResponse(ALTER, w, v, res);
export const decodeAlterConfigsResponse = (r: Reader, v: number): AlterConfigsResponse => decodeResponse(ALTER, r, v);

export const decodeIncrementalAlterConfigsRequest = (r: Reader, v: number): AlterConfigsRequest => decodeRequest(INCREMENTAL, r, v);
export const encodeIncrementalAlterConfigsRequest = (w: Writer, v: number, req: AlterConfigsRequest): void => encodeRequest(INCREMENTAL, w, v, req);
export const encodeIncrementalAlterConfigsResponse = (w: Writer, v: number, res: AlterConfigsResponse): void => encodeResponse(INCREMENTAL, w, v, res);
export const decodeIncrementalAlterConfigsResponse = (r: Reader, v: number): AlterConfigsResponse => decodeResponse(INCREMENTAL, r, v);
