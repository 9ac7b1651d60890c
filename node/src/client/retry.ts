/**
 * Which failures are worth another try, and how long to wait before it. Pure functions, so the
 * client's policy can be tested without a cluster.
 *
 * "Moved" errors mean the client's picture of the cluster is stale: the chain changed head or tail,
 * is not formed yet, or a topic is still spreading to the node asked. The answer is to refresh
 * Metadata and try again with exponential backoff. Everything else is the caller's problem.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import { KafkaError } from '../protocol/errors.ts';
import { ConnectionError } from './errors.ts';

/** Kafka codes that mean "ask Metadata again and retry" (UNKNOWN_TOPIC_OR_PARTITION only when told). */
const MOVED_CODES: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER.code,
  ErrorCode.LEADER_NOT_AVAILABLE.code,
  ErrorCode.NOT_ENOUGH_REPLICAS.code,
  ErrorCode.REQUEST_TIMED_OUT.code,
  ErrorCode.NOT_CONTROLLER.code,
  ErrorCode.NETWORK_EXCEPTION.code,
  ErrorCode.REPLICA_NOT_AVAILABLE.code,
  ErrorCode.FENCED_LEADER_EPOCH.code,
  ErrorCode.UNKNOWN_LEADER_EPOCH.code,
]);

/** Default first backoff; doubled per attempt. */
export const DEFAULT_BACKOFF_MS = 50;
/** Default ceiling for one backoff. */
export const DEFAULT_MAX_BACKOFF_MS = 2000;

export interface RetryContext {
  /**
   * Whether UNKNOWN_TOPIC_OR_PARTITION is expected to pass: the topic was just created (it spreads to
   * the chain's nodes asynchronously) or the client's view knew it and the answer came from a stale node.
   */
  topicMayAppear: boolean;
}

/** True when `err` means the cluster moved under the client: refresh the view and retry. */
export function isRetriable(err: unknown, ctx: RetryContext = { topicMayAppear: false }): boolean {
  if (err instanceof ConnectionError) return true;
  if (!(err instanceof KafkaError)) return false;
  if (err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code) return ctx.topicMayAppear;
  return MOVED_CODES.has(err.code);
}

/**
 * Milliseconds to wait before retry number `attempt` (0-based): exponential with "equal jitter", so
 * many clients that failed together do not come back together, yet none retries immediately.
 */
export function backoffMs(attempt: number, baseMs = DEFAULT_BACKOFF_MS, maxMs = DEFAULT_MAX_BACKOFF_MS, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}
