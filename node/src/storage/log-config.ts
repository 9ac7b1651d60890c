/**
 * A partition log's settings (Kafka's topic-level `segment.bytes`, `retention.*`, `flush.*`, index
 * settings), their defaults, and the checks that refuse values the log cannot honour.
 */
import { BATCH_HEADER_SIZE } from '../protocol/record-batch.ts';
import { KafkaError } from '../protocol/errors.ts';
import { DEFAULT_INDEX_INTERVAL_BYTES } from './segment.ts';
import { DEFAULT_MAX_INDEX_BYTES } from './offset-index.ts';

/** Kafka 1.0's `segment.bytes` default. */
export const DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024;
/** Kafka's `retention.ms` default (7 days). -1 disables. */
export const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** Kafka's `retention.bytes` default: unlimited. */
export const DEFAULT_RETENTION_BYTES = -1;
/** `flush.messages` / `flush.ms` value meaning "never" (Kafka's default is Long.MAX_VALUE). */
export const FLUSH_NEVER = -1;

export interface LogConfig {
  segmentBytes: number;
  indexIntervalBytes: number;
  maxIndexBytes: number;
  retentionBytes: number;
  retentionMs: number;
  /** fsync once this many records are unflushed (Kafka's flush.messages); FLUSH_NEVER disables. */
  flushMessages: number;
  /** fsync records unflushed for this long (Kafka's flush.ms), on the owner's timer; FLUSH_NEVER disables. */
  flushMs: number;
}

/** `opts` with Kafka's defaults filled in; INVALID_CONFIG for a value the log cannot honour. */
export function configWithDefaults(opts: Partial<LogConfig>): LogConfig {
  const config: LogConfig = {
    segmentBytes: opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
    indexIntervalBytes: opts.indexIntervalBytes ?? DEFAULT_INDEX_INTERVAL_BYTES,
    maxIndexBytes: opts.maxIndexBytes ?? DEFAULT_MAX_INDEX_BYTES,
    retentionBytes: opts.retentionBytes ?? DEFAULT_RETENTION_BYTES,
    retentionMs: opts.retentionMs ?? DEFAULT_RETENTION_MS,
    flushMessages: opts.flushMessages ?? FLUSH_NEVER,
    flushMs: opts.flushMs ?? FLUSH_NEVER,
  };
  if (config.flushMessages !== FLUSH_NEVER && !(Number.isInteger(config.flushMessages) && config.flushMessages >= 1)) {
    throw new KafkaError('INVALID_CONFIG', `flush.messages ${config.flushMessages} must be an integer >= 1 (or ${FLUSH_NEVER} for never)`);
  }
  if (config.flushMs !== FLUSH_NEVER && !(Number.isInteger(config.flushMs) && config.flushMs >= 0)) {
    throw new KafkaError('INVALID_CONFIG', `flush.ms ${config.flushMs} must be an integer >= 0 (or ${FLUSH_NEVER} for never)`);
  }
  // Positions in the index are int32, so a segment cannot pass 2 GiB.
  if (!(config.segmentBytes >= BATCH_HEADER_SIZE && config.segmentBytes <= 0x7fffffff)) {
    throw new KafkaError('INVALID_CONFIG', `segment.bytes ${config.segmentBytes} must be in [${BATCH_HEADER_SIZE}, 2^31-1]`);
  }
  if (!(config.maxIndexBytes >= 8)) throw new KafkaError('INVALID_CONFIG', `segment.index.bytes ${config.maxIndexBytes} is below one entry`);
  return config;
}
