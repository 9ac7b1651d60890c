/**
 * Which partitions of an offset commit are stored and what each answers, shared by OffsetCommit and
 * TxnOffsetCommit: Read on the topic (else TOPIC_AUTHORIZATION_FAILED), the partition exists (else
 * UNKNOWN_TOPIC_OR_PARTITION), then the API's own per-partition check; only partitions passing all of them
 * are stored, and a batch-wide error code answers every partition.
 */
import { ErrorCode } from '../../protocol/error-codes.ts';

interface CommitPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

interface CommitTopic<P extends CommitPartition> {
  name: string;
  partitions: P[];
}

/** One partition's offset as the offset store takes it. */
export interface PlannedOffset {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

export interface CommitPlan {
  /** The offsets to store (partitions that passed every check). */
  offsets: PlannedOffset[];
  /** The response's topics for the batch's error code (0: each partition's own check result). */
  answer(errorCode: number): { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

/** Plans a commit of `topics`; `partitionCount` is as Metadata would say (undefined: no such topic). */
export function planOffsetCommit<P extends CommitPartition>(
  topics: CommitTopic<P>[],
  topicAllowed: boolean[],
  partitionCount: (topic: string) => number | undefined,
  partitionCheck: (p: P) => number = () => 0,
): CommitPlan {
  const counts = topics.map((t) => partitionCount(t.name));
  const errorOf = (i: number, p: P): number => !topicAllowed[i] ? ErrorCode.TOPIC_AUTHORIZATION_FAILED.code
    : p.partitionIndex < 0 || p.partitionIndex >= (counts[i] ?? 0) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code
    : partitionCheck(p);
  return {
    offsets: topics.flatMap((t, i) => t.partitions
      .filter((p) => errorOf(i, p) === 0)
      .map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '' }))),
    answer: (errorCode) => topics.map((t, i) => ({
      name: t.name,
      partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errorCode === 0 ? errorOf(i, p) : errorCode })),
    })),
  };
}
