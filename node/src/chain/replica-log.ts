/**
 * The slice of storage that replication needs, as an interface so the chain code states exactly what it
 * relies on (and so storage can change underneath without the replicator noticing).
 */
import type { KafkaError } from '../protocol/errors.ts';

/** Where a head's append landed. */
export interface ChainAppend {
  baseOffset: number;
  lastOffset: number;
  /** An idempotent producer's retry of a stored batch: nothing new was written. */
  duplicate: boolean;
  logStartOffset: number;
}

/** One request's outcome at the head: its offsets, or the error that refused it alone. */
export type HeadAppend = { baseOffset: number; lastOffset: number; duplicate?: boolean } | KafkaError;

export interface ReplicaLog {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /**
   * Appends producers' requests at the head with one write, assigning offsets (and stamping
   * `leaderEpoch`; patches the buffers); one outcome per request, a KafkaError for a refused one.
   */
  appendMany(requests: readonly Buffer[], opts: { leaderEpoch?: number }): HeadAppend[];
  /** `appendMany` with the file write off the event loop; one in flight per partition. */
  appendManyAsync(requests: readonly Buffer[], opts: { leaderEpoch?: number }): Promise<HeadAppend[]>;
  /** Appends batches whose offsets are already set; the first must start at logEndOffset. */
  appendReplicated(batches: Buffer): unknown;
  /** Whole batches from `offset`, at most about `maxBytes` (at least one batch), below `maxOffset`. */
  read(offset: number, opts: { maxBytes: number; maxOffset?: number; minOneBatch?: boolean }): { records: Buffer };
  /** Drops every offset >= `offset`. */
  truncateTo(offset: number): void;
  /** Empties the log and restarts it at `offset` (the predecessor no longer holds what lies before). */
  truncateFullyAndStartAt(offset: number): void;
}

export interface ReplicaLogs {
  /** Every topic with its partition count. */
  list(): { topic: string; partitions: number }[];
  /** A topic's partition count, undefined when it does not exist. */
  partitionCount(topic: string): number | undefined;
  partition(topic: string, partition: number): ReplicaLog | undefined;
  /** Creates a topic if absent (replicated creation is idempotent); with `topicId` the topic takes that id. */
  ensureTopic(topic: string, partitions: number, topicId?: Buffer): void;
  /** A topic's id (KIP-516), undefined for an unknown topic. */
  topicId(topic: string): Buffer | undefined;
  deleteTopic(topic: string): void;
  /** A topic's config overrides (Kafka names; see storage/topic-config.ts). */
  topicOverrides(topic: string): Record<string, string>;
  /** Replaces a topic's config overrides (a replicated config change). */
  setTopicConfig(topic: string, overrides: Record<string, string>): unknown;
  /** Moves a partition's log start offset up (a replicated DeleteRecords). */
  deleteRecordsBefore(topic: string, partition: number, offset: number): unknown;
}
