/**
 * Kafka's per-record checks on a produce that depend on the topic's configuration (its LogValidator):
 * a compacted topic refuses records without a key, naming each one, so that clients can fail exactly
 * those records (Produce v8+ record_errors; librdkafka fails the rest of the batch with
 * _INVALID_DIFFERENT_RECORD).
 */
import { KafkaError } from '../protocol/errors.ts';
import type { ProduceRecordError } from '../protocol/apis/produce.ts';
import { decodeRecordBatches } from '../protocol/record-batch.ts';

/** INVALID_RECORD for a produce, with the index of every offending record in the request's batch. */
export class InvalidRecordError extends KafkaError {
  readonly recordErrors: ProduceRecordError[];
  constructor(message: string, recordErrors: ProduceRecordError[]) {
    super('INVALID_RECORD', message);
    this.recordErrors = recordErrors;
  }
}

/** Throws InvalidRecordError when any data record in `batches` has a null key (compacted topics only). */
export function rejectKeylessRecords(topic: string, partition: number, batches: Buffer): void {
  const message = `Compacted topic cannot accept message without key in topic partition ${topic}-${partition}.`;
  const recordErrors: ProduceRecordError[] = [];
  let index = 0;
  for (const batch of decodeRecordBatches(batches)) {
    if (batch.header.control) continue;
    for (const record of batch.records) {
      if (record.key === null) recordErrors.push({ batchIndex: index, message });
      index++;
    }
  }
  if (recordErrors.length > 0) throw new InvalidRecordError(message, recordErrors);
}
