/**
 * One client connection: framing, in-order responses, pipelining and backpressure.
 *
 * Requests are decoded as their frames complete and handled concurrently, but responses leave in request
 * order (Kafka's contract: clients match responses by order as well as correlation id). Reading pauses
 * while too many requests or response bytes are outstanding, or while the socket's send buffer is full,
 * so a client that pipelines without reading cannot make the node buffer without bound.
 *
 * A handler may take the socket over (`takeover`), which the chain replication link uses after its first
 * frame; from then on frames go to the new owner and the request/response machinery steps aside.
 */
import type { Socket } from 'node:net';
import { FrameDecoder, FrameSizeError, frameSizePrefix, type FrameSource } from '../protocol/frame.ts';
import { fetchReadPool, requestFramePool } from '../protocol/frame-pool.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import type { Logger } from '../logging.ts';
import type { SaslAuthenticator } from '../security/authenticator.ts';
import { ANONYMOUS_PRINCIPAL } from '../security/principal.ts';
import { SaslSession } from '../security/sasl-session.ts';

/**
 * What a handler returns: response bytes (a Buffer, without size prefix), a whole response frame in
 * pieces (a Buffer[] whose first bytes are the size prefix: written as they are, so a Fetch response's
 * records are never copied into it), nothing (acks=0), a close order (optionally after a last response
 * frame, as a failed SASL login gets its error before the connection closes), or a takeover.
 */
export type HandlerResult = Buffer | Buffer[] | null | { close: string; reply?: Buffer[] } | { takeover: (frames: FrameSource) => void };

export type FrameHandler = (frame: Buffer, conn: Connection) => Promise<HandlerResult>;

export interface ConnectionLimits {
  maxFrameBytes: number;
  /** Requests decoded but not yet answered before reading pauses. */
  maxInFlightRequests: number;
  /** Idle connections close after this long without a request (0 disables). */
  idleTimeoutMs: number;
}

interface Slot {
  done: boolean;
  result: HandlerResult | undefined;
}

/** Gives a written response's buffers that came from fetchReadPool back to it (others are ignored). */
function releaseFetchBuffers(parts: Buffer[]): void {
  for (const part of parts) fetchReadPool.release(part);
}

/**
 * Produce frames split over several socket reads are copied into recycled buffers (frame-pool.ts):
 * their handler keeps nothing of the request past its response (the replicator retains what it queues),
 * unlike, say, JoinGroup, whose member metadata stays in the group as views of the frame. After a
 * takeover (the chain link) every frame is: the owner handles each synchronously (see startTakeover).
 */
function produceFrameBuffer(size: number, start: Buffer): Buffer | undefined {
  return start.length >= 2 && start.readInt16BE(0) === ApiKey.Produce ? requestFramePool.take(size) : undefined;
}

/** How long a connection closing after its last response waits for the peer to read it. */
const CLOSE_AFTER_REPLY_MS = 1000;

export class Connection {
  readonly remote: string;
  /**
   * Who this connection acts for, in Kafka's `User:<name>` form: anonymous until SASL authentication
   * sets it. The authorizer checks every request against it.
   */
  principal = ANONYMOUS_PRINCIPAL;
  /** SASL progress when the listener requires SASL, null when it does not. */
  readonly sasl: SaslSession | null;
  private readonly decoder: FrameDecoder;
  private readonly slots: Slot[] = [];
  private paused = false;
  private closed = false;
  private takenOver: ((frame: Buffer) => void) | null = null;
  private takeoverPending: Buffer[] | null = null;
  /**
   * Frames read but not started because maxInFlightRequests were already being served (one socket read
   * can hold hundreds of small requests; pausing the socket only stops the next read). At most one
   * read's worth: the socket is paused while this is non-empty.
   */
  private readonly backlog: Buffer[] = [];
  /** The socket is corked until the end of this tick, so responses finished together leave in one write. */
  private corked = false;
  /** Resolves when every started request has been answered (used by graceful shutdown). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly socket: Socket,
    private readonly handle: FrameHandler,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    sasl: SaslAuthenticator | null = null,
  ) {
    this.sasl = sasl ? new SaslSession(sasl) : null;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    this.decoder = new FrameDecoder(limits.maxFrameBytes, (size, start) => this.takenOver ? requestFramePool.take(size) : produceFrameBuffer(size, start));
    socket.setNoDelay(true);
    if (limits.idleTimeoutMs > 0) {
      socket.setTimeout(limits.idleTimeoutMs, () => this.close('idle timeout'));
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (err) => this.log.debug('socket error', { remote: this.remote, error: err.message }));
    socket.on('close', () => {
      this.closed = true;
      this.notifyIdle();
    });
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    return this.slots.length;
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      const reason = err instanceof FrameSizeError ? err.message : `framing error: ${(err as Error).message}`;
      this.close(reason);
      return;
    }
    for (const frame of frames) {
      if (this.takenOver) this.takenOver(frame);
      else if (this.takeoverPending) this.takeoverPending.push(frame);
      else this.backlog.push(frame);
    }
    this.startBacklog();
    this.maybePause();
  }

  /** Starts queued frames while fewer than maxInFlightRequests are served and the socket can take more output. */
  private startBacklog(): void {
    while (this.backlog.length > 0 && !this.closed && !this.takenOver && !this.takeoverPending &&
      this.slots.length < this.limits.maxInFlightRequests && !this.socket.writableNeedDrain) {
      this.start(this.backlog.shift()!);
    }
  }

