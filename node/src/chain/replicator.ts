/**
 * The outgoing half of chain replication: one link from this node to its successor.
 *
 * Liveness: a node learns who is alive from its links, not from a separate membership protocol. The
 * replicator pings its successor every PING_INTERVAL_MS; any message from the successor counts as a
 * sign of life, and a link silent for LINK_TIMEOUT_MS is declared dead and closed (a SIGSTOPped or
 * partitioned successor is detected this way; a killed one by the socket closing). Reconnects back off
 * from RECONNECT_MIN_MS to RECONNECT_MAX_MS. The successor answers pings with `chain_ready`: whether it
 * and everyone after it are linked, which is what the head needs to know before accepting writes.
 *
 * Sync: on connect the successor reports its log end and high-water mark per partition (State). The
 * replicator then truncates the successor's uncommitted suffix where it holds records this node does not
 * (they were never acknowledged: this node's log is a superset of everything committed), creates
 * missing topics, and streams what the successor lacks straight from the log on disk. From then on
 * every local append is shipped as it happens; the log is the only history, nothing lives only in memory.
 *
 * Pipelining: appends are written to the socket as soon as they are in the local log, without waiting
 * for acknowledgements (one Append per appended group, the socket corked until the end of the tick:
 * link-writer.ts); the successor processes messages in order and acknowledges with high-water marks.
 * Shipping pauses while the socket's send buffer is full and resumes on drain.
 */
import type net from 'node:net';
import { plainDial, type Dialer } from '../security/dial.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { FrameDecoder, encodeFrame } from '../protocol/frame.ts';
import { writeRequestHeader } from '../protocol/header.ts';
import { Writer } from '../protocol/writer.ts';
import { BATCH_HEADER_SIZE, batchBaseOffset, batchLastOffset, batchPositions } from '../protocol/record-batch.ts';
import type { Logger } from '../logging.ts';
import type { Member } from './membership.ts';
import { splitTpKey, tpKey, tpKeyPrefix } from '../topic-partition.ts';
import { ZERO_UUID } from '../protocol/uuid.ts';
import { LINK_API_VERSION, decodeLinkMessage, encodeHello, type AckEntry, type LinkMessage, type TopicState } from './link-protocol.ts';
import type { ReplicaLogs } from './replica-log.ts';
import { LinkWriter } from './link-writer.ts';

export const PING_INTERVAL_MS = 500;
export const LINK_TIMEOUT_MS = 3000;
export const RECONNECT_MIN_MS = 100;
export const RECONNECT_MAX_MS = 2000;
/** Largest Append message the replicator builds when catching a successor up. */
export const SHIP_CHUNK_BYTES = 1024 * 1024;

export type LinkState = 'idle' | 'connecting' | 'syncing' | 'streaming';

/** The link as metrics show it: the successor, whether it streams, and how far its acknowledgements trail. */
export interface LinkStats {
  peer: string;
  up: boolean;
  /** Records in local logs beyond what came back acknowledged through this link, summed over partitions. */
  lagRecords: number;
}

export interface ReplicatorEvents {
  /** Whether this node is the head (only a head discards an unshipped suffix after a restart). */
  isHead(): boolean;
  /** This node's committed offset for a partition. */
  committed(topic: string, partition: number): number;
  /** The successor acknowledged these committed offsets. */
  onAck(acks: AckEntry[]): void;
  /** Whether the successor and everything after it can take writes changed. */
  onReadyChange(): void;
  /** The successor reported a higher epoch than ours (we are stale). */
  onFenced(theirEpoch: number): void;
}

