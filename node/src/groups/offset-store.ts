/**
 * Committed offsets of every group this node coordinates. The truth is the `__consumer_offsets` log: a
 * commit is acknowledged only after its records are appended through the chain's head and committed by
 * the tail (acks=-1), and the in-memory map is rebuilt by replaying that log when a node becomes the
 * coordinator. The map is updated after the append succeeds, so a failed commit leaves nothing behind.
 *
 * Offsets committed inside a transaction (TxnOffsetCommit) are written as a transactional batch of the
 * producer and held aside until that producer's commit marker reaches this topic (then they become
 * visible) or its abort marker does (then they are dropped), in memory and on replay alike.
 */
import type { DecodedBatch } from '../protocol/record-batch.ts';
import { encodeRecordBatch } from '../protocol/record-batch.ts';
import { CONTROL_COMMIT, controlKeyType } from '../protocol/control-record.ts';
import { decodeOffsetKey, decodeOffsetValue, encodeOffsetKey, encodeOffsetValue, type CommittedOffset, type OffsetKey } from './offset-records.ts';
import { tpKey } from '../topic-partition.ts';

/** Appends one record batch to the offsets topic; resolves to a Kafka error code (0 = committed). */
export type AppendOffsets = (batch: Buffer) => Promise<number>;

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

const committedOf = (e: CommittedOffset): CommittedOffset => ({ offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata, commitTimestamp: e.commitTimestamp });

interface PendingOffset extends OffsetKey {
  value: CommittedOffset | null;
}

export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, CommittedOffset & { topic: string; partition: number }>>();
  /** Offsets of open transactions, by producer id, in commit order. */
  private readonly pending = new Map<number, PendingOffset[]>();

  constructor(private readonly append: AppendOffsets, private readonly now: () => number = Date.now) {}

  /** Replays batches of the offsets topic in log order (later records win, tombstones delete). */
  load(batches: Iterable<DecodedBatch>): void {
    for (const batch of batches) {
      const { producerId, control, transactional } = batch.header;
      if (control) {
        this.completeTransaction(producerId, controlKeyType(batch.records[0]?.key ?? null) === CONTROL_COMMIT);
        continue;
      }
      for (const record of batch.records) {
        if (!record.key) continue;
        const key = decodeOffsetKey(record.key);
        if (!key) continue;
        const value = record.value === null ? null : decodeOffsetValue(record.value);
        if (transactional) this.hold(producerId, { ...key, value });
        else this.apply({ ...key, value });
      }
    }
  }

  /** Writes offsets durably, then makes them visible; resolves to the error code for every partition. */
  async commit(group: string, offsets: OffsetToCommit[]): Promise<number> {
    if (offsets.length === 0) return 0;
    const commitTimestamp = this.now();
    const values = offsets.map((o) => ({ ...o, value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp } }));
    const batch = encodeRecordBatch({
      timestamp: commitTimestamp,
      records: values.map((o) => ({ key: encodeOffsetKey({ group, topic: o.topic, partition: o.partition }), value: encodeOffsetValue(o.value) })),
    });
    const errorCode = await this.append(batch);
    if (errorCode !== 0) return errorCode;
    for (const o of values) this.put(group, o.topic, o.partition, o.value);
    return 0;
  }

  /**
   * Writes offsets as part of producer `producerId`'s open transaction (TxnOffsetCommit): durable now,
   * visible only once `completeTransaction(producerId, true)` says the transaction committed.
   */
  async commitTransactional(group: string, producerId: number, producerEpoch: number, offsets: OffsetToCommit[]): Promise<number> {
    if (offsets.length === 0) return 0;
    const commitTimestamp = this.now();
    const entries = offsets.map((o): PendingOffset => ({ group, topic: o.topic, partition: o.partition, value: { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, commitTimestamp } }));
    const batch = encodeRecordBatch({
      timestamp: commitTimestamp,
      producerId,
      producerEpoch,
      transactional: true,
      records: entries.map((e) => ({ key: encodeOffsetKey(e), value: encodeOffsetValue(e.value!) })),
    });
    const errorCode = await this.append(batch);
    if (errorCode === 0) for (const e of entries) this.hold(producerId, e);
    return errorCode;
  }

  /** A transaction marker reached the offsets topic: its held offsets become visible (commit) or vanish (abort). */
  completeTransaction(producerId: number, commit: boolean): void {
    const held = this.pending.get(producerId) ?? [];
    this.pending.delete(producerId);
    if (commit) for (const e of held) this.apply(e);
  }

  private hold(producerId: number, e: PendingOffset): void {
    const list = this.pending.get(producerId) ?? [];
    list.push(e);
    this.pending.set(producerId, list);
  }

  private apply(e: PendingOffset): void {
    if (e.value === null) this.remove(e.group, e.topic, e.partition);
    else this.put(e.group, e.topic, e.partition, e.value);
  }

  /** One partition's committed offset, or undefined. */
  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    const e = this.byGroup.get(group)?.get(tpKey(topic, partition));
    return e && committedOf(e);
  }

  /** Every committed offset of a group, by topic. */
  all(group: string): Map<string, { partition: number; committed: CommittedOffset }[]> {
    const out = new Map<string, { partition: number; committed: CommittedOffset }[]>();
    for (const e of this.byGroup.get(group)?.values() ?? []) {
      const list = out.get(e.topic) ?? [];
      list.push({ partition: e.partition, committed: committedOf(e) });
      out.set(e.topic, list);
    }
    for (const list of out.values()) list.sort((a, b) => a.partition - b.partition);
    return out;
  }

  /** Groups with at least one committed offset. */
  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Deletes a group's offsets durably (one tombstone per partition). */
  async deleteGroup(group: string): Promise<number> {
    return this.deletePartitions(group, [...(this.byGroup.get(group)?.values() ?? [])]);
  }

  /** Deletes some of a group's offsets durably (OffsetDelete): one tombstone per partition that has one. */
  async deletePartitions(group: string, partitions: readonly { topic: string; partition: number }[]): Promise<number> {
    const entries = partitions.filter((p) => this.get(group, p.topic, p.partition) !== undefined);
    if (entries.length === 0) return 0;
    const batch = encodeRecordBatch({
      timestamp: this.now(),
      records: entries.map((e) => ({ key: encodeOffsetKey({ group, topic: e.topic, partition: e.partition }), value: null })),
    });
    const errorCode = await this.append(batch);
    if (errorCode === 0) for (const e of entries) this.remove(group, e.topic, e.partition);
    return errorCode;
  }

  clear(): void {
    this.byGroup.clear();
    this.pending.clear();
  }

  private put(group: string, topic: string, partition: number, v: CommittedOffset): void {
    let m = this.byGroup.get(group);
    if (!m) {
      m = new Map();
      this.byGroup.set(group, m);
    }
    m.set(tpKey(topic, partition), { ...v, topic, partition });
  }

  private remove(group: string, topic: string, partition: number): void {
    const m = this.byGroup.get(group);
    m?.delete(tpKey(topic, partition));
    if (m?.size === 0) this.byGroup.delete(group);
  }
}
