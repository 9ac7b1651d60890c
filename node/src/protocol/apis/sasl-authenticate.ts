/**
 * SaslAuthenticate (key 36), versions 0-2 (v2 flexible).
 *
 *   Request v0-1  => auth_bytes:bytes
 *   Request v2    => auth_bytes:compact_bytes _tagged
 *   Response v0   => error_code:int16 error_message:nullable_string auth_bytes:bytes
 *   Response v1   => v0 session_lifetime_ms:int64            (KIP-368; 0 = no re-authentication)
 *   Response v2   => v1 flexible
 *
 * One request carries one SASL token in each direction; SCRAM takes two round trips, PLAIN one.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rNullableString, rTags, wNullableString, wTags } from './fields.ts';

export interface SaslAuthenticateRequest {
  authBytes: Buffer;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  /** v1+; 0 below. */
  sessionLifetimeMs: number;
}

const flexible = (version: number): boolean => version >= 2;

/** Decodes a SaslAuthenticate request body. */
export function decodeSaslAuthenticateRequest(r: Reader, version: number): SaslAuthenticateRequest {
  const flex = flexible(version);
  const authBytes = flex ? r.compactBytes() : r.bytes();
  rTags(r, flex);
  return { authBytes };
}

/** Encodes a SaslAuthenticate request body. */
export function encodeSaslAuthenticateRequest(w: Writer, version: number, req: SaslAuthenticateRequest): void {
  const flex = flexible(version);
  if (flex) w.compactBytes(req.authBytes);
  else w.bytes(req.authBytes);
  wTags(w, flex);
}

/** Encodes a SaslAuthenticate response body. */
export function encodeSaslAuthenticateResponse(w: Writer, version: number, res: SaslAuthenticateResponse): void {
  const flex = flexible(version);
  w.int16(res.errorCode);
  wNullableString(w, flex, res.errorMessage);
  if (flex) w.compactBytes(res.authBytes);
  else w.bytes(res.authBytes);
  if (version >= 1) w.int64(res.sessionLifetimeMs);
  wTags(w, flex);
}

/** Decodes a SaslAuthenticate response body. */
export function decodeSaslAuthenticateResponse(r: Reader, version: number): SaslAuthenticateResponse {
  const flex = flexible(version);
  const errorCode = r.int16();
  const errorMessage = rNullableString(r, flex);
  const authBytes = flex ? r.compactBytes() : r.bytes();
  const sessionLifetimeMs = version >= 1 ? r.int64n() : 0;
  rTags(r, flex);
  return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
}