  private start(frame: Buffer): void {
    const slot: Slot = { done: false, result: undefined };
    this.slots.push(slot);
    this.handle(frame, this).then(
      (result) => {
        // The handler is done with the request's bytes (a thrown handler keeps its frame: it is garbage then).
        requestFramePool.release(frame);
        this.finish(slot, result);
      },
      (err: unknown) => {
        // Handlers return typed errors as responses; anything thrown here is a bug. Close only this connection.
        this.log.error('request handler failed', { remote: this.remote, error: (err as Error).stack ?? String(err) });
        this.finish(slot, { close: 'internal error' });
      },
    );
  }

  private finish(slot: Slot, result: HandlerResult): void {
    slot.done = true;
    slot.result = result;
    if (result && typeof result === 'object' && 'takeover' in result) {
      // Frames that arrive before earlier responses flush are held for the new owner.
      this.takeoverPending = [];
    }
    this.flush();
  }

  private flush(): void {
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const { result } = this.slots.shift()!;
      if (this.closed) continue;
      if (result === null || result === undefined) continue;
      if (Buffer.isBuffer(result)) {
        this.corkForTick();
        this.socket.write(frameSizePrefix(result.length));
        this.socket.write(result);
      } else if (Array.isArray(result)) {
        this.corkForTick();
        for (let i = 0; i < result.length - 1; i++) this.socket.write(result[i]!);
        // Once the socket has taken the whole response (written, or failed), its Fetch read buffers recycle.
        if (result.length > 0) this.socket.write(result[result.length - 1]!, () => releaseFetchBuffers(result));
      } else if ('close' in result) {
        if (result.reply) this.closeAfter(result.reply, result.close);
        else this.close(result.close);
      } else {
        this.startTakeover(result.takeover);
        return;
      }
    }
    if (this.slots.length === 0) this.notifyIdle();
    this.maybeResume();
  }

  /**
   * Corks the socket until the end of this tick: every response whose handler finishes in the same
   * microtask run (an ack that commits many produces, a pipeline of small answers) is written with one
   * writev instead of one syscall each. nextTick runs after the current microtask queue drains.
   */
  private corkForTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
      this.maybePause();
    });
  }

  private startTakeover(owner: (frames: FrameSource) => void): void {
    const pending = this.takeoverPending ?? [];
    // Requests after the takeover frame that were already started belong to the old protocol: drop them
    // (and those read but not yet started, as they would have been dropped had they started).
    this.slots.length = 0;
    this.backlog.length = 0;
    let listener: ((frame: Buffer) => void) | null = null;
    const queued: Buffer[] = [...pending];
    this.takeoverPending = null;
    // The owner is done with a frame when its listener returns (it retains what it keeps: frame-pool.ts).
    const deliver = (l: (frame: Buffer) => void, frame: Buffer): void => {
      l(frame);
      requestFramePool.release(frame);
    };
    this.takenOver = (frame) => (listener ? deliver(listener, frame) : queued.push(frame));
    this.socket.setTimeout(0);
    owner({
      socket: this.socket,
      onFrame: (l) => {
        listener = l;
        for (const f of queued.splice(0)) deliver(l, f);
      },
      write: (payload) => {
        this.socket.cork();
        this.socket.write(frameSizePrefix(payload.length));
        const ok = this.socket.write(payload);
        this.socket.uncork();
        return ok;
      },
    });
    this.maybeResume();
  }

  private maybePause(): void {
    if (this.paused || this.closed) return;
    if (this.slots.length >= this.limits.maxInFlightRequests || this.socket.writableNeedDrain) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    this.startBacklog();
    if (!this.paused || this.closed || this.backlog.length > 0) return;
    if (this.slots.length < this.limits.maxInFlightRequests && !this.socket.writableNeedDrain) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Writes a last response frame, then closes: the peer gets to read why before the socket goes. */
  private closeAfter(reply: Buffer[], reason: string): void {
    this.log.debug('closing connection after reply', { remote: this.remote, reason });
    this.closed = true;
    this.socket.pause();
    for (const part of reply) this.socket.write(part);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_AFTER_REPLY_MS).unref();
    this.notifyIdle();
  }

  /** Closes this connection only, with a reason for the log. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.log.debug('closing connection', { remote: this.remote, reason });
    this.socket.destroy();
    this.notifyIdle();
  }

  /** Resolves once no request is outstanding (or the connection is gone). */
  whenIdle(): Promise<void> {
    if (this.slots.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
