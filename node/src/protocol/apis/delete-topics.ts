/**
 * DeleteTopics (key 20), versions 0-5 in this codec (v4+ flexible; v6 topic ids are not supported).
 *
 *   Request v0-3  => topic_names:[string] timeout_ms:int32
 *   Request v4-5  => v3 flexible
 *
 *   Response v0   => [name:string error_code:int16]
 *   Response v1-3 => throttle_time_ms:int32 first
 *   Response v4   => v3 flexible
 *   Response v5   => responses add error_message:nullable_string
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

export interface DeletableTopicResult {
  name: string;
  errorCode: number;
  /** v5+. */
  errorMessage: string | null;
}

export interface DeleteTopicsResponse {
  /** v1+. */
  throttleTimeMs: number;
  responses: DeletableTopicResult[];
}

const flexible = (version: number): boolean => version >= 4;

/** Decodes a DeleteTopics request body. */
export function decodeDeleteTopicsRequest(r: Reader, version: number): DeleteTopicsRequest {
  const flex = flexible(version);
  const topicNames = rArray(r, flex, (x) => rString(x, flex));
  const timeoutMs = r.int32();
  rTags(r, flex);
  return { topicNames, timeoutMs };
}

/** Encodes a DeleteTopics request body. */
export function encodeDeleteTopicsRequest(w: Writer, version: number, req: DeleteTopicsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.topicNames, (x, n) => wString(x, flex, n));
  w.int32(req.timeoutMs);
  wTags(w, flex);
}

/** Encodes a DeleteTopics response body. */
export function encodeDeleteTopicsResponse(w: Writer, version: number, res: DeleteTopicsResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  wArray(w, flex, res.responses, (x, t) => {
    wString(x, flex, t.name);
    x.int16(t.errorCode);
    if (version >= 5) wNullableString(x, flex, t.errorMessage);
    wTags(x, flex);
  });
  wTags(w, flex);
}

/** Decodes a DeleteTopics response body. */
export function decodeDeleteTopicsResponse(r: Reader, version: number): DeleteTopicsResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const responses = rArray(r, flex, (x): DeletableTopicResult => {
    const name = rString(x, flex);
    const errorCode = x.int16();
    const errorMessage = version >= 5 ? rNullableString(x, flex) : null;
    rTags(x, flex);
    return { name, errorCode, errorMessage };
  });
  rTags(r, flex);
  return { throttleTimeMs, responses };
}
