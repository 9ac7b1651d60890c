/**
 * Every partition log under one data directory, Kafka's LogManager:
 *
 *   <dataDir>/<topic>-<partition>/...     one PartitionLog each (see partition-log.ts)
 *   <dataDir>/topic-configs.json          per-topic config overrides (topic-config-store.ts)
 *   <dataDir>/<topic>-<p>/partition.metadata  the topic's id, Kafka's format (topic-ids.ts)
 *   <dataDir>/log-start-offset-checkpoint log start offsets moved by DeleteRecords (Kafka's format)
 *   <dataDir>/.kafka_cleanshutdown        written by close() after every log was flushed; removed by
 *                                         open(). Open recovers only each log's last segment when it is
 *                                         present, and every segment when it is not (a crash).
 *
 * A topic exists when its partition directories do; partition counts are read back from the directory
 * names on open, so there is no metadata file to keep in step. Invalid names are refused before any path
 * is built from them, and creation validates everything before it touches the disk.
 *
 * Concurrency: one caller at a time (synchronous fs); one append in flight per partition, as each
 * PartitionLog requires. The retention timer runs on the same event loop, so it never interleaves
 * with an append.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KafkaError } from '../protocol/errors.ts';
import { PartitionLog } from './partition-log.ts';
import { FLUSH_NEVER, type LogConfig } from './log-config.ts';
import { CLEAN_SHUTDOWN_FILE, partitionDir, parsePartitionDirName, validateTopicName } from './log-files.ts';
import { silentLogger, type StorageLogger } from './logger.ts';
import { lockDataDir, prepareDataDir, type DataDirLock } from './data-dir.ts';
import { DEFAULT_FILE_IDLE_MS, DEFAULT_MAX_OPEN_FILES, FilePool } from './file-pool.ts';
import { KAFKA_TOPIC_DEFAULTS, resolveTopicConfig, type TopicConfig, type TopicConfigOverrides } from './topic-config.ts';
import { TopicConfigStore } from './topic-config-store.ts';
import { LOG_START_CHECKPOINT_FILE, readLogStartCheckpoint, writeLogStartCheckpoint } from './log-start-checkpoint.ts';
import { tpKey } from '../topic-partition.ts';
import { TopicIds } from './topic-ids.ts';
import { isZeroUuid, randomTopicId } from '../protocol/uuid.ts';
import { cleanLog, needsCleaning, DEFAULT_CLEANER_BACKOFF_MS, type CleanerState } from './log-cleaner.ts';

/** Upper bound on partitions per topic: each one holds three files per segment (descriptors come from the file pool). */
export const MAX_PARTITIONS = 10_000;
/** Topics the cluster keeps for itself; retention never touches them. */
export const INTERNAL_TOPIC_PREFIX = '__';
/** Kafka's `log.retention.check.interval.ms` default (5 minutes). */
export const DEFAULT_RETENTION_CHECK_MS = 5 * 60 * 1000;

/** The exclusive offset below which retention may delete a partition's segments (its committed bound). */
export type RetentionBound = (topic: string, partition: number) => number;

export interface LogManagerOptions extends Partial<LogConfig> {
  dataDir: string;
  /** The owner of each partition's committed offset (the chain); absent: a single node, see PartitionLog. */
  committedOffset?: (topic: string, partition: number) => number;
  logger?: StorageLogger;
  /** Cap on segment file descriptors held open (least recently used ones are closed). */
  maxOpenFiles?: number;
  /** Segment files unused this long are closed (startIdleFileClose). */
  fileIdleMs?: number;
  /** Broker-level defaults for topic configs the flags above do not cover (max.message.bytes, ...). */
  topicDefaults?: Partial<TopicConfig>;
}

export interface TopicInfo {
  topic: string;
  partitions: number;
}

