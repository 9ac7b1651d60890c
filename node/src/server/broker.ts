/**
 * The node's Kafka-facing behaviour, independent of any one API's wire format: what Metadata says about
 * brokers and leaders, how a produce becomes a committed append, how a fetch is bounded by the committed
 * offset and long-polls for more. Handlers translate requests into these calls and back.
 *
 * Errors are per partition: every method returns a Kafka error code for its partition instead of throwing,
 * and exactly one function (`codeFor`) turns an unexpected exception into UNKNOWN_SERVER_ERROR, logged with
 * its stack, so one bad partition never fails a whole request or another client's connection.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import { DecodeError, KafkaError } from '../protocol/errors.ts';
import { recordCount } from '../protocol/record-batch.ts';
import { validateTopicName } from '../storage/log-files.ts';
import type { LogManager } from '../storage/log-manager.ts';
import type { PartitionLog } from '../storage/partition-log.ts';
import type { AbortedTxn } from '../storage/txn-index.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import { nodeIdFromName, type Member } from '../chain/membership.ts';
import type { Logger } from '../logging.ts';
import { InvalidRecordError } from './record-checks.ts';
import type { ProduceRecordError } from '../protocol/apis/produce.ts';
import type { LogWrites } from './log-writes.ts';
import { HeadAppender, type Appended } from './head-append.ts';
import { defaultRecompressThreads, RecompressPool, type RecompressThread } from './recompress-pool.ts';
import { forwardCreateTopic, forwardDeleteTopic } from './forward.ts';
import { plainDial, type Dialer } from '../security/dial.ts';
import { isInternalTopic, type Owner, type TopicDirectory } from './topic-directory.ts';
import { isZeroUuid } from '../protocol/uuid.ts';

/** How long a forwarded creation waits for the topic to reach this node through the chain. */
export const TOPIC_PROPAGATION_MS = 3000;

export interface BrokerConfig {
  nodeName: string;
  /** The id this node advertises when it runs solo; chain members derive ids from their names. */
  nodeId: number;
  advertisedHost: string;
  advertisedPort: number;
  clusterId: string;
  autoCreateTopics: boolean;
  defaultPartitions: number;
  /** Largest record batch accepted (Kafka's message.max.bytes). */
  maxMessageBytes: number;
  /** Where produced batches are written to segment files (see LOG_WRITES). */
  logWrites: LogWrites;
  /** Threads recompressing for topics with a compression.type (recompress-pool.ts); 0: on the event loop. */
  compressionThreads: number;
}

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
}

export interface ProduceResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  logStartOffset: number;
  /** The broker time stamped on the records when the topic uses LogAppendTime (Produce v2+). */
  logAppendTimeMs?: number;
  /** The records that made the batch fail (INVALID_RECORD), for Produce v8+'s record_errors. */
  recordErrors?: ProduceRecordError[];
}

export interface FetchPartitionResult {
  errorCode: number;
  highWatermark: number;
  /** The bound of a read_committed read (partition-txns.ts); the high watermark when nothing is open. */
  lastStableOffset: number;
  logStartOffset: number;
  records: Buffer | null;
  /** Aborted transactions overlapping what a read_committed read returned; null for read_uncommitted. */
  abortedTransactions: AbortedTxn[] | null;
}

/** A produce's append at the head: where it landed and how many new bytes it wrote (0 for a duplicate). */
export interface FetchSpec {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
}

/** What the broker reports for metrics; called once per partition of a request, never per record. */
export interface BrokerObserver {
  /** Batches appended by a produce at this node. */
  produced(topic: string, bytes: number, records: number): void;
  /** Batches a fetch returns. */
  fetched(topic: string, bytes: number, records: number): void;
  /** An acks=-1 produce committed this long after its append. */
  committed(seconds: number): void;
  /** A produce's batches were recompressed for its topic's compression.type, on a worker or the event loop. */
  recompressed(thread: RecompressThread): void;
}

const NO_OBSERVER: BrokerObserver = { produced: () => {}, fetched: () => {}, committed: () => {}, recompressed: () => {} };

