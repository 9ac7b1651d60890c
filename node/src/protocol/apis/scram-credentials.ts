/**
 * The SCRAM credential admin APIs of KIP-554: DescribeUserScramCredentials (key 50) and
 * AlterUserScramCredentials (key 51), both only v0, which is flexible (Kafka's
 * DescribeUserScramCredentials{Request,Response}.json and AlterUserScramCredentials*.json).
 *
 *   Describe request  => users:nullable [name:string]            (null or empty: every user)
 *   Describe response => throttle_time_ms:int32 error_code:int16 error_message:nullable_string
 *                        results:[user:string error_code:int16 error_message:nullable_string
 *                                 credential_infos:[mechanism:int8 iterations:int32]]
 *   Alter request     => deletions:[name:string mechanism:int8]
 *                        upsertions:[name:string mechanism:int8 iterations:int32 salt:bytes salted_password:bytes]
 *   Alter response    => throttle_time_ms:int32 results:[user_name:string error_code:int16 error_message:nullable_string]
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { KafkaError } from '../errors.ts';
import { rArray, rNullableArray, rNullableBytes, rNullableString, rString, rTags, wArray, wNullableArray, wNullableBytes, wNullableString, wString, wTags } from './fields.ts';

/** Kafka's ScramMechanism codes. */
export const ScramMechanismCode = { UNKNOWN: 0, SCRAM_SHA_256: 1, SCRAM_SHA_512: 2 } as const;

export interface DescribeUserScramCredentialsRequest {
  users: string[] | null;
}
export interface ScramCredentialInfo {
  mechanism: number;
  iterations: number;
}
export interface DescribeUserScramCredentialsResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
  credentialInfos: ScramCredentialInfo[];
}
export interface DescribeUserScramCredentialsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  results: DescribeUserScramCredentialsResult[];
}
export interface ScramDeletion {
  name: string;
  mechanism: number;
}
export interface ScramUpsertion {
  name: string;
  mechanism: number;
  iterations: number;
  salt: Buffer;
  saltedPassword: Buffer;
}
export interface AlterUserScramCredentialsRequest {
  deletions: ScramDeletion[];
  upsertions: ScramUpsertion[];
}
export interface AlterUserScramCredentialsResult {
  user: string;
  errorCode: number;
  errorMessage: string | null;
}
export interface AlterUserScramCredentialsResponse {
  throttleTimeMs: number;
  results: AlterUserScramCredentialsResult[];
}

const F = true; // v0 is flexible

function rBytes(r: Reader, what: string): Buffer {
  const b = rNullableBytes(r, F);
  if (b === null) throw new KafkaError('INVALID_REQUEST', `${what} must not be null`);
  return b;
}

export function decodeDescribeUserScramCredentialsRequest(r: Reader, _version: number): DescribeUserScramCredentialsRequest {
  const users = rNullableArray(r, F, (r) => {
    const name = rString(r, F);
    rTags(r, F);
    return name;
  });
  rTags(r, F);
  return { users };
}

export function encodeDescribeUserScramCredentialsRequest(w: Writer, _version: number, req: DescribeUserScramCredentialsRequest): void {
  wNullableArray(w, F, req.users, (w, name) => {
    wString(w, F, name);
    wTags(w, F);
  });
  wTags(w, F);
}

export function encodeDescribeUserScramCredentialsResponse(w: Writer, _version: number, res: DescribeUserScramCredentialsResponse): void {
  w.int32(res.throttleTimeMs);
  w.int16(res.errorCode);
  wNullableString(w, F, res.errorMessage);
  wArray(w, F, res.results, (w, u) => {
    wString(w, F, u.user);
    w.int16(u.errorCode);
    wNullableString(w, F, u.errorMessage);
    wArray(w, F, u.credentialInfos, (w, c) => {
      w.int8(c.mechanism);
      w.int32(c.iterations);
      wTags(w, F);
    });
    wTags(w, F);
  });
  wTags(w, F);
}

export function decodeDescribeUserScramCredentialsResponse(r: Reader, _version: number): DescribeUserScramCredentialsResponse {
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  const errorMessage = rNullableString(r, F);
  const results = rArray(r, F, (r) => {
    const user = rString(r, F);
    const errorCode = r.int16();
    const errorMessage = rNullableString(r, F);
    const credentialInfos = rArray(r, F, (r) => {
      const info = { mechanism: r.int8(), iterations: r.int32() };
      rTags(r, F);
      return info;
    });
    rTags(r, F);
    return { user, errorCode, errorMessage, credentialInfos };
  });
  rTags(r, F);
  return { throttleTimeMs, errorCode, errorMessage, results };
}

export function decodeAlterUserScramCredentialsRequest(r: Reader, _version: number): AlterUserScramCredentialsRequest {
  const deletions = rArray(r, F, (r) => {
    const d = { name: rString(r, F), mechanism: r.int8() };
    rTags(r, F);
    return d;
  });
  const upsertions = rArray(r, F, (r) => {
    const name = rString(r, F);
    const mechanism = r.int8();
    const iterations = r.int32();
    const salt = rBytes(r, 'salt');
    const saltedPassword = rBytes(r, 'salted_password');
    rTags(r, F);
    return { name, mechanism, iterations, salt, saltedPassword };
  });
  rTags(r, F);
  return { deletions, upsertions };
}

export function encodeAlterUserScramCredentialsRequest(w: Writer, _version: number, req: AlterUserScramCredentialsRequest): void {
  wArray(w, F, req.deletions, (w, d) => {
    wString(w, F, d.name);
    w.int8(d.mechanism);
    wTags(w, F);
  });
  wArray(w, F, req.upsertions, (w, u) => {
    wString(w, F, u.name);
    w.int8(u.mechanism);
    w.int32(u.iterations);
    wNullableBytes(w, F, u.salt);
    wNullableBytes(w, F, u.saltedPassword);
    wTags(w, F);
  });
  wTags(w, F);
}

export function encodeAlterUserScramCredentialsResponse(w: Writer, _version: number, res: AlterUserScramCredentialsResponse): void {
  w.int32(res.throttleTimeMs);
  wArray(w, F, res.results, (w, u) => {
    wString(w, F, u.user);
    w.int16(u.errorCode);
    wNullableString(w, F, u.errorMessage);
    wTags(w, F);
  });
  wTags(w, F);
}

export function decodeAlterUserScramCredentialsResponse(r: Reader, _version: number): AlterUserScramCredentialsResponse {
  const throttleTimeMs = r.int32();
  const results = rArray(r, F, (r) => {
    const u = { user: rString(r, F), errorCode: r.int16(), errorMessage: rNullableString(r, F) };
    rTags(r, F);
    return u;
  });
  rTags(r, F);
  return { throttleTimeMs, results };
}
