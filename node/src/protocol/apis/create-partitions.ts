/**
 * CreatePartitions (key 37), versions 0-3 (v2 flexible; v1 and v3 repeat v0 and v2).
 *
 *   Request  => [name:string count:int32 assignments:nullable [broker_ids:[int32]]] timeout_ms:int32 validate_only:bool
 *   Response => throttle_time_ms:int32 [name:string error_code:int16 error_message:nullable_string]
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rInt32s, rNullableArray, rNullableString, rString, rTags, wArray, wInt32s, wNullableArray, wNullableString, wString, wTags } from './fields.ts';

export interface CreatePartitionsTopic {
  name: string;
  count: number;
  /** Broker ids per new partition; null = the cluster decides (chains always do). */
  assignments: number[][] | null;
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: { name: string; errorCode: number; errorMessage: string | null }[];
}

const flexible = (version: number): boolean => version >= 2;

export function decodeCreatePartitionsRequest(r: Reader, version: number): CreatePartitionsRequest {
  const flex = flexible(version);
  const topics = rArray(r, flex, (x): CreatePartitionsTopic => {
    const name = rString(x, flex);
    const count = x.int32();
    const assignments = rNullableArray(x, flex, (y) => {
      const ids = rInt32s(y, flex);
      rTags(y, flex);
      return ids;
    });
    rTags(x, flex);
    return { name, count, assignments };
  });
  const timeoutMs = r.int32();
  const validateOnly = r.boolean();
  rTags(r, flex);
  return { topics, timeoutMs, validateOnly };
}

export function encodeCreatePartitionsRequest(w: Writer, version: number, req: CreatePartitionsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.topics, (x, t) => {
    wString(x, flex, t.name);
    x.int32(t.count);
    wNullableArray(x, flex, t.assignments, (y, ids) => {
      wInt32s(y, flex, ids);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  w.int32(req.timeoutMs);
  w.boolean(req.validateOnly);
  wTags(w, flex);
}

export function encodeCreatePartitionsResponse(w: Writer, version: number, res: CreatePartitionsResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.results, (x, t) => {
    wString(x, flex, t.name);
    x.int16(t.errorCode);
    wNullableString(x, flex, t.errorMessage);
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeCreatePartitionsResponse(r: Reader, version: number): CreatePartitionsResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const results = rArray(r, flex, (x) => {
    const name = rString(x, flex);
    const errorCode = x.int16();
    const errorMessage = rNullableString(x, flex);
    rTags(x, flex);
    return { name, errorCode, errorMessage };
  });
  rTags(r, flex);
  return { throttleTimeMs, results };
}
