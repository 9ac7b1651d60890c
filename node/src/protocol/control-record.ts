/**
 * Transaction markers (KIP-98): the one record of a control batch (attributes: transactional and
 * control bits set, producer id and epoch of the transaction, base sequence -1), as Kafka writes it:
 *
 *   key   => version:int16(0) type:int16   (0 = abort, 1 = commit)
 *   value => version:int16(0) coordinator_epoch:int32
 */
import { decodeRecordBatch, encodeRecordBatch } from './record-batch.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';

export const CONTROL_ABORT = 0;
export const CONTROL_COMMIT = 1;

/** A whole control batch ending (commit or abort) a producer's transaction in one partition. */
export function encodeMarkerBatch(m: { producerId: number; producerEpoch: number; commit: boolean; coordinatorEpoch: number; timestamp?: number }): Buffer {
  return encodeRecordBatch({
    records: [{
      key: new Writer(4).int16(0).int16(m.commit ? CONTROL_COMMIT : CONTROL_ABORT).toBuffer(),
      value: new Writer(6).int16(0).int32(m.coordinatorEpoch).toBuffer(),
    }],
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
    ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
  });
}

/** The type (CONTROL_ABORT or CONTROL_COMMIT) of a control record's key, or -1 if it is not one. */
export function controlKeyType(key: Buffer | null): number {
  if (!key || key.length < 4) return -1;
  const r = new Reader(key);
  r.int16();
  return r.int16();
}

/** The type of the whole control batch at byte 0 of `batch`, or -1 if unreadable. */
export function controlType(batch: Buffer): number {
  return controlKeyType(decodeRecordBatch(batch).records[0]?.key ?? null);
}
