/**
 * The client's idempotent producer state, kept apart from the facade as kafkajs keeps its eosManager:
 * the producer id and epoch (InitProducerId, asked for on the first produce), the next sequence of each
 * partition, and each partition's queue of produce calls.
 *
 * To keep sequences in order each partition has one batch in flight; calls that arrive meanwhile are
 * merged into the next batch, as Kafka's record accumulator does. A batch that fails for good retires
 * the producer id, so the next batch, numbered under a new id, can never be mistaken for it. Sequences
 * wrap at int32 max, as Kafka's do.
 */
import type { CompressionName } from '../protocol/compression.ts';
import type { RecordInput } from '../protocol/record-batch.ts';
import { tpKey } from '../topic-partition.ts';
import { encodeBatch } from './batch-encoder.ts';

/** Records merged into one idempotent batch at most (calls beyond wait for the next batch). */
const MAX_MERGED_RECORDS = 10_000;
/**
 * Approximate bytes merged into one batch at most: well under Kafka's default message.max.bytes (1 MiB),
 * so merging never makes a batch the broker refuses where the calls alone would have passed.
 */
const MAX_MERGED_BYTES = 512 * 1024;

/** A producer id and epoch as InitProducerId hands them out. */
export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
}

/** What the facade lends the producer: how to get an identity and how to send one batch (acks=-1, retried). */
export interface IdempotentTransport {
  /** Asks the cluster for a fresh producer id (InitProducerId). */
  initProducerId(): Promise<ProducerIdentity>;
  /** Sends one encoded batch to the partition's head with acks=-1; resolves with its base offset. */
  sendBatch(topic: string, partition: number, batch: Buffer): Promise<number>;
}

/** A produce call waiting for its partition's batch. */
interface Waiting {
  records: RecordInput[];
  /** Roughly what the records add to a batch. */
  bytes: number;
  compression: CompressionName;
  resolve(baseOffset: number): void;
  reject(err: unknown): void;
}

/** One partition's produces: at most one batch in flight, the rest waiting to be merged. */
interface PartitionQueue {
  busy: boolean;
  waiting: Waiting[];
}

/** Exactly-once storage of acks=-1 produces across retries, one client's worth. */
export class IdempotentProducer {
  /** This producer's id, asked for on the first produce and dropped after a failed batch. */
  private identity: Promise<ProducerIdentity> | null = null;
  /** Next sequence per partition (`tpKey`), for producer id `sequenceOwner`. */
  private readonly sequences = new Map<string, number>();
  private sequenceOwner = -1;
  private readonly queues = new Map<string, PartitionQueue>();

  constructor(private readonly transport: IdempotentTransport) {}

  /** Queues `records` for the partition; resolves with the offset of the first once the batch holding them is stored. */
  produce(topic: string, partition: number, records: RecordInput[], compression: CompressionName): Promise<number> {
    const key = tpKey(topic, partition);
    let q = this.queues.get(key);
    if (!q) this.queues.set(key, (q = { busy: false, waiting: [] }));
    const queue = q;
    return new Promise<number>((resolve, reject) => {
      queue.waiting.push({ records, bytes: approxBytes(records), compression, resolve, reject });
      void this.drain(topic, partition, queue);
    });
  }

  private producerIdentity(): Promise<ProducerIdentity> {
    this.identity ??= this.transport.initProducerId();
    const asked = this.identity;
    asked.catch(() => {
      if (this.identity === asked) this.identity = null;
    });
    return asked;
  }

  /** Sends the partition's waiting produces, merged, one batch at a time, until none are left. */
  private async drain(topic: string, partition: number, q: PartitionQueue): Promise<void> {
    if (q.busy) return;
    q.busy = true;
    const key = tpKey(topic, partition);
    try {
      while (q.waiting.length > 0) {
        const group = takeGroup(q);
        const count = group.reduce((n, w) => n + w.records.length, 0);
        try {
          const id = await this.producerIdentity();
          if (id.producerId !== this.sequenceOwner) {
            this.sequences.clear();
            this.sequenceOwner = id.producerId;
          }
          const baseSequence = this.sequences.get(key) ?? 0;
          const records = group.length === 1 ? group[0]!.records : group.flatMap((w) => w.records);
          const batch = encodeBatch(records, group[0]!.compression, Date.now(), { ...id, baseSequence });
          let offset = await this.transport.sendBatch(topic, partition, batch);
          if (this.sequenceOwner === id.producerId) this.sequences.set(key, (baseSequence + count) % 0x80000000);
          for (const w of group) {
            w.resolve(offset);
            offset += w.records.length;
          }
        } catch (err) {
          // The batch may or may not be stored: under a new producer id the next one cannot be taken for it.
          this.identity = null;
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      q.busy = false;
    }
  }
}

/** Takes the next batch's worth of waiting calls: same compression, within the merge limits, at least one. */
function takeGroup(q: PartitionQueue): Waiting[] {
  const compression = q.waiting[0]!.compression;
  const group: Waiting[] = [];
  let count = 0;
  let bytes = 0;
  const fits = (w: Waiting): boolean => count + w.records.length <= MAX_MERGED_RECORDS && bytes + w.bytes <= MAX_MERGED_BYTES;
  while (q.waiting.length > 0 && q.waiting[0]!.compression === compression && (group.length === 0 || fits(q.waiting[0]!))) {
    const w = q.waiting.shift()!;
    group.push(w);
    count += w.records.length;
    bytes += w.bytes;
  }
  return group;
}

/** What records add to a batch, roughly: key, value and header bytes plus a little framing each. */
function approxBytes(records: readonly RecordInput[]): number {
  const len = (v: Buffer | string | null | undefined): number => (v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length);
  let n = 0;
  for (const r of records) {
    n += 16 + len(r.key) + len(r.value);
    if (r.headers) for (const h of r.headers) n += 8 + Buffer.byteLength(h.key) + len(h.value);
  }
  return n;
}