export const DEFAULT_BROKER_CONFIG: Omit<BrokerConfig, 'nodeName' | 'advertisedHost' | 'advertisedPort'> = {
  nodeId: 0,
  clusterId: 'vonnegut',
  autoCreateTopics: true,
  defaultPartitions: 1,
  maxMessageBytes: 1024 * 1024 + 12,
  logWrites: 'event-loop',
  compressionThreads: defaultRecompressThreads(),
};

export class Broker {
  /** Metrics sink; the node sets it, the embedded library leaves it silent. */
  observer: BrokerObserver = NO_OBSERVER;
  /** Checks, recompression and the grouped write of a produce at the head (head-append.ts). */
  readonly head: HeadAppender;

  constructor(
    readonly config: BrokerConfig,
    readonly logs: LogManager,
    readonly chain: ChainNode,
    readonly directory: TopicDirectory,
    private readonly log: Logger,
    /** Connections to other nodes (forwarded topic admin). */
    readonly dial: Dialer = plainDial,
  ) {
    this.head = new HeadAppender(logs, chain, config.logWrites, new RecompressPool(config.compressionThreads, {
      broken: (why) => log.warn('recompressing on the event loop', { reason: why }),
      done: (thread) => this.observer.recompressed(thread),
    }));
  }

  /** Stops the recompression threads. */
  close(): Promise<void> {
    return this.head.recompressor.close();
  }

  /** Broker id of a chain member as every node computes it. */
  idOf(member: Member): number {
    // Only a lone node outside any cluster answers with its --node-id: in a cluster every node must
    // compute the same id for every member, solo chains included, and only names give that.
    if (this.soloOutsideCluster()) return this.config.nodeId;
    return nodeIdFromName(member.name);
  }

  private soloOutsideCluster(): boolean {
    return this.chain.view.role === 'solo' && !this.directory.cluster;
  }

  /** The brokers Metadata lists: every chain's members (heads lead, tails serve reads). */
  brokers(): BrokerInfo[] {
    const seen = new Map<number, BrokerInfo>();
    for (const c of this.directory.chains()) for (const m of c.members) seen.set(this.idOf(m), { nodeId: this.idOf(m), host: m.host, port: m.port });
    if (seen.size === 0) return [{ nodeId: this.selfId(), host: this.config.advertisedHost, port: this.config.advertisedPort }];
    return [...seen.values()];
  }

  selfId(): number {
    return this.soloOutsideCluster() ? this.config.nodeId : nodeIdFromName(this.config.nodeName);
  }

  /** A topic's leader, the head of its chain (without a topic: the first chain's head); -1 when unknown. */
  leaderId(topic?: string): number {
    const members = topic ? this.directory.owner(topic)?.members : this.directory.first().members;
    const head = members?.[0];
    return head ? this.idOf(head) : -1;
  }

  /** A topic's leader epoch: its chain's epoch where known (own chain, coordination store), else this node's. */
  leaderEpoch(topic: string): number {
    return this.directory.owner(topic)?.epoch ?? this.chain.epoch;
  }

  /** A topic's replicas in chain order (head first). */
  replicaIds(topic?: string): number[] {
    const members = topic ? this.directory.owner(topic)?.members : this.directory.first().members;
    return (members ?? []).map((m) => this.idOf(m));
  }

  /**
   * A manual replica assignment (CreateTopics, CreatePartitions) is accepted only when it says what the
   * chain does anyway: every partition on all members of the chain that owns (or, with one chain, will
   * own) the topic. Anything else would be a promise a chain cannot keep: INVALID_REPLICA_ASSIGNMENT.
   */
  checkAssignment(topic: string, brokerIdsPerPartition: readonly (readonly number[])[]): void {
    const owner = this.directory.owner(topic);
    if (!owner && this.directory.cluster) throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', 'with several chains, placement chooses the chain of a new topic; leave replicas unassigned');
    const chain = [...this.replicaIds(owner ? topic : undefined)].sort((a, b) => a - b).join(',');
    for (const ids of brokerIdsPerPartition) {
      if ([...ids].sort((a, b) => a - b).join(',') !== chain) {
        throw new KafkaError('INVALID_REPLICA_ASSIGNMENT', `replicas [${ids.join(',')}] must be exactly the chain's members [${chain}]: chains place replicas`);
      }
    }
  }

