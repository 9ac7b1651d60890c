/**
 * The state of every transactional id this node coordinates. The truth is the `__transaction_state`
 * log: a change is made visible in memory only after its record is appended through the chain's head
 * and committed by the tail, and the map is rebuilt by replaying that log when a node becomes the
 * coordinator (the same contract as groups/offset-store.ts for `__consumer_offsets`).
 */
import { encodeRecordBatch, type DecodedBatch } from '../protocol/record-batch.ts';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, type TxnMetadata } from './txn-records.ts';

/** Appends one record batch to the state topic; resolves to a Kafka error code (0 = committed). */
export type AppendState = (batch: Buffer) => Promise<number>;

export class TxnStore {
  private readonly byId = new Map<string, TxnMetadata>();

  constructor(private readonly append: AppendState) {}

  /** Replays batches of the state topic in log order (later records win, tombstones delete). */
  load(batches: Iterable<DecodedBatch>): void {
    for (const batch of batches) {
      if (batch.header.control) continue;
      for (const record of batch.records) {
        const id = record.key ? decodeTxnKey(record.key) : null;
        if (id === null) continue;
        if (record.value === null) this.byId.delete(id);
        else this.byId.set(id, decodeTxnValue(record.value));
      }
    }
  }

  /** The current state of a transactional id. */
  get(id: string): TxnMetadata | undefined {
    return this.byId.get(id);
  }

  /** Every transactional id with its state. */
  entries(): IterableIterator<[string, TxnMetadata]> {
    return this.byId.entries();
  }

  /** Writes a new state durably, then makes it current; resolves to the Kafka error code. */
  async put(id: string, next: TxnMetadata): Promise<number> {
    const batch = encodeRecordBatch({ timestamp: next.lastUpdateMs, records: [{ key: encodeTxnKey(id), value: encodeTxnValue(next) }] });
    const errorCode = await this.append(batch);
    if (errorCode === 0) this.byId.set(id, next);
    return errorCode;
  }

  clear(): void {
    this.byId.clear();
  }

  get size(): number {
    return this.byId.size;
  }
}
