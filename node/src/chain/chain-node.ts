/**
 * One node's part in its chain: where it stands (from discovery), whether the chain can take writes,
 * the write path at the head, what the predecessor's messages mean (the link itself is upstream-link.ts),
 * and the committed offsets.
 *
 * Write path: the head appends a produce's batches to its log (assigning offsets and stamping the chain
 * epoch as partition leader epoch), the replicator ships them down, each node appends and forwards, the
 * tail's log end comes back up as acknowledgements, and every node advances its high-water mark as the
 * acknowledgement passes. The tail's high-water mark is its log end: what the tail has is committed.
 *
 * Writes are accepted only at the head (or a solo node), only when the chain has enough members, and
 * only while every link down to the tail is synced; otherwise NOT_ENOUGH_REPLICAS, which Kafka clients
 * retry. Produces already appended wait for commit; they are not failed on a link loss, because their
 * records will still commit once the chain heals (failing them would invite duplicate retries). A head
 * that loses the role fails its waiting produces instead: what it appended may never commit.
 *
 * Two ways to know the chain:
 * - discovery (dev / single machine): members ordered by name, writes need all `replicas` of them, and
 *   the head bumps the epoch whenever it (re)forms its link; nodes adopt newer epochs from Hellos.
 * - a coordination store (coordination/failover.ts calls applyConfig): members in the configuration's
 *   order, the configuration's epoch, writes need `minInsync` members and a lease this node renewed in
 *   time (setLeaseDeadline); a node outside the configuration takes no writes and serves no reads, and
 *   its log takes a joining link from the tail only (it is caught up, then appended at the tail).
 *
 * Fencing: a node accepts a link only from the predecessor its own view names, at its own epoch (newer
 * with discovery); every message that changes a log or a topic's settings carries the link's epoch and
 * is refused unless it is this node's current epoch; an epoch change drops links opened at an older one.
 */
import { EventEmitter } from 'node:events';
import { KafkaError } from '../protocol/errors.ts';
import type { Logger } from '../logging.ts';
import type { DiscoverySource } from '../discovery/source.ts';
import type { HighWatermarks } from './high-watermark.ts';
import type { AckEntry, Hello, LinkMessage } from './link-protocol.ts';
import { positionInConfig, positionOf, type Member, type Position } from './membership.ts';
import { Replicator, type LinkStats } from './replicator.ts';
import { UpstreamLink } from './upstream-link.ts';
import { DiscoveryPoller } from './discovery-poll.ts';
import { readEpoch, writeEpoch } from './epoch-file.ts';
import { clampMarks, commitAll, localState, truncateUncommitted } from './committed-logs.ts';
import type { ChainAppend, HeadAppend, ReplicaLog, ReplicaLogs } from './replica-log.ts';
import { waitForEvent } from '../events-wait.ts';
import type { FrameSource } from '../protocol/frame.ts';
import type { Dialer } from '../security/dial.ts';

export const CHECKPOINT_INTERVAL_MS = 1000;

export interface ChainOptions {
  /** This node's member name (pod name; must match its discovery entry). */
  self: string;
  /** This node's advertised address (its own member when solo). */
  advertised: { host: string; port: number };
  replicas: number;
  /** No discovery: a solo node that commits on local append. */
  discovery?: DiscoverySource;
  dataDir: string;
  logs: ReplicaLogs;
  logger: Logger;
  refreshMs?: number;
  /** Opens the link to the successor (plain TCP when absent). */
  dial?: Dialer;
  /** The committed offsets (HighWatermarks.load(dataDir)); the logs bound reads and retention by them. */
  marks: HighWatermarks;
  /** The configuration comes from a coordination store (applyConfig), not from discovery. */
  coordinated?: { minInsync: number };
}

/** A joining node is appended at the tail once it trails the tail by at most this many records per partition. */
export const JOIN_MAX_LAG_RECORDS = 64;

export type Writability = { ok: true } | { ok: false; error: KafkaError };

