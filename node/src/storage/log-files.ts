/**
 * Names on disk, as Kafka makes them (LogFileUtils.java, Topic.java):
 *
 *   <dataDir>/.kafka_cleanshutdown              present only between a clean close and the next open
 *   <dataDir>/<topic>-<partition>/              one directory per partition
 *   <dataDir>/<topic>-<partition>/<base>.log    base = first offset of the segment, 20 digits zero-padded
 *   <dataDir>/<topic>-<partition>/<base>.index
 *   <dataDir>/<topic>-<partition>/<base>.timeindex
 *   <dataDir>/<topic>-<partition>/<base>.txnindex  aborted transactions (txn-index.ts)
 *
 * A topic name is validated before it becomes part of any path, so a name is never a path.
 * Pure functions; no I/O.
 */
import * as path from 'node:path';
import { KafkaError } from '../protocol/errors.ts';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TXN_INDEX_SUFFIX = '.txnindex';
/** Kafka's marker file: its presence on open means every segment was flushed and closed. */
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
/** Kafka's limit (Topic.MAX_NAME_LENGTH). */
export const MAX_TOPIC_NAME_LENGTH = 249;

const OFFSET_DIGITS = 20;
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const SEGMENT_FILE = /^(\d{20})(\.log|\.index|\.timeindex|\.txnindex)$/;

/** The file name of a segment's `.log`, `.index`, `.timeindex` or `.txnindex`: the one place a base offset becomes a name. */
export function segmentFileName(baseOffset: number, suffix: typeof LOG_SUFFIX | typeof INDEX_SUFFIX | typeof TIME_INDEX_SUFFIX | typeof TXN_INDEX_SUFFIX): string {
  if (!Number.isSafeInteger(baseOffset) || baseOffset < 0) throw new RangeError(`bad base offset ${baseOffset}`);
  return String(baseOffset).padStart(OFFSET_DIGITS, '0') + suffix;
}

/** Base offset and suffix of a segment file name, or null for any other file. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | null {
  const m = SEGMENT_FILE.exec(name);
  return m ? { baseOffset: Number(m[1]), suffix: m[2]! } : null;
}

/** Throws INVALID_TOPIC_EXCEPTION unless `name` is a legal Kafka topic name. */
export function validateTopicName(name: string): void {
  const problem =
    typeof name !== 'string' || name.length === 0 ? 'topic name is empty'
    : name === '.' || name === '..' ? `topic name cannot be "${name}"`
    : name.length > MAX_TOPIC_NAME_LENGTH ? `topic name is ${name.length} characters, the limit is ${MAX_TOPIC_NAME_LENGTH}`
    : !TOPIC_NAME.test(name) ? `topic name "${name}" may contain only ASCII letters, digits, '.', '_' and '-'`
    : null;
  if (problem) throw new KafkaError('INVALID_TOPIC_EXCEPTION', problem);
}

/** `<topic>-<partition>`, after validating the topic name. */
export function partitionDirName(topic: string, partition: number): string {
  validateTopicName(topic);
  if (!Number.isInteger(partition) || partition < 0) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `bad partition ${partition}`);
  return `${topic}-${partition}`;
}

/** The partition's directory under `dataDir`. */
export function partitionDir(dataDir: string, topic: string, partition: number): string {
  return path.join(dataDir, partitionDirName(topic, partition));
}

/** Topic and partition of a directory name, or null if it is not `<valid topic>-<number>`. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return null;
  const topic = name.slice(0, dash);
  const digits = name.slice(dash + 1);
  if (!/^\d{1,9}$/.test(digits)) return null;
  try {
    validateTopicName(topic);
  } catch {
    return null;
  }
  return { topic, partition: Number(digits) };
}
