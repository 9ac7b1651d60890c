/**
 * Turning the view and broker answers into either a route or a typed error. Codes the error table
 * does not hold become UNKNOWN_SERVER_ERROR with the number kept in the message.
 */
import { ErrorCode, errorName } from '../protocol/error-codes.ts';
import { KafkaError } from '../protocol/errors.ts';
import type { ClusterView, PartitionRoute } from './cluster-view.ts';

/** A KafkaError for a numeric code from a response. */
export function codeError(code: number, context: string): KafkaError {
  const name = errorName(code);
  return new KafkaError(name ?? 'UNKNOWN_SERVER_ERROR', `${context}: ${name ?? `error code ${code}`}`);
}

/** The route of a partition with a reachable leader and tail, or the error that explains why not. */
export function requireRoute(view: ClusterView, topic: string, partition: number): PartitionRoute {
  const t = view.current.topics.get(topic);
  if (!t) throw codeError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code, `topic ${topic}`);
  const r = t.partitions.find((p) => p.partition === partition);
  if (!r) throw codeError(t.errorCode !== 0 ? t.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code, `${topic}-${partition}`);
  if (r.errorCode !== 0) throw codeError(r.errorCode, `${topic}-${partition}`);
  if (!r.leader || !r.tail) throw codeError(ErrorCode.LEADER_NOT_AVAILABLE.code, `${topic}-${partition} has no leader`);
  return r;
}