export class LogManager {
  readonly dataDir: string;
  /** Whether the previous run closed cleanly (only the last segment of each log was recovered). */
  readonly openedClean: boolean;
  private readonly opts: LogManagerOptions;
  private readonly logger: StorageLogger;
  private readonly topicLogs = new Map<string, PartitionLog[]>();
  private retentionTimer: NodeJS.Timeout | undefined;
  private cleanerTimer: NodeJS.Timeout | undefined;
  /** What the cleaner's last pass over each partition (`tpKey`) covered. */
  private readonly cleanerState = new Map<string, CleanerState>();
  private idleFileTimer: NodeJS.Timeout | undefined;
  /** Every segment file of every log draws its descriptor from here. */
  readonly files: FilePool;
  private flushTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly configStore: TopicConfigStore;
  /** Every topic's id (KIP-516), as its partition.metadata files record it. */
  private readonly ids = new TopicIds();
  /** Resolved configs, read on every produce; dropped whenever overrides or defaults change. */
  private readonly resolved = new Map<string, TopicConfig>();

  private constructor(opts: LogManagerOptions, clean: boolean, private readonly lock: DataDirLock) {
    this.opts = opts;
    this.configStore = TopicConfigStore.load(opts.dataDir);
    this.dataDir = opts.dataDir;
    this.logger = opts.logger ?? silentLogger;
    this.openedClean = clean;
    this.files = new FilePool(opts.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES);
  }

  /**
   * Opens the data directory (creating it) and locks it for this process, loading and recovering every
   * `<topic>-<partition>` log. A DataDirError names the path and the reason, or the pid holding the lock.
   */
  static async open(opts: LogManagerOptions): Promise<LogManager> {
    prepareDataDir(opts.dataDir);
    const lock = await lockDataDir(opts.dataDir);
    try {
      return LogManager.load(opts, lock);
    } catch (err) {
      lock.release();
      throw err;
    }
  }

