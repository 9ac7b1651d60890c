/**
 * ListTransactions (key 66, KIP-664), versions 0-1 (flexible).
 *
 *   Request v0  => state_filters:[string] producer_id_filters:[int64]
 *   Request v1  => v0 duration_filter:int64          (only transactions running longer; -1 = any)
 *   Response v0-1 => throttle_time_ms:int32 error_code:int16 unknown_state_filters:[string]
 *                    transaction_states:[transactional_id:string producer_id:int64 transaction_state:string]
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rString, rTags, wArray, wString, wTags } from './fields.ts';

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: number[];
  /** v1+; -1 below. */
  durationFilterMs: number;
}

export interface ListedTransaction {
  transactionalId: string;
  producerId: number;
  transactionState: string;
}

export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: ListedTransaction[];
}

const FLEX = true;

export function decodeListTransactionsRequest(r: Reader, version: number): ListTransactionsRequest {
  const stateFilters = rArray(r, FLEX, (x) => rString(x, FLEX));
  const producerIdFilters = rArray(r, FLEX, (x) => x.int64n());
  const durationFilterMs = version >= 1 ? r.int64n() : -1;
  rTags(r, FLEX);
  return { stateFilters, producerIdFilters, durationFilterMs };
}

export function encodeListTransactionsRequest(w: Writer, version: number, req: ListTransactionsRequest): void {
  wArray(w, FLEX, req.stateFilters, (x, s) => wString(x, FLEX, s));
  wArray(w, FLEX, req.producerIdFilters, (x, id) => x.int64(id));
  if (version >= 1) w.int64(req.durationFilterMs);
  wTags(w, FLEX);
}

export function encodeListTransactionsResponse(w: Writer, _version: number, res: ListTransactionsResponse): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode);
  wArray(w, FLEX, res.unknownStateFilters, (x, s) => wString(x, FLEX, s));
  wArray(w, FLEX, res.transactionStates, (x, s) => {
    wString(x, FLEX, s.transactionalId);
    x.int64(s.producerId);
    wString(x, FLEX, s.transactionState);
    wTags(x, FLEX);
  });
  wTags(w, FLEX);
}

export function decodeListTransactionsResponse(r: Reader, _version: number): ListTransactionsResponse {
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  const unknownStateFilters = rArray(r, FLEX, (x) => rString(x, FLEX));
  const transactionStates = rArray(r, FLEX, (x) => {
    const transactionalId = rString(x, FLEX);
    const producerId = x.int64n();
    const transactionState = rString(x, FLEX);
    rTags(x, FLEX);
    return { transactionalId, producerId, transactionState };
  });
  rTags(r, FLEX);
  return { throttleTimeMs, errorCode, unknownStateFilters, transactionStates };
}
