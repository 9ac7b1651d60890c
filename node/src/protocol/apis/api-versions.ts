/**
 * ApiVersions (key 18), versions 0-3; v3 is flexible.
 *
 *   Request v0-2  => (empty)
 *   Request v3    => client_software_name:compact_string client_software_version:compact_string _tagged
 *   Response v0   => error_code:int16 [api_key:int16 min_version:int16 max_version:int16]
 *   Response v1-2 => v0 throttle_time_ms:int32
 *   Response v3   => error_code [api_key min_version max_version _tagged] throttle_time_ms _tagged
 *                    (tags 0-3: supported/finalized features, which vonnegut neither sends nor needs)
 *
 * The response header is always v0 (KIP-511). An UNSUPPORTED_VERSION answer is written in the v0 layout
 * whatever version was asked, so old and new clients alike can read it and retry lower.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rTags, wArray, wTags } from './fields.ts';

export interface ApiVersionsRequest {
  /** v3+ only; empty strings below. */
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionEntry {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionEntry[];
  /** v1+. */
  throttleTimeMs: number;
}

const flexible = (version: number): boolean => version >= 3;

/** Decodes an ApiVersions request body. */
export function decodeApiVersionsRequest(r: Reader, version: number): ApiVersionsRequest {
  if (!flexible(version)) return { clientSoftwareName: '', clientSoftwareVersion: '' };
  const clientSoftwareName = r.compactString();
  const clientSoftwareVersion = r.compactString();
  r.taggedFields();
  return { clientSoftwareName, clientSoftwareVersion };
}

/** Encodes an ApiVersions request body. */
export function encodeApiVersionsRequest(w: Writer, version: number, req: ApiVersionsRequest): void {
  if (!flexible(version)) return;
  w.compactString(req.clientSoftwareName).compactString(req.clientSoftwareVersion).taggedFields();
}

/** Encodes an ApiVersions response body (use version 0 for an UNSUPPORTED_VERSION answer). */
export function encodeApiVersionsResponse(w: Writer, version: number, res: ApiVersionsResponse): void {
  const flex = flexible(version);
  w.int16(res.errorCode);
  wArray(w, flex, res.apiKeys, (x, k) => {
    x.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion);
    wTags(x, flex);
  });
  if (version >= 1) w.int32(res.throttleTimeMs);
  wTags(w, flex);
}

/** Decodes an ApiVersions response body. */
export function decodeApiVersionsResponse(r: Reader, version: number): ApiVersionsResponse {
  const flex = flexible(version);
  const errorCode = r.int16();
  const apiKeys = rArray(r, flex, (x) => {
    const entry = { apiKey: x.int16(), minVersion: x.int16(), maxVersion: x.int16() };
    rTags(x, flex);
    return entry;
  });
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  rTags(r, flex);
  return { errorCode, apiKeys, throttleTimeMs };
}