  /**
   * KIP-392's preferred read replica for a consumer's fetch of `topic` at this node: the chain's tail
   * when this node is the head of the owning chain and linked through to that tail (so it is live and
   * holds every committed record: the tail commits first), else -1 (read here). Chain replication reads
   * at the tail; the head's reads stay free for writes.
   */
  readReplicaFor(topic: string): number {
    const { role, members } = this.chain.view;
    if (role !== 'head' || !this.chain.chainReady()) return -1;
    const owner = this.directory.owner(topic);
    if (!owner || !this.directory.ownedHere(owner)) return -1;
    const tail = members[members.length - 1];
    return tail && tail.name !== this.config.nodeName ? this.idOf(tail) : -1;
  }

  /** The controller (CreateTopics/DeleteTopics go there): the first chain's head. */
  controllerId(): number {
    const c = this.directory.controller();
    return c ? this.idOf(c) : -1;
  }

  /** User-visible topics with partition counts. */
  topics(): { topic: string; partitions: number }[] {
    return this.directory.topics();
  }

  /** Partition count of a topic, or undefined. */
  partitionCount(topic: string): number | undefined {
    return this.directory.owner(topic)?.partitions;
  }

  /** Whether this node heads its chain (or is alone in it): where writes and admin changes happen. */
  isHead(): boolean {
    const role = this.chain.view.role;
    return role === 'head' || role === 'solo';
  }

