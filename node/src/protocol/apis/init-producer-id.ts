/**
 * InitProducerId (key 22), versions 0-4 (v2+ flexible).
 *
 *   Request v0-1  => transactional_id:nullable_string transaction_timeout_ms:int32
 *   Request v2    => v1 flexible
 *   Request v3-4  => v2 producer_id:int64 producer_epoch:int16   (epoch bump of a known producer, KIP-360)
 *
 *   Response v0-1 => throttle_time_ms:int32 error_code:int16 producer_id:int64 producer_epoch:int16
 *   Response v2-4 => v1 flexible
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rNullableString, rTags, wNullableString, wTags } from './fields.ts';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  /** v3+; -1 for a new producer. */
  producerId: number;
  /** v3+; -1 for a new producer. */
  producerEpoch: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

const flexible = (version: number): boolean => version >= 2;

export function decodeInitProducerIdRequest(r: Reader, version: number): InitProducerIdRequest {
  const flex = flexible(version);
  const transactionalId = rNullableString(r, flex);
  const transactionTimeoutMs = r.int32();
  const producerId = version >= 3 ? r.int64n() : -1;
  const producerEpoch = version >= 3 ? r.int16() : -1;
  rTags(r, flex);
  return { transactionalId, transactionTimeoutMs, producerId, producerEpoch };
}

export function encodeInitProducerIdRequest(w: Writer, version: number, req: InitProducerIdRequest): void {
  const flex = flexible(version);
  wNullableString(w, flex, req.transactionalId);
  w.int32(req.transactionTimeoutMs);
  if (version >= 3) w.int64(req.producerId).int16(req.producerEpoch);
  wTags(w, flex);
}

export function encodeInitProducerIdResponse(w: Writer, version: number, res: InitProducerIdResponse): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch);
  wTags(w, flexible(version));
}

export function decodeInitProducerIdResponse(r: Reader, version: number): InitProducerIdResponse {
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  const producerId = r.int64n();
  const producerEpoch = r.int16();
  rTags(r, flexible(version));
  return { throttleTimeMs, errorCode, producerId, producerEpoch };
}
