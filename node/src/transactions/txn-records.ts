/**
 * The records of `__transaction_state`, in Kafka's own layout (TransactionLogKey v0, TransactionLogValue
 * v0, non-flexible) so the topic reads the same as a Kafka broker's:
 *
 *   key   => version:int16(0) transactional_id:string
 *   value => version:int16(0) producer_id:int64 producer_epoch:int16 transaction_timeout_ms:int32
 *            transaction_status:int8 transaction_partitions:nullable [topic:string partition_ids:[int32]]
 *            transaction_last_update_timestamp_ms:int64 transaction_start_timestamp_ms:int64
 *
 * A null value (tombstone) forgets a transactional id. Value v1 (flexible, KIP-915 tagged fields) is
 * read too; its tags are skipped.
 */
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import { rArray, rInt32s, rNullableArray, rString, rTags, wInt32s, wNullableArray, wString } from '../protocol/apis/fields.ts';

export const TRANSACTION_STATE_TOPIC = '__transaction_state';

/** Kafka's TransactionState ids, as `transaction_status` stores them. */
export const TxnStatus = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnStatusName = keyof typeof TxnStatus;
export type TxnStatusId = (typeof TxnStatus)[TxnStatusName];

const STATUS_NAMES = new Map<number, TxnStatusName>((Object.keys(TxnStatus) as TxnStatusName[]).map((n) => [TxnStatus[n], n]));

/** Kafka's name of a state ("Ongoing", "CompleteCommit", ...), as DescribeTransactions and ListTransactions report it. */
export function txnStatusName(status: number): string {
  return STATUS_NAMES.get(status) ?? 'Unknown';
}

/** One transactional id's state: what the coordinator keeps and the log stores. */
export interface TxnMetadata {
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  status: TxnStatusId;
  /** Partitions of the current transaction, topic -> partition ids (sorted). */
  partitions: Map<string, number[]>;
  lastUpdateMs: number;
  /** When the current transaction began; -1 when none is open. */
  startMs: number;
}

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

export function encodeTxnKey(transactionalId: string): Buffer {
  return new Writer(32).int16(KEY_VERSION).string(transactionalId).toBuffer();
}

/** The transactional id of a key, or null for a key version this code does not know. */
export function decodeTxnKey(b: Buffer): string | null {
  const r = new Reader(b);
  if (r.int16() !== KEY_VERSION) return null;
  return r.string();
}

export function encodeTxnValue(m: TxnMetadata): Buffer {
  const w = new Writer(64).int16(VALUE_VERSION).int64(m.producerId).int16(m.producerEpoch).int32(m.timeoutMs).int8(m.status);
  wNullableArray(w, false, [...m.partitions], (x, [topic, ids]) => {
    wString(x, false, topic);
    wInt32s(x, false, ids);
  });
  return w.int64(m.lastUpdateMs).int64(m.startMs).toBuffer();
}

export function decodeTxnValue(b: Buffer): TxnMetadata {
  const r = new Reader(b);
  const version = r.int16();
  const flex = version >= 1;
  const producerId = r.int64n();
  const producerEpoch = r.int16();
  const timeoutMs = r.int32();
  const status = r.int8() as TxnStatusId;
  const list = flex
    ? rNullableArray(r, true, (x) => ({ topic: rString(x, true), ids: rInt32s(x, true), tags: rTags(x, true) }))
    : rNullableArray(r, false, (x) => ({ topic: rString(x, false), ids: rArray(x, false, (y) => y.int32()) }));
  const lastUpdateMs = r.int64n();
  const startMs = r.int64n();
  rTags(r, flex);
  return { producerId, producerEpoch, timeoutMs, status, partitions: new Map((list ?? []).map((p) => [p.topic, p.ids])), lastUpdateMs, startMs };
}
