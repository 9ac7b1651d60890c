/**
 * Request and response headers.
 *
 *   RequestHeader v0 => api_key:int16 api_version:int16 correlation_id:int32
 *   RequestHeader v1 => v0 client_id:nullable_string
 *   RequestHeader v2 => v1 _tagged_fields            (client_id stays a classic string, KIP-482)
 *   ResponseHeader v0 => correlation_id:int32
 *   ResponseHeader v1 => v0 _tagged_fields
 *
 * Flexible API versions use request v2 / response v1; others use request v1 / response v0. Header v0
 * exists only for ControlledShutdown v0, which vonnegut does not speak. ApiVersions responses always use
 * header v0 so a client that asked with a version we do not know can still parse the answer (KIP-511).
 */
import { ApiKey, isFlexible, isSupported } from './api-keys.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface DecodedRequestHeader extends RequestHeader {
  /** The header version that was read: 2 when the (known) API version is flexible, else 1. */
  headerVersion: number;
  /** Whether vonnegut implements this API and version; the body is only meaningful when true. */
  supported: boolean;
  /** Offset of the request body in the frame. */
  bodyOffset: number;
}

/** The request header version a client uses for this API version. */
export function requestHeaderVersion(apiKey: number, version: number): number {
  return isFlexible(apiKey, version) ? 2 : 1;
}

/** The response header version for this API version (ApiVersions is always 0). */
export function responseHeaderVersion(apiKey: number, version: number): number {
  if (apiKey === ApiKey.ApiVersions) return 0;
  return isFlexible(apiKey, version) ? 1 : 0;
}

/** Writes a request header of the given version. */
export function writeRequestHeader(w: Writer, headerVersion: number, h: RequestHeader): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId);
  if (headerVersion >= 1) w.nullableString(h.clientId);
  if (headerVersion >= 2) w.taggedFields();
}

/**
 * Decodes the header of a request frame (without its size prefix), whatever the API or version, so the
 * server can answer an unknown ApiVersions version with UNSUPPORTED_VERSION instead of closing.
 * For unknown API versions the tagged-field section (if any) is not consumed: nobody reads that body.
 */
export function decodeRequestHeader(frame: Buffer): DecodedRequestHeader {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.nullableString();
  const supported = isSupported(apiKey, apiVersion);
  const headerVersion = supported ? requestHeaderVersion(apiKey, apiVersion) : 1;
  if (headerVersion >= 2) r.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId, headerVersion, supported, bodyOffset: r.offset };
}

/** Writes a response header for this API version. */
export function writeResponseHeader(w: Writer, apiKey: number, version: number, correlationId: number): void {
  w.int32(correlationId);
  if (responseHeaderVersion(apiKey, version) >= 1) w.taggedFields();
}

/** Reads a response header for this API version, returning the correlation id. */
export function readResponseHeader(r: Reader, apiKey: number, version: number): number {
  const correlationId = r.int32();
  if (responseHeaderVersion(apiKey, version) >= 1) r.taggedFields();
  return correlationId;
}