export class ChainNode extends EventEmitter {
  /** The one owner of every partition's committed offset on this node (see high-watermark.ts). */
  private readonly marks: HighWatermarks;
  private position: Position;
  private epochValue: number;
  private readonly replicator: Replicator;
  private readonly upstream: UpstreamLink;
  private readonly poller: DiscoveryPoller | null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** Coordinated mode: writes stop at this time (ms) unless the lease is renewed before. */
  private leaseDeadline = 0;

  constructor(private readonly opts: ChainOptions) {
    super();
    this.marks = opts.marks;
    this.epochValue = readEpoch(opts.dataDir);
    const selfMember: Member = { name: opts.self, ...opts.advertised };
    this.position = opts.coordinated
      ? positionInConfig(opts.self, [], opts.coordinated.minInsync)
      : opts.discovery ? positionOf(opts.self, [], opts.replicas) : positionOf(opts.self, [selfMember], 1);
    this.upstream = new UpstreamLink(opts.logger, {
      onMessage: (msg) => this.onUpstreamMessage(msg),
      epoch: () => this.epochValue,
      state: () => ({ epoch: this.epochValue, topics: localState(this.opts.logs, this.marks) }),
    });
    this.replicator = new Replicator(opts.self, opts.logs, () => this.epochValue, {
      isHead: () => this.position.role === 'head',
      committed: (topic, partition) => this.marks.get(topic, partition),
      onAck: (acks) => this.onDownstreamAck(acks),
      onReadyChange: () => this.reportReady(),
      onFenced: (theirs) => {
        // With a store, epochs come from the configuration only: re-read it.
        if (opts.coordinated) this.emit('stale');
        // A head outranks what it was fenced by; anyone else just catches up on the epoch.
        else this.setEpoch(this.position.role === 'head' ? theirs + 1 : theirs);
      },
    }, opts.logger.child({ component: 'replicator' }), opts.dial);
    clampMarks(opts.logs, this.marks);
    if (!opts.coordinated) this.commitLocalIfLast();
    this.poller = opts.discovery && !opts.coordinated
      ? new DiscoveryPoller(opts.discovery, (members) => this.applyMembers(members), opts.logger, opts.refreshMs)
      : null;
  }

  /** Starts discovery polling (without a coordination store) and checkpointing. */
  async start(): Promise<void> {
    await this.poller?.start();
    this.checkpointTimer = setInterval(() => this.checkpoint(), CHECKPOINT_INTERVAL_MS);
    this.checkpointTimer.unref();
  }

  async stop(): Promise<void> {
    this.poller?.stop();
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.replicator.stop();
    this.upstream.close();
    this.marks.wakeAll();
    this.checkpoint();
    this.marks.close();
  }

  get epoch(): number {
    return this.epochValue;
  }

  get view(): Position {
    return this.position;
  }

  /** Seconds since discovery last answered, and its last error (for /readyz and status). */
  get discoveryHealth(): { ageMs: number; error: string | null } {
    return this.poller?.health ?? { ageMs: 0, error: null };
  }

  /** Whether the chain can take a write right now, and the Kafka error if not. */
  writable(): Writability {
    const { role, formed } = this.position;
    if (role !== 'head' && role !== 'solo') {
      return { ok: false, error: new KafkaError('NOT_LEADER_OR_FOLLOWER', `this node is the ${role} of its chain; write to the head`) };
    }
    if (!formed) {
      const needed = this.opts.coordinated?.minInsync ?? this.opts.replicas;
      return { ok: false, error: new KafkaError('NOT_ENOUGH_REPLICAS', `chain has ${this.position.members.length} of the ${needed} members writes need`) };
    }
    // Checked before the lease could lapse: a node that cannot renew is about to be removed, and the
    // chain's next head must be the only one taking writes by then.
    if (this.opts.coordinated && Date.now() >= this.leaseDeadline) {
      return { ok: false, error: new KafkaError('NOT_LEADER_OR_FOLLOWER', 'this node could not renew its lease in the coordination store in time') };
    }
    if (role === 'head' && !this.replicator.ready) {
      return { ok: false, error: new KafkaError('NOT_ENOUGH_REPLICAS', 'chain is not linked down to its tail') };
    }
    // Until the chain agrees on its tail (DNS answers differ), an ack might come from a node that only thinks it is one.
    const tail = this.position.members[this.position.members.length - 1]?.name;
    if (role === 'head' && this.replicator.reportedTail !== tail) {
      return { ok: false, error: new KafkaError('NOT_ENOUGH_REPLICAS', `chain members disagree on the tail (${this.replicator.reportedTail || 'unknown'} vs ${tail})`) };
    }
    return { ok: true };
  }