export class Replicator {
  private target: Member | undefined;
  private socket: net.Socket | null = null;
  /** Writes this link's messages to `socket` (set with it). */
  private writer: LinkWriter | null = null;
  private state: LinkState = 'idle';
  private downstreamReady = false;
  /** The tail as the successor reports it; the head compares it with its own view. */
  private downstreamTail = '';
  /** Next offset to ship, per partition (`tpKey`). */
  private readonly next = new Map<string, number>();
  private readonly dirty = new Set<string>();
  /** Offset acknowledged through the link, per partition (`tpKey`); kept across reconnects to the same successor. */
  private readonly acked = new Map<string, number>();
  private lastHeard = 0;
  private pingTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private backoff = RECONNECT_MIN_MS;
  private stopped = false;
  private correlationId = 0;
  /** Until the first sync after start, the log may hold a suffix from produces that died with the process. */
  private restarted = true;
  /** Bumped on every reset, so a dial that finishes after the link moved on is dropped. */
  private attempt = 0;
  /** The epoch of the link's Hello: every message on the link carries it, and Acks must too. */
  private linkEpoch = -1;

  constructor(
    private readonly self: string,
    private readonly logs: ReplicaLogs,
    private readonly epoch: () => number,
    private readonly events: ReplicatorEvents,
    private readonly log: Logger,
    /** Opens the link's connection (TCP or TLS, authenticated when SASL is on). */
    private readonly dial: Dialer = plainDial,
  ) {}

  /** True when the link is synced and the successor says the rest of the chain is linked too. */
  get ready(): boolean {
    return this.state === 'streaming' && this.downstreamReady;
  }

  /** Who the successor says the chain's tail is ('' until it has said). */
  get reportedTail(): string {
    return this.downstreamTail;
  }

  get linkState(): LinkState {
    return this.state;
  }

  get successor(): Member | undefined {
    return this.target;
  }

  /** The link's state for metrics, or null without a successor; walks partitions, so call it per scrape. */
  stats(): LinkStats | null {
    if (!this.target) return null;
    let lagRecords = 0;
    for (const { topic, partitions } of this.logs.list()) {
      for (let p = 0; p < partitions; p++) {
        const end = this.logs.partition(topic, p)?.logEndOffset ?? 0;
        lagRecords += Math.max(0, end - (this.acked.get(tpKey(topic, p)) ?? 0));
      }
    }
    return { peer: this.target.name, up: this.state === 'streaming', lagRecords };
  }

  /**
   * What the successor has acknowledged holding of a partition (0 before it synced): this node must
   * keep everything from there on, since the successor catches up from this node's log.
   */
  acknowledged(topic: string, partition: number): number {
    return this.acked.get(tpKey(topic, partition)) ?? 0;
  }

  /** Points the link at a (new) successor, or none; reconnects when it changed. */
  setTarget(member: Member | undefined): void {
    const same = member && this.target && member.name === this.target.name && member.host === this.target.host && member.port === this.target.port;
    if (same || (!member && !this.target)) return;
    this.target = member;
    this.acked.clear();
    this.reset(`successor changed to ${member?.name ?? 'none'}`);
    if (member) this.connect();
  }

  /**
   * Ships new local data for a partition (called after every local append). `appended`, when given, is
   * the buffers just written to the log, back to back exactly as on disk: when they are the next thing
   * the successor needs and nothing is queued before them, they go out as they are instead of being
   * read back from the log.
   */
  notify(topic: string, partition: number, appended?: readonly Buffer[]): void {
    if (this.state !== 'streaming') return;
    const key = tpKey(topic, partition);
    if (appended && this.shipAppended(key, topic, partition, appended)) return;
    this.dirty.add(key);
    this.pump();
  }

  /** The fast path of `notify`: true when `appended` was shipped as it is. */
  private shipAppended(key: string, topic: string, partition: number, appended: readonly Buffer[]): boolean {
    const socket = this.socket;
    const first = appended[0];
    if (!socket || socket.writableNeedDrain || this.dirty.has(key) || !first || appended.some((b) => b.length < BATCH_HEADER_SIZE)) return false;
    const local = this.logs.partition(topic, partition);
    // Only the newest data, starting exactly where shipping stands: anything else (a backlog, a
    // truncation in between, an idempotent duplicate that was never written) goes through the log.
    if (!local || this.next.get(key) !== batchBaseOffset(first, 0)) return false;
    const last = lastOffsetOf(appended[appended.length - 1]!);
    if (last + 1 !== local.logEndOffset) return false;
    // Back to back, the buffers are one run of batches: they go as one Append (or a few, link-writer.ts).
    this.writer?.appendGroups(this.linkEpoch, topic, partition, this.partitionCount(topic, partition), appended);
    this.next.set(key, last + 1);
    return true;
  }

