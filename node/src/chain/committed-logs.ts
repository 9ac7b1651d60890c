/**
 * What a chain node does to all its logs at once against their committed offsets (high-water marks):
 * clamp marks to the logs after a restart, commit everything (a tail or solo node), drop what was never
 * committed (a node rejoining its chain), and report the state a predecessor syncs from.
 */
import type { Logger } from '../logging.ts';
import type { HighWatermarks } from './high-watermark.ts';
import type { TopicState } from './link-protocol.ts';
import type { ReplicaLog, ReplicaLogs } from './replica-log.ts';

function forEachLog(logs: ReplicaLogs, fn: (topic: string, partition: number, log: ReplicaLog) => void): void {
  for (const { topic, partitions } of logs.list()) {
    for (let p = 0; p < partitions; p++) {
      const log = logs.partition(topic, p);
      if (log) fn(topic, p, log);
    }
  }
}

/** A mark beyond a log's end (the log lost its unflushed tail) would let readers ask for offsets that do not exist. */
export function clampMarks(logs: ReplicaLogs, marks: HighWatermarks): void {
  forEachLog(logs, (topic, p, log) => {
    if (marks.get(topic, p) > log.logEndOffset) marks.reset(topic, p, log.logEndOffset);
  });
}

/** What the tail (or a solo node) holds is committed by definition. */
export function commitAll(logs: ReplicaLogs, marks: HighWatermarks): void {
  forEachLog(logs, (topic, p, log) => marks.advance(topic, p, log.logEndOffset));
}

/**
 * Drops every record above the committed offset: a node rejoining its chain may hold records the chain
 * never committed, which other records may since have replaced at the same offsets.
 */
export function truncateUncommitted(logs: ReplicaLogs, marks: HighWatermarks, logger: Logger): void {
  forEachLog(logs, (topic, p, log) => {
    const committed = marks.get(topic, p);
    if (log.logEndOffset <= committed) return;
    logger.info('dropping records the chain never committed before rejoining', { topic, partition: p, from: committed, to: log.logEndOffset });
    log.truncateTo(committed);
  });
}

/** Log end and committed offset of every partition, as a link's State message reports them. */
export function localState(logs: ReplicaLogs, marks: HighWatermarks): TopicState[] {
  return logs.list().map(({ topic, partitions }) => ({
    topic,
    partitionCount: partitions,
    partitions: Array.from({ length: partitions }, (_, p) => ({ partition: p, logEnd: logs.partition(topic, p)?.logEndOffset ?? 0, hwm: marks.get(topic, p) })),
  }));
}
