/**
 * AddOffsetsToTxn (key 25), versions 0-3 (v3+ flexible).
 *
 *   Request v0-3  => transactional_id:string producer_id:int64 producer_epoch:int16 group_id:string
 *   Response v0-3 => throttle_time_ms:int32 error_code:int16
 *
 * v1 is v0; v2 allows PRODUCER_FENCED in answers.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rString, rTags, wString, wTags } from './fields.ts';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

/** The answer of AddOffsetsToTxn and EndTxn (v0-3): one error code. */
export interface TxnErrorResponse {
  throttleTimeMs: number;
  errorCode: number;
}

const flexible = (version: number): boolean => version >= 3;

export function decodeAddOffsetsToTxnRequest(r: Reader, version: number): AddOffsetsToTxnRequest {
  const flex = flexible(version);
  const transactionalId = rString(r, flex);
  const producerId = r.int64n();
  const producerEpoch = r.int16();
  const groupId = rString(r, flex);
  rTags(r, flex);
  return { transactionalId, producerId, producerEpoch, groupId };
}

export function encodeAddOffsetsToTxnRequest(w: Writer, version: number, req: AddOffsetsToTxnRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.transactionalId);
  w.int64(req.producerId).int16(req.producerEpoch);
  wString(w, flex, req.groupId);
  wTags(w, flex);
}

/** Encodes `throttle_time_ms error_code` (+ tags from v3), the response of AddOffsetsToTxn and EndTxn v0-3. */
export function encodeTxnErrorResponse(w: Writer, version: number, res: TxnErrorResponse): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode);
  wTags(w, flexible(version));
}

export function decodeTxnErrorResponse(r: Reader, version: number): TxnErrorResponse {
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  rTags(r, flexible(version));
  return { throttleTimeMs, errorCode };
}