  /** Coordinated mode: a node outside the configuration serves no reads (its log may be catching up). */
  readable(): KafkaError | null {
    if (this.opts.coordinated && this.position.role === 'outside') {
      return new KafkaError('NOT_LEADER_OR_FOLLOWER', 'this node is not in its chain\'s configuration');
    }
    return null;
  }

  /** Coordinated mode: the lease was renewed; writes stop at `at` (ms since the epoch) unless renewed again. */
  setLeaseDeadline(at: number): void {
    this.leaseDeadline = at;
  }

  /** Whether the node joining after this tail has caught up (JOIN_MAX_LAG_RECORDS). */
  joinerCaughtUp(): boolean {
    return this.position.role !== 'outside' && this.position.successor !== undefined && this.replicator.caughtUp(JOIN_MAX_LAG_RECORDS);
  }

  /**
   * Applies a coordination store's configuration: members in order (addresses resolved), its epoch, and
   * the node joining after the tail if any (the tail links to it to catch it up).
   */
  applyConfig(epoch: number, members: Member[], joiner?: Member): void {
    this.setEpoch(epoch);
    this.moveTo(positionInConfig(this.opts.self, members, this.opts.coordinated?.minInsync ?? members.length, joiner));
  }

  /** Drops every record above the committed offset before rejoining (committed-logs.ts). */
  truncateToCommitted(): void {
    truncateUncommitted(this.opts.logs, this.marks, this.opts.logger);
  }

  /** The tail as this node knows it: itself when it is the tail, else what its successor reports. */
  private tailName(): string {
    const { role } = this.position;
    if (role === 'tail' || role === 'solo') return this.opts.self;
    return this.replicator.ready ? this.replicator.reportedTail : '';
  }

  /** The outgoing replication link for metrics, or null on a tail or solo node. */
  replicationLink(): LinkStats | null {
    return this.replicator.stats();
  }

  /**
   * Whether this node's links are alive: downstream synced through to the tail (head, middle) and the
   * predecessor heard from within LINK_TIMEOUT_MS (middle, tail). Null where a link is not expected.
   */
  linkHealth(): { upstream: boolean | null; downstream: boolean | null } {
    const { role } = this.position;
    const hasUpstream = role === 'middle' || role === 'tail';
    const hasDownstream = role === 'head' || role === 'middle';
    return {
      upstream: hasUpstream ? this.upstream.alive : null,
      downstream: hasDownstream ? this.replicator.ready : null,
    };
  }

  /** True when this node and every node after it are linked (tails and solo nodes always are). */
  chainReady(): boolean {
    const { role } = this.position;
    return role === 'tail' || role === 'solo' || (role !== 'outside' && this.replicator.ready);
  }

  /**
   * The head's write of a group of produce requests to one partition (one PartitionLog.appendMany), epoch
   * stamped (KIP-101), shipped or committed at once when solo; throws unless writable(). Then waitForCommit.
   */
  appendMany(topic: string, partition: number, requests: readonly Buffer[]): (ChainAppend | KafkaError)[] {
    const log = this.headLog(topic, partition);
    return this.appended(topic, partition, log, requests, log.appendMany(requests, { leaderEpoch: this.epochValue }));
  }

