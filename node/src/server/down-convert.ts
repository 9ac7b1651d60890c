/**
 * Conversions between old clients' MessageSet (magic 0/1) and the RecordBatch v2 the log stores.
 * Produce v0-2 may carry MessageSets: they are stored as v2. Fetch below v4 cannot carry v2 batches
 * (kafka-node and other 0.10-era clients reject magic 2), so those responses are converted down.
 */
import { decodeMessageSet, encodeMessageSet, recordsMagic, type MessageSetRecord } from '../protocol/message-set.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../protocol/record-batch.ts';

/** Returns `records` as RecordBatch v2 bytes, converting a MessageSet v0/v1. */
export function toRecordBatch(records: Buffer): Buffer {
  const magic = recordsMagic(records);
  if (magic === 2 || magic === null) return records;
  const set = decodeMessageSet(records);
  return encodeRecordBatch({
    // Magic 0 carries no timestamp: Kafka stores NO_TIMESTAMP (-1), which consumers see as "no timestamp"
    // (a LogAppendTime topic stamps the broker time afterwards). Retention then ages the segment by mtime.
    records: set.records.map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp >= 0 ? r.timestamp : -1 })),
  });
}

/** Converts whole v2 batches to a MessageSet of the given magic, keeping offsets. */
export function toMessageSet(batches: Buffer, magic: 0 | 1): Buffer {
  const out: MessageSetRecord[] = [];
  for (const batch of decodeRecordBatches(batches)) {
    if (batch.header.control) continue;
    for (const r of batch.records) out.push({ offset: r.offset, timestamp: magic === 0 ? -1 : r.timestamp, key: r.key, value: r.value });
  }
  return encodeMessageSet(out, magic);
}