  private static load(opts: LogManagerOptions, lock: DataDirLock): LogManager {
    const marker = path.join(opts.dataDir, CLEAN_SHUTDOWN_FILE);
    const found = new Map<string, number[]>();
    const ignored: string[] = [];
    for (const entry of fs.readdirSync(opts.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const parsed = parsePartitionDirName(entry.name);
      if (parsed === null) ignored.push(entry.name);
      else found.set(parsed.topic, [...(found.get(parsed.topic) ?? []), parsed.partition]);
    }
    // A directory without logs (brand new) has nothing to recover: it is as clean as a cleanly closed one.
    const clean = found.size === 0 || fs.existsSync(marker);
    const manager = new LogManager(opts, clean, lock);
    for (const name of ignored) manager.logger.warn('ignoring directory that is not <topic>-<partition>', { dataDir: opts.dataDir, name });
    for (const [topic, partitions] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
      const count = Math.max(...partitions) + 1;
      if (partitions.length !== count) manager.logger.warn('topic is missing partition directories; recreating them empty', { topic, found: partitions.length, count });
      manager.topicLogs.set(topic, Array.from({ length: count }, (_, p) => manager.openPartition(topic, p, !clean)));
      if (manager.ids.load(topic, manager.partitionDirs(topic, count)).generated) {
        manager.logger.info('topic had no id; gave it the one derived from its name', { topic });
      }
    }
    for (const e of readLogStartCheckpoint(opts.dataDir)) {
      const log = manager.get(e.topic, e.partition);
      // A log shorter than its checkpoint (a torn tail) keeps what it has.
      if (log) log.advanceLogStart(Math.min(e.offset, log.logEndOffset));
    }
    // From here until close() a crash is unclean: remove the marker only after recovery succeeded.
    fs.rmSync(marker, { force: true });
    manager.logger.info('logs loaded', { dataDir: opts.dataDir, topics: found.size, clean });
    return manager;
  }

  /** Creates a topic: INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS or TOPIC_ALREADY_EXISTS, and nothing on disk, if it cannot. */
  createTopic(name: string, opts: { partitions?: number; configs?: TopicConfigOverrides; topicId?: Buffer } = {}): TopicInfo {
    this.ensureOpen();
    validateTopicName(name);
    const partitions = opts.partitions ?? 1;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new KafkaError('INVALID_PARTITIONS', `partition count ${partitions} must be an integer in [1, ${MAX_PARTITIONS}]`);
    }
    if (this.topicLogs.has(name)) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic ${name} already exists`);
    // Validates before anything reaches the disk; stored first so the logs open with it.
    resolveTopicConfig(opts.configs ?? {}, this.topicDefaults());
    this.configStore.set(name, opts.configs ?? {});
    this.resolved.delete(name);
    this.topicLogs.set(name, Array.from({ length: partitions }, (_, p) => this.openPartition(name, p, false)));
    this.ids.assign(name, this.partitionDirs(name, partitions), opts.topicId && !isZeroUuid(opts.topicId) ? opts.topicId : randomTopicId());
    this.logger.info('topic created', { topic: name, partitions });
    return { topic: name, partitions };
  }

  /**
   * Creates the topic if absent, or its missing partitions if it has fewer (replicated creation); with
   * `topicId` (not zero), the topic takes that id (the chain head's), else new partitions get the topic's own.
   */
  ensureTopic(name: string, partitions: number, given?: Buffer): void {
    const topicId = given && !isZeroUuid(given) ? given : undefined;
    const logs = this.topicLogs.get(name);
    if (logs === undefined) {
      this.createTopic(name, { partitions, ...(topicId && { topicId }) });
      return;
    }
    const grown = logs.length < partitions;
    for (let p = logs.length; p < partitions; p++) logs.push(this.openPartition(name, p, false));
    const id = topicId ?? this.ids.get(name);
    if (id && (grown || !this.ids.get(name)?.equals(id))) this.ids.assign(name, this.partitionDirs(name, logs.length), id);
  }

  /** A topic's id (KIP-516), undefined for an unknown topic. */
  topicId(name: string): Buffer | undefined {
    return this.ids.get(name);
  }

  /** The topic with this id, undefined when no topic here has it. */
  topicById(id: Buffer): string | undefined {
    return this.ids.topicOf(id);
  }

  /** Closes and removes every partition of the topic; false if there was no such topic. */
  deleteTopic(name: string): boolean {
    this.ensureOpen();
    validateTopicName(name);
    const logs = this.topicLogs.get(name);
    if (logs === undefined) return false;
    this.topicLogs.delete(name);
    for (const log of logs) log.delete();
    this.ids.forget(name);
    this.configStore.delete(name);
    this.resolved.delete(name);
    this.logger.info('topic deleted', { topic: name });
    return true;
  }

  /** Every topic with its partition count, sorted by name. */
  list(): TopicInfo[] {
    return [...this.topicLogs].map(([topic, logs]) => ({ topic, partitions: logs.length })).sort((a, b) => a.topic.localeCompare(b.topic));
  }

  /** The topic's partition count, or undefined for an unknown topic: one Map lookup (the produce path asks per request). */
  partitionCount(topic: string): number | undefined {
    return this.topicLogs.get(topic)?.length;
  }

  /** Same as list(). */
  topics(): TopicInfo[] {
    return this.list();
  }

  /** The partition's log, or undefined when the topic or partition does not exist. */
  get(topic: string, partition: number): PartitionLog | undefined {
    return this.topicLogs.get(topic)?.[partition];
  }

  /** Same as get() (the name the chain's ReplicaLogs interface uses). */
  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.get(topic, partition);
  }

  /** The partition's log; UNKNOWN_TOPIC_OR_PARTITION when it does not exist. */
  require(topic: string, partition: number): PartitionLog {
    const log = this.get(topic, partition);
    if (log === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
    return log;
  }

  /** The broker-level defaults every topic config starts from (the node's flags over Kafka's defaults). */
  topicDefaults(): TopicConfig {
    const o = this.opts;
    return {
      ...KAFKA_TOPIC_DEFAULTS,
      ...o.topicDefaults,
      ...(o.segmentBytes !== undefined && { segmentBytes: o.segmentBytes }),
      ...(o.retentionMs !== undefined && { retentionMs: o.retentionMs }),
      ...(o.retentionBytes !== undefined && { retentionBytes: o.retentionBytes }),
    };
  }

  /** A topic's effective config (its overrides over topicDefaults()); what retention and compaction apply. */
  topicConfig(topic: string): TopicConfig {
    let config = this.resolved.get(topic);
    if (config === undefined) {
      config = resolveTopicConfig(this.configStore.get(topic), this.topicDefaults());
      this.resolved.set(topic, config);
    }
    return config;
  }

  /** The keys set for this topic (DescribeConfigs reports them as TOPIC_CONFIG). */
  topicOverrides(topic: string): TopicConfigOverrides {
    return this.configStore.get(topic);
  }

  /**
   * Replaces a topic's overrides (validated: INVALID_CONFIG), persists them and applies them to its open
   * logs at once: the next append, roll and retention pass use them. UNKNOWN_TOPIC_OR_PARTITION if absent.
   */
  setTopicConfig(topic: string, overrides: TopicConfigOverrides): TopicConfig {
    this.ensureOpen();
    const logs = this.topicLogs.get(topic);
    if (logs === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`);
    const config = resolveTopicConfig(overrides, this.topicDefaults());
    this.configStore.set(topic, overrides);
    this.resolved.delete(topic);
    for (const log of logs) Object.assign(log.config, logSettings(config));
    this.logger.info('topic config changed', { topic, overrides });
    return config;
  }

  /**
   * DeleteRecords: moves a partition's log start offset up to `offset` and checkpoints it, so the move
   * survives a restart. Returns the new log start offset; UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE.
   */
  deleteRecordsBefore(topic: string, partition: number, offset: number): number {
    this.ensureOpen();
    const start = this.require(topic, partition).advanceLogStart(offset);
    this.checkpointLogStarts();
    return start;
  }

  /** Writes every log's start offset to the checkpoint file (not at all while every log still starts at 0). */
  checkpointLogStarts(): void {
    const entries = [...this.topicLogs].flatMap(([topic, logs]) => logs.map((log, partition) => ({ topic, partition, offset: log.logStartOffset })));
    if (entries.every((e) => e.offset === 0) && !fs.existsSync(path.join(this.dataDir, LOG_START_CHECKPOINT_FILE))) return;
    writeLogStartCheckpoint(this.dataDir, entries);
  }

  /**
   * Runs retention over every log once; returns the number of segments deleted. `bound` gives the
   * offset below which a partition's segments may go (default: each log's own high watermark).
   */
  deleteOldSegments(now = Date.now(), bound?: RetentionBound): number {
    let deleted = 0;
    for (const [topic, logs] of this.topicLogs) {
      // Internal topics (`__` prefix: the placement map, group offsets) are state, not history: Kafka
      // compacts them instead of expiring them, and vonnegut keeps them whole.
      if (topic.startsWith(INTERNAL_TOPIC_PREFIX)) continue;
      // cleanup.policy=compact alone keeps every key's latest record however old (Kafka's rule).
      if (!this.topicConfig(topic).cleanupPolicy.includes('delete')) continue;
      for (const [p, log] of logs.entries()) deleted += bound ? log.deleteOldSegments(now, bound(topic, p)) : log.deleteOldSegments(now);
    }
    return deleted;
  }

  /**
   * Starts a periodic retention sweep (Kafka's log.retention.check.interval.ms), bounded per partition
   * by `bound`, reporting each sweep to `onCheck`; returns a stop function.
   */
  startRetention(intervalMs = DEFAULT_RETENTION_CHECK_MS, bound?: RetentionBound, onCheck?: (deleted: number) => void): () => void {
    this.stopRetention();
    this.retentionTimer = setInterval(() => {
      try {
        const deleted = this.deleteOldSegments(Date.now(), bound);
        if (deleted > 0) this.logger.info('retention deleted segments', { deleted });
        onCheck?.(deleted);
      } catch (err) {
        this.logger.error('retention sweep failed', { error: (err as Error).message });
      }
    }, intervalMs);
    this.retentionTimer.unref();
    return () => this.stopRetention();
  }

  /**
   * Enforces `flush.ms`: every log whose oldest unflushed record is that old gets fsynced. The timer ticks
   * at half of flush.ms (at most once a second), so a record waits at most flush.ms plus one tick.
   * Returns a stop function; a no-op when flush.ms is unset.
   */
  startFlusher(): () => void {
    this.stopFlusher();
    const flushMs = this.opts.flushMs ?? FLUSH_NEVER;
    if (flushMs === FLUSH_NEVER) return () => {};
    this.flushTimer = setInterval(() => {
      const now = Date.now();
      for (const [topic, logs] of this.topicLogs) {
        for (const [partition, log] of logs.entries()) {
          try {
            log.flushIfOlderThan(flushMs, now);
          } catch (err) {
            this.logger.error('scheduled flush failed', { topic, partition, error: (err as Error).message });
          }
        }
      }
    }, Math.max(1, Math.min(1000, Math.ceil(flushMs / 2))));
    this.flushTimer.unref();
    return () => this.stopFlusher();
  }

  /** Closes segment files idle for fileIdleMs, checking a tenth as often (at most once a minute); returns a stop function. */
  startIdleFileClose(): () => void {
    this.stopIdleFileClose();
    const idleMs = this.opts.fileIdleMs ?? DEFAULT_FILE_IDLE_MS;
    this.idleFileTimer = setInterval(() => {
      try {
        const closed = this.files.closeIdle(idleMs);
        if (closed > 0) this.logger.debug('closed idle segment files', { closed, open: this.files.openCount });
      } catch (err) {
        this.logger.error('closing idle segment files failed', { error: (err as Error).message });
      }
    }, Math.max(10, Math.min(60_000, Math.ceil(idleMs / 10))));
    this.idleFileTimer.unref();
    return () => this.stopIdleFileClose();
  }

  /** fsyncs every log. */
  flush(): void {
    for (const logs of this.topicLogs.values()) for (const log of logs) log.flush();
  }

  /** Flushes and closes every log, then writes the clean-shutdown marker. */
  close(): void {
    if (this.closed) return;
    this.stopCleaner();
    this.stopRetention();
    this.stopFlusher();
    this.stopIdleFileClose();
    this.checkpointLogStarts();
    for (const logs of this.topicLogs.values()) for (const log of logs) log.close();
    this.closed = true;
    fs.writeFileSync(path.join(this.dataDir, CLEAN_SHUTDOWN_FILE), '');
    this.lock.release();
    this.logger.info('logs closed cleanly', { dataDir: this.dataDir });
  }

  /** Changes the broker-level topic defaults at runtime (segment and retention settings, cleanup policy, ...): new segments and the next sweep use them. */
  reconfigure(change: Partial<TopicConfig>): void {
    const { segmentBytes, retentionBytes, retentionMs, ...rest } = change;
    Object.assign(this.opts, {
      ...(segmentBytes !== undefined && { segmentBytes }),
      ...(retentionBytes !== undefined && { retentionBytes }),
      ...(retentionMs !== undefined && { retentionMs }),
    });
    // The other broker-level topic defaults (log.cleanup.policy, log.roll.ms, ...) live with topicDefaults.
    this.opts.topicDefaults = { ...this.opts.topicDefaults, ...rest };
    this.resolved.clear();
    // A topic's own overrides still win over the new defaults.
    for (const [topic, logs] of this.topicLogs) {
      const settings = logSettings(this.topicConfig(topic));
      for (const log of logs) Object.assign(log.config, settings);
    }
  }

  private stopIdleFileClose(): void {
    if (this.idleFileTimer !== undefined) clearInterval(this.idleFileTimer);
    this.idleFileTimer = undefined;
  }

  private stopFlusher(): void {
    if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
  }

  /**
   * Starts the log cleaner (log-cleaner.ts): every `backoffMs` (Kafka's log.cleaner.backoff.ms) one pass
   * over the partitions of every topic `compacted` names (default: cleanup.policy includes compact),
   * bounded like retention by `bound`. Passes never overlap; `onPass` gets each pass's totals. Returns a
   * stop function.
   */
  startCleaner(opts: { backoffMs?: number; bound?: RetentionBound; compacted?: (topic: string) => boolean; onPass?: (rewritten: number, removed: number) => void } = {}): () => void {
    this.stopCleaner();
    const compacted = opts.compacted ?? ((topic: string) => this.topicConfig(topic).cleanupPolicy.includes('compact'));
    let running = false;
    const pass = async (): Promise<void> => {
      let rewritten = 0;
      let removed = 0;
      for (const [topic, logs] of [...this.topicLogs]) {
        if (!compacted(topic)) continue;
        const { deleteRetentionMs } = this.topicConfig(topic);
        for (const [p, log] of logs.entries()) {
          if (this.closed || this.cleanerTimer === undefined) return;
          const key = tpKey(topic, p);
          const upTo = opts.bound ? opts.bound(topic, p) : log.highWatermark;
          if (!needsCleaning(log, upTo, this.cleanerState.get(key))) continue;
          const r = await cleanLog(log, { upTo, now: Date.now(), deleteRetentionMs });
          this.cleanerState.set(key, { cleanedTo: r.cleanedTo, tombstonesKept: r.tombstonesKept });
          if (r.segmentsRewritten > 0) this.logger.info('log cleaner compacted segments', { topic, partition: p, segments: r.segmentsRewritten, removed: r.recordsRemoved });
          rewritten += r.segmentsRewritten;
          removed += r.recordsRemoved;
        }
      }
      opts.onPass?.(rewritten, removed);
    };
    this.cleanerTimer = setInterval(() => {
      if (running) return;
      running = true;
      pass().catch((err: unknown) => {
        if (!this.closed) this.logger.error('log cleaner pass failed', { error: (err as Error).message });
      }).finally(() => (running = false));
    }, opts.backoffMs ?? DEFAULT_CLEANER_BACKOFF_MS);
    this.cleanerTimer.unref();
    return () => this.stopCleaner();
  }

  private stopCleaner(): void {
    if (this.cleanerTimer !== undefined) clearInterval(this.cleanerTimer);
    this.cleanerTimer = undefined;
  }

  private stopRetention(): void {
    if (this.retentionTimer !== undefined) clearInterval(this.retentionTimer);
    this.retentionTimer = undefined;
  }

  private partitionDirs(topic: string, count: number): string[] {
    return Array.from({ length: count }, (_, p) => partitionDir(this.dataDir, topic, p));
  }

  private openPartition(topic: string, partition: number, recoverAll: boolean): PartitionLog {
    const { dataDir: _dataDir, logger: _logger, committedOffset, maxOpenFiles: _max, fileIdleMs: _idle, ...config } = this.opts;
    return PartitionLog.open({
      ...config,
      ...logSettings(this.topicConfig(topic)),
      files: this.files,
      dir: partitionDir(this.dataDir, topic, partition),
      recoverAll,
      ...(committedOffset ? { committedOffset: () => committedOffset(topic, partition) } : {}),
      logger: this.logger,
    });
  }

  private ensureOpen(): void {
    if (this.closed) throw new KafkaError('KAFKA_STORAGE_ERROR', `log manager for ${this.dataDir} is closed`);
  }
}

/** The part of a topic's config each PartitionLog applies itself (segment rolling, retention). */
function logSettings(config: TopicConfig): Pick<LogConfig, 'segmentBytes' | 'retentionBytes' | 'retentionMs'> {
  return { segmentBytes: config.segmentBytes, retentionBytes: config.retentionBytes, retentionMs: config.retentionMs };
}