  private partitionCount(topic: string, partition: number): number {
    return this.logs.partitionCount(topic) ?? partition + 1;
  }

  /** Tells the successor to create a topic (head-initiated creation). */
  sendCreate(topic: string, partitionCount: number): void {
    if (this.state === 'streaming') this.send(this.createMessage(topic, partitionCount));
  }

  private createMessage(topic: string, partitionCount: number): LinkMessage {
    return { type: 'create', epoch: this.linkEpoch, topic, partitionCount, topicId: this.logs.topicId(topic) ?? ZERO_UUID };
  }

  /** Tells the successor a topic's whole set of config overrides. */
  sendConfig(topic: string, overrides: Record<string, string>): void {
    if (this.state === 'streaming') this.send(configMessage(this.linkEpoch, topic, overrides));
  }

  /** Tells the successor a partition's log start offset moved (DeleteRecords). */
  sendLogStart(topic: string, partition: number, offset: number): void {
    if (this.state === 'streaming') this.send({ type: 'logStart', epoch: this.linkEpoch, topic, partition, offset });
  }

  /** Tells the successor to delete a topic. */
  sendDelete(topic: string): void {
    if (this.state === 'streaming') this.send({ type: 'delete', epoch: this.linkEpoch, topic });
    for (const key of [...this.next.keys()]) if (key.startsWith(tpKeyPrefix(topic))) this.next.delete(key);
  }

  /** The chain epoch changed: a link is bound to its Hello's epoch, so re-form it at the new one at once. */
  epochChanged(): void {
    if (!this.target || this.stopped || this.linkEpoch === this.epoch()) return;
    if (this.state === 'idle' && this.reconnectTimer === null) return;
    this.reset(`epoch changed to ${this.epoch()}`);
    this.backoff = RECONNECT_MIN_MS;
    this.connect();
  }

  /**
   * Whether the successor holds everything this node has, give or take `maxLagRecords` per partition
   * still in flight (a tail decides with it that a joining node has caught up).
   */
  caughtUp(maxLagRecords: number): boolean {
    if (this.state !== 'streaming') return false;
    for (const { topic, partitions } of this.logs.list()) {
      for (let p = 0; p < partitions; p++) {
        const end = this.logs.partition(topic, p)?.logEndOffset ?? 0;
        if (end - (this.acked.get(tpKey(topic, p)) ?? 0) > maxLagRecords) return false;
      }
    }
    return true;
  }

  stop(): void {
    this.stopped = true;
    this.reset('stopping');
  }

  private reset(reason: string): void {
    this.attempt++;
    if (this.socket) {
      this.log.info('replication link closed', { successor: this.target?.name, reason });
      this.socket.destroy();
      this.socket = null;
      this.writer = null;
    }
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.pingTimer = null;
    this.reconnectTimer = null;
    this.next.clear();
    this.dirty.clear();
    const wasReady = this.ready;
    this.state = 'idle';
    this.downstreamReady = false;
    this.downstreamTail = '';
    if (wasReady) this.events.onReadyChange();
  }

