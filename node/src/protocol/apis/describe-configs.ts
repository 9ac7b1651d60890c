/**
 * DescribeConfigs (key 32), versions 0-4 (v4 flexible).
 *
 *   Request v0    => [resource: resource_type:int8 resource_name:string configuration_keys:nullable [string]]
 *   Request v1-2  => v0 include_synonyms:bool
 *   Request v3    => v2 include_documentation:bool
 *   Request v4    => v3 flexible
 *
 *   Response v0   => throttle_time_ms:int32 [result: error_code:int16 error_message:nullable_string
 *                      resource_type:int8 resource_name:string [config: name:string value:nullable_string
 *                      read_only:bool is_default:bool is_sensitive:bool]]
 *   Response v1-2 => configs replace is_default with config_source:int8 (after read_only) and add
 *                    [synonym: name:string value:nullable_string source:int8] at the end
 *   Response v3   => configs add config_type:int8 documentation:nullable_string at the end
 *   Response v4   => v3 flexible
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableArray, rNullableString, rString, rTags, wArray, wNullableArray, wNullableString, wString, wTags } from './fields.ts';

export const RESOURCE_TOPIC = 2;
export const RESOURCE_BROKER = 4;

/** Where a config value comes from (Kafka's ConfigSource). */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

/** A config's type (Kafka's ConfigType, v3+). */
export const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, LONG: 5, DOUBLE: 6, LIST: 7 } as const;

export interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  /** null = every config. */
  configurationKeys: string[] | null;
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** v1+ (v0 sends is_default = source is DEFAULT_CONFIG). */
  configSource: number;
  isSensitive: boolean;
  synonyms: ConfigSynonym[];
  configType: number;
  documentation: string | null;
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: ConfigEntry[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

const flexible = (version: number): boolean => version >= 4;

export function decodeDescribeConfigsRequest(r: Reader, version: number): DescribeConfigsRequest {
  const flex = flexible(version);
  const resources = rArray(r, flex, (x): DescribeConfigsResource => {
    const resourceType = x.int8();
    const resourceName = rString(x, flex);
    const configurationKeys = rNullableArray(x, flex, (y) => rString(y, flex));
    rTags(x, flex);
    return { resourceType, resourceName, configurationKeys };
  });
  const includeSynonyms = version >= 1 ? r.boolean() : false;
  const includeDocumentation = version >= 3 ? r.boolean() : false;
  rTags(r, flex);
  return { resources, includeSynonyms, includeDocumentation };
}

export function encodeDescribeConfigsRequest(w: Writer, version: number, req: DescribeConfigsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.resources, (x, res) => {
    x.int8(res.resourceType);
    wString(x, flex, res.resourceName);
    wNullableArray(x, flex, res.configurationKeys, (y, k) => wString(y, flex, k));
    wTags(x, flex);
  });
  if (version >= 1) w.boolean(req.includeSynonyms);
  if (version >= 3) w.boolean(req.includeDocumentation);
  wTags(w, flex);
}

export function encodeDescribeConfigsResponse(w: Writer, version: number, res: DescribeConfigsResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.results, (x, result) => {
    x.int16(result.errorCode);
    wNullableString(x, flex, result.errorMessage);
    x.int8(result.resourceType);
    wString(x, flex, result.resourceName);
    wArray(x, flex, result.configs, (y, c) => {
      wString(y, flex, c.name);
      wNullableString(y, flex, c.value);
      y.boolean(c.readOnly);
      if (version === 0) y.boolean(c.configSource === ConfigSource.DEFAULT_CONFIG);
      else y.int8(c.configSource);
      y.boolean(c.isSensitive);
      if (version >= 1) {
        wArray(y, flex, c.synonyms, (z, s) => {
          wString(z, flex, s.name);
          wNullableString(z, flex, s.value);
          z.int8(s.source);
          wTags(z, flex);
        });
      }
      if (version >= 3) {
        y.int8(c.configType);
        wNullableString(y, flex, c.documentation);
      }
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeDescribeConfigsResponse(r: Reader, version: number): DescribeConfigsResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const results = rArray(r, flex, (x): DescribeConfigsResult => {
    const errorCode = x.int16();
    const errorMessage = rNullableString(x, flex);
    const resourceType = x.int8();
    const resourceName = rString(x, flex);
    const configs = rArray(x, flex, (y): ConfigEntry => {
      const name = rString(y, flex);
      const value = rNullableString(y, flex);
      const readOnly = y.boolean();
      const configSource = version === 0 ? (y.boolean() ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG) : y.int8();
      const isSensitive = y.boolean();
      const synonyms = version >= 1
        ? rArray(y, flex, (z): ConfigSynonym => {
          const n = rString(z, flex);
          const v = rNullableString(z, flex);
          const source = z.int8();
          rTags(z, flex);
          return { name: n, value: v, source };
        })
        : [];
      const configType = version >= 3 ? y.int8() : 0;
      const documentation = version >= 3 ? rNullableString(y, flex) : null;
      rTags(y, flex);
      return { name, value, readOnly, configSource, isSensitive, synonyms, configType, documentation };
    });
    rTags(x, flex);
    return { errorCode, errorMessage, resourceType, resourceName, configs };
  });
  rTags(r, flex);
  return { throttleTimeMs, results };
}
