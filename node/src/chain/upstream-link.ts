/**
 * The incoming replication link from this node's predecessor, seen from the receiving side: which
 * predecessor holds it, when it was last heard from (its pings keep that fresh), decoding its frames
 * in order, and what travels back up: the state report on accept, coalesced acknowledgements, and
 * readiness reports when they change. What the messages mean is the chain node's business
 * (ChainNode.onUpstreamMessage); a message it rejects closes the link with an error.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import { KafkaError } from '../protocol/errors.ts';
import type { Logger } from '../logging.ts';
import type { FrameSource } from '../protocol/frame.ts';
import { decodeLinkMessage, encodeLinkMessage, type AckEntry, type Hello, type LinkMessage, type TopicState } from './link-protocol.ts';
import { LINK_TIMEOUT_MS } from './replicator.ts';
import { tpKey } from '../topic-partition.ts';

export interface UpstreamHandlers {
  /** Applies one message from the predecessor; a thrown error closes the link. */
  onMessage(msg: LinkMessage): void;
  /** This node's current chain epoch (sent with a refusal). */
  epoch(): number;
  /** What this node holds, sent first on every accepted link. */
  state(): { epoch: number; topics: TopicState[] };
}

interface Held {
  from: string;
  source: FrameSource;
  /** The epoch of the predecessor's Hello; this side's Acks carry it. */
  epoch: number;
}

export class UpstreamLink {
  private held: Held | null = null;
  private heardAt = 0;
  private readonly pendingAcks = new Map<string, AckEntry>();
  private ackFlushScheduled = false;
  private lastReadySent: string | null = null;

  constructor(private readonly logger: Logger, private readonly handlers: UpstreamHandlers) {}

  /** The epoch the held link was opened at, or -1 without one. */
  get epoch(): number {
    return this.held?.epoch ?? -1;
  }

  /** The predecessor holding the link, or null. */
  get from(): string | null {
    return this.held?.from ?? null;
  }

  /** Whether a link is held and its predecessor was heard from within LINK_TIMEOUT_MS. */
  get alive(): boolean {
    return this.held !== null && Date.now() - this.heardAt <= LINK_TIMEOUT_MS;
  }

  /** Takes over an accepted link (replacing any other): report state, then apply its messages in order. */
  accept(hello: Hello, source: FrameSource): void {
    this.held?.source.socket.destroy();
    const link: Held = { from: hello.from, source, epoch: hello.epoch };
    this.held = link;
    this.heardAt = Date.now();
    this.lastReadySent = null;
    const log = this.logger.child({ peer: hello.from, link: 'upstream' });
    log.info('accepted link from predecessor', { epoch: hello.epoch });
    source.socket.on('close', () => {
      if (this.held === link) this.held = null;
    });
    source.onFrame((frame) => {
      if (this.held !== link) return;
      this.heardAt = Date.now();
      try {
        this.handlers.onMessage(decodeLinkMessage(frame));
      } catch (err) {
        const code = err instanceof KafkaError ? err.code : ErrorCode.CORRUPT_MESSAGE.code;
        log.warn('closing link after bad message', { error: (err as Error).message });
        source.write(encodeLinkMessage({ type: 'error', errorCode: code, message: (err as Error).message, epoch: this.handlers.epoch() }));
        source.socket.end();
        this.held = null;
      }
    });
    source.write(encodeLinkMessage({ type: 'state', ...this.handlers.state() }));
  }

  /** Drops the link unless it comes from `predecessor` (the view changed under it). */
  keepOnlyFrom(predecessor: string | undefined): void {
    if (this.held && this.held.from !== predecessor) this.close();
  }

  /** Acks are coalesced per partition and sent once per turn of the event loop. */
  queueAck(a: AckEntry): void {
    if (!this.held) return;
    this.pendingAcks.set(tpKey(a.topic, a.partition), a);
    if (this.ackFlushScheduled) return;
    this.ackFlushScheduled = true;
    setImmediate(() => {
      this.ackFlushScheduled = false;
      const acks = [...this.pendingAcks.values()];
      this.pendingAcks.clear();
      if (acks.length > 0 && this.held) this.send({ type: 'ack', epoch: this.held.epoch, acks });
    });
  }

  /** Tells the predecessor whether everything from here down is linked, and who the tail is, when that changed. */
  reportReady(chainReady: boolean, tail: string): void {
    const report = `${chainReady}/${tail}`;
    if (report !== this.lastReadySent && this.held) {
      this.lastReadySent = report;
      this.send({ type: 'pong', chainReady, tail });
    }
  }

  send(msg: LinkMessage): void {
    this.held?.source.write(encodeLinkMessage(msg));
  }

  close(): void {
    this.held?.source.socket.destroy();
    this.held = null;
  }
}