  /** `appendMany` with the write on libuv's thread pool (PartitionLog.appendManyAsync); one in flight per partition. */
  async appendManyAsync(topic: string, partition: number, requests: readonly Buffer[]): Promise<(ChainAppend | KafkaError)[]> {
    const log = this.headLog(topic, partition);
    const results = await log.appendManyAsync(requests, { leaderEpoch: this.epochValue });
    // Deposed while the bytes were landing: unacknowledged, and the new predecessor's link truncates them.
    if (!this.writable().ok) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `${topic}-${partition}: no longer the head after the write`);
    return this.appended(topic, partition, log, requests, results);
  }

  private headLog(topic: string, partition: number): ReplicaLog {
    const writable = this.writable();
    if (!writable.ok) throw writable.error;
    const log = this.opts.logs.partition(topic, partition);
    if (!log) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} has no log on this node`);
    return log;
  }

  /** Commits (solo) or ships what a head append wrote; the outcomes as the produce path reports them. */
  private appended(topic: string, partition: number, log: ReplicaLog, requests: readonly Buffer[], results: HeadAppend[]): (ChainAppend | KafkaError)[] {
    if (this.position.role === 'solo') this.marks.advance(topic, partition, log.logEndOffset);
    // The patched batches are the bytes now on disk: the replicator ships them without reading them
    // back (down the chain, or to a node joining after a solo node).
    const written = requests.filter((_, i) => !(results[i] instanceof KafkaError) && !(results[i] as { duplicate?: boolean }).duplicate);
    this.replicator.notify(topic, partition, written.length > 0 ? written : undefined);
    return results.map((r) => r instanceof KafkaError ? r : { ...r, duplicate: r.duplicate ?? false, logStartOffset: log.logStartOffset });
  }

  /** A partition's committed offset (exclusive) on this node: what every member of the chain holds. */
  committedOffset(topic: string, partition: number): number {
    return this.marks.get(topic, partition);
  }

  /** Resolves when any of the partitions' committed offsets advances, or after `timeoutMs` (Fetch long polls). */
  waitForData(partitions: Iterable<[string, number]>, timeoutMs: number): Promise<void> {
    return this.marks.waitForData(partitions, timeoutMs);
  }

  /**
   * The offset below which retention may delete a partition's segments on this node: what every member
   * has committed. Below this node's committed offset every member holds the records (the tail has them,
   * and each node before it had them first); a node with a successor also keeps what that successor has
   * not acknowledged holding (a member catching up at the tail reads it from here), and keeps everything
   * until the successor has synced. The one place the deletion bound is decided.
   */
  retentionBound(topic: string, partition: number): number {
    const committed = this.marks.get(topic, partition);
    const { role } = this.position;
    if (role === 'tail' || role === 'solo') return committed;
    if (role === 'outside') return 0;
    return Math.min(committed, this.replicator.acknowledged(topic, partition));
  }

  /** Waits until `offset` is committed; false on timeout. */
  waitForCommit(topic: string, partition: number, offset: number, timeoutMs: number): Promise<boolean> {
    return this.marks.waitForCommit(topic, partition, offset, timeoutMs);
  }

  /** Resolves when a topic exists locally (created here or replicated from upstream), or after `timeoutMs`. */
  waitForTopic(topic: string, timeoutMs: number): Promise<boolean> {
    if (this.opts.logs.list().some((t) => t.topic === topic)) return Promise.resolve(true);
    return waitForEvent(this, 'topic', (name) => name === topic, timeoutMs);
  }

  /** Replicates a topic creation down the chain (the creator already made it locally). */
  topicCreated(topic: string, partitions: number): void {
    this.replicator.sendCreate(topic, partitions);
  }

  /** Replicates a topic's config overrides down the chain (the head already applied them). */
  topicConfigChanged(topic: string, overrides: Record<string, string>): void {
    this.replicator.sendConfig(topic, overrides);
  }

  /** Replicates a DeleteRecords down the chain (the head already moved its log start offset). */
  logStartMoved(topic: string, partition: number, offset: number): void {
    this.replicator.sendLogStart(topic, partition, offset);
  }

  /** Replicates a topic deletion down the chain. */
  topicDeleted(topic: string, partitions: number): void {
    this.replicator.sendDelete(topic);
    for (let p = 0; p < partitions; p++) this.marks.remove(topic, p);
  }

  /** Applies a discovery answer: recompute the position, retarget the link, drop a stale upstream. */
  applyMembers(found: Member[]): void {
    // Never rename a member to ourselves: peers call it by its discovery name (discovery/self.ts).
    this.moveTo(positionOf(this.opts.self, found, this.opts.replicas));
  }

  /** Takes a new position: links follow it, a lost head role fails waiting produces, a tail commits. */
  private moveTo(after: Position): void {
    const before = this.position;
    this.position = after;
    const names = (p: Position) => `${p.members.map((m) => m.name).join()}>${p.successor?.name ?? ''}`;
    if (before.role !== after.role || names(before) !== names(after) || before.formed !== after.formed) {
      this.opts.logger.info('chain view changed', { role: after.role, members: after.members.map((m) => m.name), successor: after.successor?.name, formed: after.formed, epoch: this.epochValue });
      if (!this.opts.coordinated && after.role === 'head' && before.role !== 'head') this.setEpoch(this.epochValue + 1);
      const led = (r: string) => r === 'head' || r === 'solo';
      // What a former head appended may never commit, and the offsets may later hold other records.
      if (led(before.role) && !led(after.role)) this.marks.abandonCommitWaiters();
      if (this.opts.coordinated && before.role !== 'outside' && after.role === 'outside') this.truncateToCommitted();
      this.emit('view', after);
    }
    this.upstream.keepOnlyFrom(after.predecessor?.name);
    this.replicator.setTarget(after.successor);
    this.commitLocalIfLast();
    this.reportReady();
  }

  private commitLocalIfLast(): void {
    const { role } = this.position;
    if (role === 'tail' || role === 'solo') commitAll(this.opts.logs, this.marks);
  }

  // ---- the predecessor's link ----

  /** Decides on a Hello from a would-be predecessor: an error to send back, or null to accept. */
  checkHello(hello: Hello): KafkaError | null {
    if (hello.to !== this.opts.self) return new KafkaError('NOT_LEADER_OR_FOLLOWER', `this node is ${this.opts.self}, not ${hello.to}`);
    if (this.opts.coordinated && hello.epoch > this.epochValue) {
      // The sender read a newer configuration than ours: catch up, and let it retry.
      this.emit('stale');
      return new KafkaError('UNKNOWN_LEADER_EPOCH', `epoch ${hello.epoch} is newer than this node's ${this.epochValue}`);
    }
    const pred = this.position.predecessor?.name;
    if (hello.from !== pred) {
      return new KafkaError('NOT_LEADER_OR_FOLLOWER', `${hello.from} is not this node's predecessor (${pred ?? 'none'})`);
    }
    if (hello.epoch < this.epochValue) return new KafkaError('FENCED_LEADER_EPOCH', `stale epoch ${hello.epoch}; current epoch ${this.epochValue}`);
    return null;
  }

  /** Takes over an accepted link from the predecessor (its epoch is now ours). */
  acceptLink(hello: Hello, source: FrameSource): void {
    this.setEpoch(hello.epoch);
    this.upstream.accept(hello, source);
  }

  /** Refuses a log change sent at another epoch than this node's (a deposed sender, or a stale link). */
  private checkEpoch(msg: { type: string; epoch: number }): void {
    if (msg.epoch !== this.epochValue) {
      throw new KafkaError('FENCED_LEADER_EPOCH', `${msg.type} at epoch ${msg.epoch}; current epoch ${this.epochValue}`);
    }
  }

  private onUpstreamMessage(msg: LinkMessage): void {
    switch (msg.type) {
      case 'append': {
        this.checkEpoch(msg);
        // One Map lookup per Append; ensureTopic lists every topic, so only when the topic is new or grew.
        if ((this.opts.logs.partitionCount(msg.topic) ?? 0) < msg.partitionCount) this.ensureTopic(msg.topic, msg.partitionCount);
        const log = this.opts.logs.partition(msg.topic, msg.partition);
        if (!log) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${msg.topic}-${msg.partition}`);
        log.appendReplicated(msg.batches);
        this.emit('append', msg.topic, msg.partition);
        const { role } = this.position;
        if (role === 'tail' || role === 'outside') {
          // A tail commits what it holds; a joining node only reports how far it has caught up.
          if (role === 'tail') this.marks.advance(msg.topic, msg.partition, log.logEndOffset);
          this.upstream.queueAck({ topic: msg.topic, partition: msg.partition, hwm: log.logEndOffset });
        }
        // Down the chain, or to a node joining after this tail.
        if (role !== 'outside') this.replicator.notify(msg.topic, msg.partition, [msg.batches]);
        return;
      }
      case 'truncate': {
        this.checkEpoch(msg);
        const log = this.opts.logs.partition(msg.topic, msg.partition);
        if (log && msg.offset > log.logEndOffset) {
          // The predecessor's retention took the gap after our log end: continue at its log start.
          this.opts.logger.info('predecessor starts past our log end; restarting the log there', { topic: msg.topic, partition: msg.partition, from: log.logEndOffset, to: msg.offset });
          log.truncateFullyAndStartAt(msg.offset);
        } else if (log && msg.offset < log.logEndOffset) {
          if (msg.offset < this.marks.get(msg.topic, msg.partition)) {
            throw new KafkaError('INVALID_REQUEST', `refusing to truncate ${msg.topic}-${msg.partition} below its high-water mark`);
          }
          log.truncateTo(msg.offset);
        }
        return;
      }
      case 'create':
        this.checkEpoch(msg);
        this.ensureTopic(msg.topic, msg.partitionCount, msg.topicId); // the predecessor's topic id wins (KIP-516)
        this.replicator.sendCreate(msg.topic, msg.partitionCount);
        return;
      case 'config': {
        this.checkEpoch(msg);
        const overrides = Object.fromEntries(msg.configs.map((c) => [c.name, c.value]));
        if (this.opts.logs.list().some((t) => t.topic === msg.topic)) this.opts.logs.setTopicConfig(msg.topic, overrides);
        this.replicator.sendConfig(msg.topic, overrides);
        return;
      }
      case 'logStart': {
        this.checkEpoch(msg);
        const log = this.opts.logs.partition(msg.topic, msg.partition);
        // A successor that lacks the offsets yet gets them (and the move) when it catches up.
        if (log && msg.offset <= log.logEndOffset) this.opts.logs.deleteRecordsBefore(msg.topic, msg.partition, msg.offset);
        this.replicator.sendLogStart(msg.topic, msg.partition, msg.offset);
        return;
      }
      case 'delete': {
        this.checkEpoch(msg);
        const count = this.opts.logs.list().find((t) => t.topic === msg.topic)?.partitions ?? 0;
        this.opts.logs.deleteTopic(msg.topic);
        this.topicDeleted(msg.topic, count);
        return;
      }
      case 'ping':
        this.upstream.send({ type: 'pong', chainReady: this.chainReady(), tail: this.tailName() });
        return;
      default:
        throw new KafkaError('INVALID_REQUEST', `unexpected ${msg.type} from predecessor`);
    }
  }

  private ensureTopic(topic: string, partitions: number, topicId?: Buffer): void {
    const known = this.opts.logs.list().some((t) => t.topic === topic);
    this.opts.logs.ensureTopic(topic, partitions, topicId);
    if (!known) this.emit('topic', topic);
  }

  private onDownstreamAck(acks: AckEntry[]): void {
    for (const a of acks) {
      const log = this.opts.logs.partition(a.topic, a.partition);
      if (!log) continue;
      const hwm = Math.min(a.hwm, log.logEndOffset);
      this.marks.advance(a.topic, a.partition, hwm);
      this.upstream.queueAck({ topic: a.topic, partition: a.partition, hwm: this.marks.get(a.topic, a.partition) });
    }
  }

  private reportReady(): void {
    this.upstream.reportReady(this.chainReady(), this.tailName());
  }

  private setEpoch(epoch: number): void {
    if (epoch <= this.epochValue) return;
    this.epochValue = epoch;
    writeEpoch(this.opts.dataDir, this.epochValue);
    // Links are bound to the epoch they were opened at.
    if (this.upstream.epoch >= 0 && this.upstream.epoch < epoch) this.upstream.close();
    this.replicator.epochChanged();
  }

  private checkpoint(): void {
    try {
      this.marks.checkpoint(this.opts.dataDir);
    } catch (err) {
      this.opts.logger.warn('high-water mark checkpoint failed', { error: (err as Error).message });
    }
  }
}