  /**
   * Creates a topic with its config overrides (already validated, Kafka names): the controller places it
   * (and creates it if its own chain owns it); others forward.
   */
  async createTopic(topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
    validateTopicName(topic);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
      throw new KafkaError('INVALID_PARTITIONS', `partition count ${partitions} must be between 1 and 10000`);
    }
    if (this.partitionCount(topic) !== undefined) throw new KafkaError('TOPIC_ALREADY_EXISTS', `topic ${topic} already exists`);
    if (!this.directory.isController()) {
      const controller = this.directory.controller();
      if (!controller) throw new KafkaError('NOT_CONTROLLER', 'the cluster has no controller yet');
      await forwardCreateTopic(controller.host, controller.port, topic, partitions, configs, this.dial);
      await this.directory.waitForTopic(topic, TOPIC_PROPAGATION_MS);
      return;
    }
    if (!this.directory.cluster || isInternalTopic(topic)) {
      this.createLocal(topic, partitions, configs);
      return;
    }
    const placement = await this.directory.place(topic, partitions, configs);
    this.log.info('topic placed', { topic, ...placement });
  }

  /** Deletes a topic: the controller removes it from the map (the owner drops its log); others forward. */
  async deleteTopic(topic: string): Promise<void> {
    validateTopicName(topic);
    if (!this.directory.isController()) {
      const controller = this.directory.controller();
      if (!controller) throw new KafkaError('NOT_CONTROLLER', 'the cluster has no controller yet');
      await forwardDeleteTopic(controller.host, controller.port, topic, this.dial);
      return;
    }
    if (this.partitionCount(topic) === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`);
    if (!this.directory.cluster || isInternalTopic(topic)) this.deleteLocal(topic);
    else await this.directory.unplace(topic);
  }

  /** Creates a topic's log at this chain's head and replicates the creation down the chain. */
  private createLocal(topic: string, partitions: number, configs: Record<string, string>, topicId?: Buffer): void {
    this.logs.createTopic(topic, { partitions, configs, ...(topicId && { topicId }) });
    this.chain.topicCreated(topic, partitions);
    this.chain.topicConfigChanged(topic, configs);
    this.log.info('topic created', { topic, partitions });
  }

  private deleteLocal(topic: string): void {
    const partitions = this.logs.list().find((t) => t.topic === topic)?.partitions;
    if (partitions === undefined) return;
    this.logs.deleteTopic(topic);
    this.chain.topicDeleted(topic, partitions);
    this.log.info('topic deleted', { topic });
  }

  /** Placement changed: the owning chain's head creates, grows, reconfigures or drops the local log. */
  reconcileTopic(topic: string): void {
    if (!this.isHead()) return;
    const owner = this.directory.owner(topic);
    const local = this.logs.list().find((t) => t.topic === topic);
    try {
      if (owner && this.directory.ownedHere(owner) && !local) this.createLocal(topic, owner.partitions, owner.configs, owner.topicId);
      else if (owner && this.directory.ownedHere(owner) && local && this.directory.cluster) this.applyPlacement(topic, local.partitions, owner);
      else if (!owner && local && !isInternalTopic(topic)) this.deleteLocal(topic);
    } catch (err) {
      this.log.warn('could not reconcile topic with its placement', { topic, error: (err as Error).message });
    }
  }

  /** Brings a local topic to its placement's partition count, configs and id, and the chain with it. */
  private applyPlacement(topic: string, localPartitions: number, { partitions, configs, topicId }: Owner): void {
    const newId = !isZeroUuid(topicId) && !this.logs.topicId(topic)?.equals(topicId);
    if (partitions > localPartitions || newId) this.growLocal(topic, Math.max(partitions, localPartitions), topicId);
    if (JSON.stringify(sorted(this.logs.topicOverrides(topic))) !== JSON.stringify(sorted(configs))) this.reconfigureLocal(topic, configs);
  }

  /** Adds partitions to a topic (and/or gives it the placement's id) at this chain's head and down the chain (a replicated Create). */
  growLocal(topic: string, partitions: number, topicId?: Buffer): void {
    this.logs.ensureTopic(topic, partitions, topicId);
    this.chain.topicCreated(topic, partitions);
    this.log.info('partitions added', { topic, partitions });
  }

  /** Replaces a topic's config overrides at this chain's head and down the chain. */
  reconfigureLocal(topic: string, configs: Record<string, string>): void {
    this.logs.setTopicConfig(topic, configs);
    this.chain.topicConfigChanged(topic, configs);
  }

  /**
   * Creates a topic on first use when auto-creation is on; returns its partition count once known here.
   * `mayCreate` false (the principal lacks Create) makes a missing topic TOPIC_AUTHORIZATION_FAILED.
   */
  async autoCreate(topic: string, mayCreate = true): Promise<number | undefined> {
    let existing = this.partitionCount(topic);
    if (existing === undefined && this.directory.cluster) {
      await this.directory.refresh().catch(() => undefined);
      existing = this.partitionCount(topic);
    }
    if (existing !== undefined || !this.config.autoCreateTopics) return existing;
    if (!mayCreate) throw new KafkaError('TOPIC_AUTHORIZATION_FAILED', `not authorized to create topic ${topic}`);
    try {
      await this.createTopic(topic, this.config.defaultPartitions);
    } catch (err) {
      // A concurrent creation wins; anything else leaves the topic unknown and the client retries.
      if (!(err instanceof KafkaError && err.codeName === 'TOPIC_ALREADY_EXISTS')) {
        this.log.debug('auto-creation failed', { topic, error: (err as Error).message });
      }
    }
    return this.partitionCount(topic);
  }

  /**
   * The local log of a partition this node's chain owns, or undefined when it has not reached this node
   * yet; UNKNOWN_TOPIC_OR_PARTITION for a partition the cluster does not know, NOT_LEADER_OR_FOLLOWER
   * when another chain owns it. Only the write path (`create`) makes a placed topic's log at the head.
   */
  ownedLog(topic: string, partition: number, create = false): PartitionLog | undefined {
    validateTopicName(topic);
    const owner = this.directory.owner(topic);
    if (!owner || partition < 0 || partition >= owner.partitions) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} does not exist`);
    if (!this.directory.ownedHere(owner)) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `${topic} lives on chain ${owner.chain}`);
    // A placed topic's log appears at the head when it learns the placement; make sure it has.
    if (create && !this.logs.get(topic, partition)) this.reconcileTopic(topic);
    return this.logs.get(topic, partition);
  }

  /** Appends one partition's records at the head and waits as `acks` asks. */
  async produce(topic: string, partition: number, records: Buffer | null, acks: number, timeoutMs: number, mayCreate = true): Promise<ProduceResult> {
    let appended: Appended;
    try {
      validateTopicName(topic);
      if (this.isHead()) await this.autoCreate(topic, mayCreate);
      if (acks === -1) this.checkMinInsync(topic);
      appended = await this.appendAtHead(topic, partition, records);
    } catch (err) {
      const recordErrors = err instanceof InvalidRecordError ? err.recordErrors : undefined;
      return { errorCode: this.codeFor(err, topic, partition), errorMessage: (err as Error).message, baseOffset: -1, logStartOffset: -1, recordErrors };
    }
    const { baseOffset, lastOffset, logStartOffset } = appended;
    if (appended.bytes > 0) this.observer.produced(topic, appended.bytes, lastOffset - baseOffset + 1);
    if (acks === -1) {
      const started = process.hrtime.bigint();
      if (!(await this.chain.waitForCommit(topic, partition, lastOffset, timeoutMs))) {
        // A head that lost its role gave up on what it appended: the client retries at the new head.
        if (!this.isHead()) return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER.code, errorMessage: 'this node stopped leading its chain before the records committed', baseOffset: -1, logStartOffset };
        return { errorCode: ErrorCode.REQUEST_TIMED_OUT.code, errorMessage: 'not committed by the chain tail in time', baseOffset: -1, logStartOffset };
      }
      this.observer.committed(Number(process.hrtime.bigint() - started) / 1e9);
    }
    return { errorCode: 0, errorMessage: null, baseOffset, logStartOffset, logAppendTimeMs: appended.logAppendTimeMs };
  }

  /** acks=all needs the topic's min.insync.replicas members in the chain now: else NOT_ENOUGH_REPLICAS, nothing appended (as Kafka). */
  private checkMinInsync(topic: string): void {
    const needed = this.logs.topicConfig(topic).minInsyncReplicas;
    const members = this.replicaIds(topic).length || this.replicaIds().length;
    if (members < needed) throw new KafkaError('NOT_ENOUGH_REPLICAS', `${topic} needs min.insync.replicas ${needed} for acks=all; its chain has ${members}`);
  }

  /** The head's append of a routed produce (head-append.ts); throws typed errors. */
  private async appendAtHead(topic: string, partition: number, records: Buffer | null): Promise<Appended> {
    if (!this.ownedLog(topic, partition, true)) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} has not reached this node yet`);
    return this.head.append(topic, partition, records);
  }

  /**
   * Reads one partition up to its committed offset (read_committed: up to its last stable offset, with
   * the aborted transactions in that range); a partition whose log is not here yet reads as empty.
   */
  readPartition(spec: FetchSpec, minOneBatch = true, readCommitted = false, alloc?: (size: number) => Buffer): FetchPartitionResult {
    const hwm = this.chain.committedOffset(spec.topic, spec.partition);
    const answer = (errorCode: number, lastStableOffset: number, logStartOffset: number, records: Buffer | null, abortedTransactions: AbortedTxn[] | null): FetchPartitionResult =>
      ({ errorCode, highWatermark: hwm, lastStableOffset, logStartOffset, records, abortedTransactions });
    try {
      const refusal = this.chain.readable();
      if (refusal) throw refusal;
      const log = this.ownedLog(spec.topic, spec.partition);
      const logStartOffset = log?.logStartOffset ?? 0;
      // Only read_committed readers pay for the transaction state (its first use scans the log).
      const lso = readCommitted && log ? log.transactions().lastStableOffset(hwm) : hwm;
      if (spec.offset < logStartOffset || spec.offset > hwm) return answer(ErrorCode.OFFSET_OUT_OF_RANGE.code, lso, logStartOffset, null, null);
      const bound = lso;
      if (!log || spec.offset >= bound || spec.maxBytes <= 0) return answer(0, lso, logStartOffset, null, readCommitted ? [] : null);
      const { records } = log.read(spec.offset, { maxBytes: spec.maxBytes, maxOffset: bound, minOneBatch, ...(alloc && { alloc }) });
      const aborted = readCommitted && records.length > 0 ? log.abortedTxns(spec.offset, bound) : readCommitted ? [] : null;
      return answer(0, lso, logStartOffset, records.length > 0 ? records : null, aborted);
    } catch (err) {
      return answer(this.codeFor(err, spec.topic, spec.partition), hwm, -1, null, null);
    }
  }

  /**
   * Reads several partitions within a total byte budget, long-polling (woken by commits, never by a
   * timer loop) until `minBytes` are there or `maxWaitMs` passes. Only the first partition with data may
   * get one whole batch past the budget (Kafka's minOneMessage); every later one stays within what is left.
   * `alloc` gives the buffers the records are read into (see PartitionLog.read).
   */
  async fetch(specs: FetchSpec[], opts: { maxBytes: number; minBytes: number; maxWaitMs: number; readCommitted?: boolean; alloc?: (size: number) => Buffer }): Promise<FetchPartitionResult[]> {
    const deadline = Date.now() + Math.max(0, opts.maxWaitMs);
    for (;;) {
      let budget = opts.maxBytes;
      let total = 0;
      let anyError = false;
      const results = specs.map((s) => {
        const first = total === 0;
        const r = this.readPartition({ ...s, maxBytes: Math.min(s.maxBytes, Math.max(budget, first ? 1 : 0)) }, first, opts.readCommitted, opts.alloc);
        const n = r.records?.length ?? 0;
        total += n;
        budget -= n;
        if (r.errorCode !== 0) anyError = true;
        return r;
      });
      const wait = deadline - Date.now();
      if (total >= opts.minBytes || anyError || wait <= 0 || specs.length === 0) {
        this.reportFetched(specs, results);
        return results;
      }
      await this.chain.waitForData(specs.map((s) => [s.topic, s.partition] as [string, number]), wait);
    }
  }

  private reportFetched(specs: FetchSpec[], results: FetchPartitionResult[]): void {
    results.forEach((r, i) => {
      if (r.records) this.observer.fetched(specs[i]!.topic, r.records.length, recordCount(r.records));
    });
  }

  /**
   * ListOffsets for one partition: -1 latest (the committed offset; read_committed: the last stable
   * offset, which also bounds the lookups), -2/-4 earliest, -3 the largest timestamp (v7+), else by timestamp.
   */
  listOffset(topic: string, partition: number, timestamp: number, readCommitted = false): { errorCode: number; offset: number; timestamp: number } {
    try {
      const log = this.ownedLog(topic, partition);
      const committed = this.chain.committedOffset(topic, partition);
      const hwm = readCommitted && log ? log.transactions().lastStableOffset(committed) : committed;
      if (timestamp === -1) return { errorCode: 0, offset: hwm, timestamp: -1 };
      // -4 (EARLIEST_LOCAL, KIP-405) is the log start: every segment is local here.
      if (timestamp === -2 || timestamp === -4) return { errorCode: 0, offset: log?.logStartOffset ?? 0, timestamp: -1 };
      if (timestamp === -3) return { errorCode: 0, ...(log?.offsetOfMaxTimestamp(hwm) ?? { offset: -1, timestamp: -1 }) };
      const found = log?.offsetForTimestamp(timestamp);
      if (!found || found.offset >= hwm) return { errorCode: 0, offset: -1, timestamp: -1 };
      return { errorCode: 0, offset: found.offset, timestamp: found.timestamp };
    } catch (err) {
      return { errorCode: this.codeFor(err, topic, partition), offset: -1, timestamp: -1 };
    }
  }

  /** The one place an unexpected error becomes UNKNOWN_SERVER_ERROR (logged with its stack). */
  codeFor(err: unknown, topic: string, partition: number): number {
    if (err instanceof KafkaError) return err.code;
    if (err instanceof DecodeError) return ErrorCode.CORRUPT_MESSAGE.code;
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e.code === 'string' && ['ENOSPC', 'EIO', 'EROFS', 'EDQUOT'].includes(e.code)) {
      this.log.error('storage error', { topic, partition, error: e.message });
      return ErrorCode.KAFKA_STORAGE_ERROR.code;
    }
    this.log.error('unexpected error', { topic, partition, error: (err as Error)?.stack ?? String(err) });
    return ErrorCode.UNKNOWN_SERVER_ERROR.code;
  }
}

/** A config map with its keys in order, for comparing two of them. */
function sorted(configs: Record<string, string>): [string, string][] {
  return Object.entries(configs).sort(([a], [b]) => a.localeCompare(b));
}
