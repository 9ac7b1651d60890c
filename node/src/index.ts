/**
 * vonnegut as a library. The embedded log is the TypeScript form of the original's `vg:create_topic`,
 * `vg:write` and `vg:fetch`: open a data directory and write and read topics in-process, in Kafka's
 * on-disk format (`<dataDir>/<topic>-<partition>/<20-digit base offset>.log|.index`), with no server.
 *
 *   const log = await openLog({ dataDir: './data' });
 *   log.createTopic('events');
 *   const [offset] = log.write('events', ['hello']);
 *   const { highWaterMark, records } = log.fetch('events', { offset });
 *   log.close();
 *
 * The high-water mark is Kafka's: the next offset to be written (the original answered the last one).
 * Concurrency: one process per data directory; calls are synchronous once the log is open.
 * The storage classes and the record-batch codec are re-exported below for the server and tools.
 */
import { LogManager, type LogManagerOptions } from './storage/log-manager.ts';
import { KafkaError } from './protocol/errors.ts';
import { initCompression, type CompressionName } from './protocol/compression.ts';
import { encodeRecordBatch, decodeRecordBatches, type RecordInput, type DecodedRecord } from './protocol/record-batch.ts';

/** Default data directory, as the original's. */
export const DEFAULT_DATA_DIR = './data';
/** Default fetch size. */
export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024;

export interface OpenLogOptions extends Partial<Omit<LogManagerOptions, 'committedOffset'>> {
  /** Codec for the batch each write() makes (default none). */
  compression?: CompressionName;
}

export interface FetchOptions {
  partition?: number;
  offset?: number;
  maxBytes?: number;
}

export interface FetchResult {
  /** The next offset to be written. */
  highWaterMark: number;
  records: DecodedRecord[];
}

export interface EmbeddedLog {
  /** Creates a topic (default one partition); TOPIC_ALREADY_EXISTS if it exists. */
  createTopic(name: string, opts?: { partitions?: number }): void;
  /** Creates a topic unless it exists (then it keeps its partitions), so a program can run twice. */
  ensureTopic(name: string, opts?: { partitions?: number }): void;
  /** Appends values (Buffer or string) or records as one batch; returns their offsets. */
  write(topic: string, items: readonly (Buffer | string | RecordInput)[], opts?: { partition?: number }): number[];
  /** Records from `offset` (default 0) up to about `maxBytes` (at least one batch). */
  fetch(topic: string, opts?: FetchOptions): FetchResult;
  /** The underlying log manager, for anything beyond the three calls. */
  readonly logs: LogManager;
  close(): void;
}

/** Opens (creating) a log in `dataDir`, recovering it if the last run did not close cleanly. */
export async function openLog(opts: OpenLogOptions = {}): Promise<EmbeddedLog> {
  await initCompression();
  const { compression, ...storage } = opts;
  const logs = await LogManager.open({ ...storage, dataDir: opts.dataDir ?? DEFAULT_DATA_DIR });
  return {
    logs,
    createTopic(name, topicOpts = {}) {
      logs.createTopic(name, topicOpts);
    },
    ensureTopic(name, topicOpts = {}) {
      if (!logs.list().some((t) => t.topic === name)) logs.createTopic(name, topicOpts);
    },
    write(topic, items, writeOpts = {}) {
      if (items.length === 0) return [];
      const records = items.map((v): RecordInput => (typeof v === 'string' || Buffer.isBuffer(v) ? { value: v } : v));
      const { baseOffset } = logs.require(topic, writeOpts.partition ?? 0).append(encodeRecordBatch({ records, compression }));
      return records.map((_, i) => baseOffset + i);
    },
    fetch(topic, fetchOpts = {}) {
      const log = logs.require(topic, fetchOpts.partition ?? 0);
      const offset = fetchOpts.offset ?? 0;
      if (!Number.isSafeInteger(offset)) throw new KafkaError('OFFSET_OUT_OF_RANGE', `bad offset ${offset}`);
      const { records, highWatermark } = log.read(offset, { maxBytes: fetchOpts.maxBytes ?? DEFAULT_FETCH_MAX_BYTES });
      const out: DecodedRecord[] = [];
      // The first batch may begin before `offset`: skip its earlier records, as Kafka consumers do.
      for (const batch of decodeRecordBatches(records)) for (const r of batch.records) if (r.offset >= offset) out.push(r);
      return { highWaterMark: highWatermark, records: out };
    },
    close() {
      logs.close();
    },
  };
}

// Storage, for the server and tools.
export { LogManager, type LogManagerOptions, type TopicInfo } from './storage/log-manager.ts';
export { PartitionLog, type AppendResult, type ReadOptions, type ReadResult } from './storage/partition-log.ts';
export type { LogConfig } from './storage/log-config.ts';
export { validateTopicName, segmentFileName } from './storage/log-files.ts';
export type { StorageLogger } from './storage/logger.ts';

// The record-batch codec.
export {
  encodeRecordBatch, decodeRecordBatch, decodeRecordBatches, readBatchHeader, validateBatch, batchPositions,
  setBaseOffset, setPartitionLeaderEpoch,
  type BatchHeader, type DecodedBatch, type DecodedRecord, type RecordInput, type RecordHeader, type EncodeBatchOptions,
} from './protocol/record-batch.ts';
export { initCompression, Compression, type CompressionName } from './protocol/compression.ts';
export { KafkaError, DecodeError } from './protocol/errors.ts';

// The native client (writes at each chain's head, reads at its tail).
export {
  createClient, ConnectionError, RequestTimeoutError,
  type Client, type ClientOptions, type ProduceOptions, type ProduceResult, type TopicDescription,
  type FetchOptions as ClientFetchOptions, type FetchResult as ClientFetchResult,
} from './client/index.ts';
