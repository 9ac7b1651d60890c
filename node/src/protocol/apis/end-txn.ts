/**
 * EndTxn (key 26), versions 0-3 (v3+ flexible).
 *
 *   Request v0-3  => transactional_id:string producer_id:int64 producer_epoch:int16 committed:bool
 *   Response v0-3 => throttle_time_ms:int32 error_code:int16   (add-offsets-to-txn.ts encodes it)
 *
 * v1 is v0; v2 allows PRODUCER_FENCED in answers.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rString, rTags, wString, wTags } from './fields.ts';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  /** True to commit, false to abort. */
  committed: boolean;
}

const flexible = (version: number): boolean => version >= 3;

export function decodeEndTxnRequest(r: Reader, version: number): EndTxnRequest {
  const flex = flexible(version);
  const transactionalId = rString(r, flex);
  const producerId = r.int64n();
  const producerEpoch = r.int16();
  const committed = r.int8() !== 0;
  rTags(r, flex);
  return { transactionalId, producerId, producerEpoch, committed };
}

export function encodeEndTxnRequest(w: Writer, version: number, req: EndTxnRequest): void {
  const flex = flexible(version);
  wString(w, flex, req.transactionalId);
  w.int64(req.producerId).int16(req.producerEpoch).int8(req.committed ? 1 : 0);
  wTags(w, flex);
}
