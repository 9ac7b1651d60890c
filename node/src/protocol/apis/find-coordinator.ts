/**
 * FindCoordinator (key 10), versions 0-4 (v3+ flexible).
 *
 *   Request v0    => key:string
 *   Request v1-2  => key:string key_type:int8            (0 = group, 1 = transaction)
 *   Request v3    => v2 flexible
 *   Request v4    => key_type:int8 coordinator_keys:[string]   (batched, KIP-699)
 *
 *   Response v0   => error_code:int16 node_id:int32 host:string port:int32
 *   Response v1-2 => throttle_time_ms:int32 error_code:int16 error_message:nullable_string node_id host port
 *   Response v3   => v2 flexible
 *   Response v4   => throttle_time_ms:int32 [coordinator: key:string node_id:int32 host:string port:int32
 *                      error_code:int16 error_message:nullable_string]
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

/** Key type of a consumer group. */
export const COORDINATOR_KEY_GROUP = 0;
/** Key type of a transactional id (v1+). */
export const COORDINATOR_KEY_TRANSACTION = 1;

export interface FindCoordinatorRequest {
  keyType: number;
  /** One key below v4; any number from v4. */
  keys: string[];
}

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  /** Exactly one below v4 (its key is not on the wire there). */
  coordinators: Coordinator[];
}

const flexible = (version: number): boolean => version >= 3;

export function decodeFindCoordinatorRequest(r: Reader, version: number): FindCoordinatorRequest {
  const flex = flexible(version);
  if (version >= 4) {
    const keyType = r.int8();
    const keys = rArray(r, flex, (x) => rString(x, flex));
    rTags(r, flex);
    return { keyType, keys };
  }
  const key = rString(r, flex);
  const keyType = version >= 1 ? r.int8() : 0;
  rTags(r, flex);
  return { keyType, keys: [key] };
}

export function encodeFindCoordinatorRequest(w: Writer, version: number, req: FindCoordinatorRequest): void {
  const flex = flexible(version);
  if (version >= 4) {
    w.int8(req.keyType);
    wArray(w, flex, req.keys, (x, k) => wString(x, flex, k));
  } else {
    wString(w, flex, req.keys[0] ?? '');
    if (version >= 1) w.int8(req.keyType);
  }
  wTags(w, flex);
}

export function encodeFindCoordinatorResponse(w: Writer, version: number, res: FindCoordinatorResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  if (version >= 4) {
    wArray(w, flex, res.coordinators, (x, c) => {
      wString(x, flex, c.key);
      x.int32(c.nodeId);
      wString(x, flex, c.host);
      x.int32(c.port);
      x.int16(c.errorCode);
      wNullableString(x, flex, c.errorMessage);
      wTags(x, flex);
    });
  } else {
    const c = res.coordinators[0]!;
    w.int16(c.errorCode);
    if (version >= 1) wNullableString(w, flex, c.errorMessage);
    w.int32(c.nodeId);
    wString(w, flex, c.host);
    w.int32(c.port);
  }
  wTags(w, flex);
}

export function decodeFindCoordinatorResponse(r: Reader, version: number, keys: string[] = ['']): FindCoordinatorResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  let coordinators: Coordinator[];
  if (version >= 4) {
    coordinators = rArray(r, flex, (x): Coordinator => {
      const key = rString(x, flex);
      const nodeId = x.int32();
      const host = rString(x, flex);
      const port = x.int32();
      const errorCode = x.int16();
      const errorMessage = rNullableString(x, flex);
      rTags(x, flex);
      return { key, nodeId, host, port, errorCode, errorMessage };
    });
  } else {
    const errorCode = r.int16();
    const errorMessage = version >= 1 ? rNullableString(r, flex) : null;
    const nodeId = r.int32();
    const host = rString(r, flex);
    const port = r.int32();
    coordinators = [{ key: keys[0] ?? '', nodeId, host, port, errorCode, errorMessage }];
  }
  rTags(r, flex);
  return { throttleTimeMs, coordinators };
}
