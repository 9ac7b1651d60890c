/**
 * DescribeTransactions (key 65, KIP-664), version 0 (flexible).
 *
 *   Request v0  => transactional_ids:[string]
 *   Response v0 => throttle_time_ms:int32 transaction_states:[error_code:int16 transactional_id:string
 *                  transaction_state:string transaction_timeout_ms:int32 transaction_start_time_ms:int64
 *                  producer_id:int64 producer_epoch:int16 topics:[topic:string partitions:[int32]]]
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rInt32s, rString, rTags, wArray, wInt32s, wString, wTags } from './fields.ts';

export interface DescribeTransactionsRequest {
  transactionalIds: string[];
}

export interface DescribedTransaction {
  errorCode: number;
  transactionalId: string;
  transactionState: string;
  transactionTimeoutMs: number;
  transactionStartTimeMs: number;
  producerId: number;
  producerEpoch: number;
  topics: { topic: string; partitions: number[] }[];
}

export interface DescribeTransactionsResponse {
  throttleTimeMs: number;
  transactionStates: DescribedTransaction[];
}

const FLEX = true;

export function decodeDescribeTransactionsRequest(r: Reader, _version: number): DescribeTransactionsRequest {
  const transactionalIds = rArray(r, FLEX, (x) => rString(x, FLEX));
  rTags(r, FLEX);
  return { transactionalIds };
}

export function encodeDescribeTransactionsRequest(w: Writer, _version: number, req: DescribeTransactionsRequest): void {
  wArray(w, FLEX, req.transactionalIds, (x, id) => wString(x, FLEX, id));
  wTags(w, FLEX);
}

export function encodeDescribeTransactionsResponse(w: Writer, _version: number, res: DescribeTransactionsResponse): void {
  w.int32(res.throttleTimeMs);
  wArray(w, FLEX, res.transactionStates, (x, s) => {
    x.int16(s.errorCode);
    wString(x, FLEX, s.transactionalId);
    wString(x, FLEX, s.transactionState);
    x.int32(s.transactionTimeoutMs).int64(s.transactionStartTimeMs).int64(s.producerId).int16(s.producerEpoch);
    wArray(x, FLEX, s.topics, (y, t) => {
      wString(y, FLEX, t.topic);
      wInt32s(y, FLEX, t.partitions);
      wTags(y, FLEX);
    });
    wTags(x, FLEX);
  });
  wTags(w, FLEX);
}

export function decodeDescribeTransactionsResponse(r: Reader, _version: number): DescribeTransactionsResponse {
  const throttleTimeMs = r.int32();
  const transactionStates = rArray(r, FLEX, (x): DescribedTransaction => {
    const errorCode = x.int16();
    const transactionalId = rString(x, FLEX);
    const transactionState = rString(x, FLEX);
    const transactionTimeoutMs = x.int32();
    const transactionStartTimeMs = x.int64n();
    const producerId = x.int64n();
    const producerEpoch = x.int16();
    const topics = rArray(x, FLEX, (y) => {
      const topic = rString(y, FLEX);
      const partitions = rInt32s(y, FLEX);
      rTags(y, FLEX);
      return { topic, partitions };
    });
    rTags(x, FLEX);
    return { errorCode, transactionalId, transactionState, transactionTimeoutMs, transactionStartTimeMs, producerId, producerEpoch, topics };
  });
  rTags(r, FLEX);
  return { throttleTimeMs, transactionStates };
}