  private scheduleReconnect(reason: string): void {
    this.reset(reason);
    if (this.stopped || !this.target) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private connect(): void {
    const target = this.target;
    if (!target || this.stopped) return;
    this.state = 'connecting';
    const attempt = this.attempt;
    this.dial(target.host, target.port).then(
      (socket) => {
        if (attempt !== this.attempt || this.stopped) socket.destroy();
        else this.attach(socket, target);
      },
      (err: Error) => {
        if (attempt !== this.attempt) return;
        this.log.debug('replication link cannot connect', { successor: target.name, error: err.message });
        this.scheduleReconnect(`cannot connect: ${err.message}`);
      },
    );
  }

  /** Starts the link protocol on a connected (and, with SASL, authenticated) socket. */
  private attach(socket: net.Socket, target: Member): void {
    this.socket = socket;
    this.writer = new LinkWriter(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    this.state = 'syncing';
    this.lastHeard = Date.now();
    this.linkEpoch = this.epoch();
    const w = new Writer(128);
    writeRequestHeader(w, 1, { apiKey: ApiKey.ChainReplicate, apiVersion: LINK_API_VERSION, correlationId: this.correlationId++, clientId: this.self });
    encodeHello(w, { epoch: this.linkEpoch, from: this.self, to: target.name });
    socket.write(encodeFrame(w.toBuffer()));
    this.pingTimer = setInterval(() => this.heartbeat(), PING_INTERVAL_MS);
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.socket) return;
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.scheduleReconnect(`bad frame from successor: ${(err as Error).message}`);
        return;
      }
      this.lastHeard = Date.now();
      for (const frame of frames) {
        if (socket !== this.socket) return;
        let msg: LinkMessage;
        try {
          msg = decodeLinkMessage(frame);
        } catch (err) {
          this.scheduleReconnect(`bad message from successor: ${(err as Error).message}`);
          return;
        }
        this.onMessage(msg);
      }
    });
    socket.on('drain', () => this.pump());
    socket.on('error', (err) => {
      if (socket === this.socket) this.log.debug('replication link error', { successor: target.name, error: err.message });
    });
    socket.on('close', () => {
      if (socket === this.socket) this.scheduleReconnect('connection closed');
    });
  }

  private heartbeat(): void {
    if (Date.now() - this.lastHeard > LINK_TIMEOUT_MS) {
      this.scheduleReconnect(`successor silent for ${LINK_TIMEOUT_MS} ms`);
      return;
    }
    this.send({ type: 'ping' });
  }

  private onMessage(msg: LinkMessage): void {
    switch (msg.type) {
      case 'state':
        this.sync(msg.topics);
        return;
      case 'ack':
        // An acknowledgement from another epoch says nothing about what this link shipped.
        if (msg.epoch !== this.linkEpoch) return;
        for (const a of msg.acks) {
          const key = tpKey(a.topic, a.partition);
          if (a.hwm > (this.acked.get(key) ?? 0)) this.acked.set(key, a.hwm);
        }
        this.events.onAck(msg.acks);
        return;
      case 'pong':
        if (msg.chainReady !== this.downstreamReady || msg.tail !== this.downstreamTail) {
          this.downstreamReady = msg.chainReady;
          this.downstreamTail = msg.tail;
          this.events.onReadyChange();
        }
        return;
      case 'error':
        this.log.warn('successor refused the link', { successor: this.target?.name, code: msg.errorCode, message: msg.message });
        if (msg.errorCode === ErrorCode.FENCED_LEADER_EPOCH.code) {
          this.events.onFenced(msg.epoch);
        }
        this.scheduleReconnect(`refused: ${msg.message}`);
        return;
      default:
        this.scheduleReconnect(`unexpected ${msg.type} from successor`);
    }
  }

  /** Reconciles the successor's logs with ours, then starts streaming. */
  private sync(theirs: TopicState[]): void {
    const remote = new Map(theirs.map((t) => [t.topic, t]));
    const acks: AckEntry[] = [];
    const discardUnshipped = this.restarted && this.events.isHead();
    this.restarted = false;
    for (const { topic, partitions } of this.logs.list()) {
      const them = remote.get(topic);
      // Creation (with the topic's id), configs and log start offsets are small: send them on every sync
      // rather than track who has them; a successor that has the topic only takes its id (KIP-516).
      this.send(this.createMessage(topic, partitions));
      this.send(configMessage(this.linkEpoch, topic, this.logs.topicOverrides(topic)));
      for (let p = 0; p < partitions; p++) {
        const local = this.logs.partition(topic, p);
        if (!local) continue;
        if (local.logStartOffset > 0) this.send({ type: 'logStart', epoch: this.linkEpoch, topic, partition: p, offset: local.logStartOffset });
        const their = them?.partitions.find((x) => x.partition === p);
        let start = their?.logEnd ?? 0;
        if (discardUnshipped && their && their.logEnd < local.logEndOffset && their.logEnd >= this.events.committed(topic, p)) {
          // After a restart of the head, records no successor has were appended for produces whose
          // connections died with the old process: never acknowledged (acks=-1), so dropping them spares
          // the clients' retries a duplicate. Never below the committed mark, and only when the successor
          // looks like a continuation of our log (a wiped successor keeps everything).
          this.log.info('discarding unshipped suffix after restart', { topic, partition: p, from: their.logEnd, to: local.logEndOffset });
          local.truncateTo(their.logEnd);
        }
        if (their && their.logEnd > local.logEndOffset) {
          if (their.hwm > local.logEndOffset) {
            // The successor holds committed records we lack: truncating them would lose acknowledged
            // data. This cannot happen while logs survive restarts (kill -9 keeps the page cache);
            // refuse to form the link rather than guess.
            this.log.error('successor has committed records this node lacks; not linking', { topic, partition: p, theirs: their, ours: local.logEndOffset });
            this.scheduleReconnect('divergent successor');
            return;
          }
          this.send({ type: 'truncate', epoch: this.linkEpoch, topic, partition: p, offset: local.logEndOffset });
          start = local.logEndOffset;
        }
        if (start < local.logStartOffset) {
          // Retention deleted what the successor lacks: it restarts its log at our log start.
          this.send({ type: 'truncate', epoch: this.linkEpoch, topic, partition: p, offset: local.logStartOffset });
          start = local.logStartOffset;
        }
        this.next.set(tpKey(topic, p), start);
        // What the successor holds after the truncation above is what it can acknowledge.
        this.acked.set(tpKey(topic, p), start);
        this.dirty.add(tpKey(topic, p));
        if (their) acks.push({ topic, partition: p, hwm: Math.min(their.hwm, local.logEndOffset) });
      }
    }
    this.state = 'streaming';
    this.backoff = RECONNECT_MIN_MS;
    this.log.info('replication link synced', { successor: this.target?.name, epoch: this.epoch() });
    if (acks.length > 0) this.events.onAck(acks);
    this.send({ type: 'ping' });
    this.pump();
  }

  /** Ships every dirty partition until caught up or the socket is full. */
  private pump(): void {
    const socket = this.socket;
    if (!socket || this.state !== 'streaming') return;
    for (const key of this.dirty) {
      const { topic, partition } = splitTpKey(key);
      const local = this.logs.partition(topic, partition);
      if (!local) {
        this.dirty.delete(key);
        continue;
      }
      const partitionCount = this.partitionCount(topic, partition);
      let from = this.next.get(key) ?? local.logStartOffset;
      while (from < local.logEndOffset) {
        if (socket.writableNeedDrain) return;
        const { records } = local.read(from, { maxBytes: SHIP_CHUNK_BYTES, maxOffset: local.logEndOffset, minOneBatch: true });
        if (records.length === 0) break;
        const last = lastOffsetOf(records);
        this.writer?.append(this.linkEpoch, topic, partition, partitionCount, [records], records.length);
        from = last + 1;
        this.next.set(key, from);
      }
      this.dirty.delete(key);
    }
  }

  private send(msg: LinkMessage): void {
    this.writer?.send(msg);
  }
}

/** The last offset in a buffer of whole batches. */
function lastOffsetOf(batches: Buffer): number {
  let last = -1;
  for (const { position } of batchPositions(batches)) last = batchLastOffset(batches, position);
  return last;
}

/** The Config link message carrying a topic's overrides, in a stable order. */
function configMessage(epoch: number, topic: string, overrides: Record<string, string>): LinkMessage {
  return { type: 'config', epoch, topic, configs: Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })) };
}
