/**
 * DeleteTopics (key 20), versions 0-6 (v4+ flexible).
 *
 *   Request v0-3  => topic_names:[string] timeout_ms:int32
 *   Request v4-5  => v3 flexible
 *   Request v6    => topics:[name:nullable_string topic_id:uuid] timeout_ms:int32   (by name or by id)
 *
 *   Response v0   => [name:string error_code:int16]
 *   Response v1-3 => throttle_time_ms:int32 first
 *   Response v4   => v3 flexible
 *   Response v5   => responses add error_message:nullable_string
 *   Response v6   => responses: name:nullable_string topic_id:uuid error_code error_message
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { ZERO_UUID } from '../uuid.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export interface DeleteTopicsRequest {
  /** The topics asked for by name (every version). */
  topicNames: string[];
  /** v6: every entry as sent, by name or (name null) by topic id. */
  topics?: { name: string | null; topicId: Buffer }[];
  timeoutMs: number;
}


export interface DeletableTopicResult {
  /** Null only for a v6 topic asked by an id this node does not know. */
  name: string | null;
  /** v6+. */
  topicId?: Buffer;
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
  if (version >= 6) {
    const topics = rArray(r, flex, (x) => {
      const name = rNullableString(x, flex);
      const topicId = x.uuid();
      rTags(x, flex);
      return { name, topicId };
    });
    const timeoutMs = r.int32();
    rTags(r, flex);
    return { topicNames: topics.flatMap((t) => (t.name === null ? [] : [t.name])), topics, timeoutMs };
  }
  const topicNames = rArray(r, flex, (x) => rString(x, flex));
  const timeoutMs = r.int32();
  rTags(r, flex);
  return { topicNames, timeoutMs };
}

/** Encodes a DeleteTopics request body. */
export function encodeDeleteTopicsRequest(w: Writer, version: number, req: DeleteTopicsRequest): void {
  const flex = flexible(version);
  if (version >= 6) {
    wArray(w, flex, req.topics ?? req.topicNames.map((name) => ({ name, topicId: ZERO_UUID })), (x, t) => {
      wNullableString(x, flex, t.name);
      x.uuid(t.topicId);
      wTags(x, flex);
    });
  } else {
    wArray(w, flex, req.topicNames, (x, n) => wString(x, flex, n));
  }
  w.int32(req.timeoutMs);
  wTags(w, flex);
}

/** Encodes a DeleteTopics response body. */
export function encodeDeleteTopicsResponse(w: Writer, version: number, res: DeleteTopicsResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  wArray(w, flex, res.responses, (x, t) => {
    if (version >= 6) {
      wNullableString(x, flex, t.name);
      x.uuid(t.topicId ?? ZERO_UUID);
    } else {
      wString(x, flex, t.name ?? '');
    }
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
    const name = version >= 6 ? rNullableString(x, flex) : rString(x, flex);
    const topicId = version >= 6 ? x.uuid() : undefined;
    const errorCode = x.int16();
    const errorMessage = version >= 5 ? rNullableString(x, flex) : null;
    rTags(x, flex);
    return { name, ...(topicId && { topicId }), errorCode, errorMessage };
  });
  rTags(r, flex);
  return { throttleTimeMs, responses };
}
