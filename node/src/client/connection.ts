/**
 * One TCP connection to one broker, pipelined: any number of requests may be outstanding, each tagged
 * with a correlation id. Kafka answers the requests of one connection in the order they were sent, so
 * a response whose id is not the oldest outstanding one means the stream is corrupt and the connection
 * is closed. Reconnecting is the pool's job: a closed Connection stays closed.
 *
 * Requests are encoded into one Writer that keeps large byte arrays (record batches) by reference, and
 * the pieces go to the socket corked, as one writev: a batch is never copied on its way out.
 *
 * The same class serves the native client (client.ts, over the pool), a node's requests to other nodes
 * (server/forward.ts, over the inter-broker dialer of security/dial.ts) and the tests' wire client
 * (e2e/lib/kafka-wire.ts, which also sends frames it encoded itself).
 *
 * Timeouts: a single sweep timer runs while requests are outstanding. A request that outlives its
 * deadline closes the connection (every later response would queue behind the missing one anyway) and
 * fails everything outstanding with RequestTimeoutError, which the client treats as "moved".
 */
import type net from 'node:net';
import { KafkaError } from '../protocol/errors.ts';
import { dial, type Dialer, type SaslCredentials, type TlsDialOptions } from '../security/dial.ts';
import { FrameDecoder, encodeFrame, type FrameSizeError } from '../protocol/frame.ts';
import { readResponseHeader, requestHeaderVersion, writeRequestHeader } from '../protocol/header.ts';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import { ConnectionError, RequestTimeoutError } from './errors.ts';

/** Default time a response may take (Fetch adds its own max wait on top). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Default time to open the TCP connection. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Byte arrays at least this large are written by reference instead of copied into the request buffer. */
const KEEP_BY_REFERENCE_BYTES = 8 * 1024;
/** Correlation ids are int32; wrap before overflow. */
const MAX_CORRELATION_ID = 0x7fffffff;

export interface ConnectionOptions {
  clientId?: string;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** TLS (true: verify against the system's roots; or a CA bundle and options). */
  tls?: TlsDialOptions | boolean;
  /** SASL login after connecting (SCRAM-SHA-256/512 or PLAIN). */
  sasl?: SaslCredentials;
  /** Opens the socket instead of `tls`/`sasl`/`connectTimeoutMs` (a node's inter-broker dialer). */
  dialer?: Dialer;
}

/** One request: its API, version, body encoder and response decoder. */
export interface RequestSpec<T> {
  apiKey: number;
  version: number;
  encode: (w: Writer) => void;
  decode: (r: Reader) => T;
  /** Added to the request timeout (a Fetch may legitimately wait this long on the broker). */
  extraTimeoutMs?: number;
}

interface Pending {
  apiKey: number;
  version: number;
  decode: (r: Reader) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  deadline: number;
}

export class Connection {
  readonly address: string;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder();
  private nextId = 1;
  private sweeper: NodeJS.Timeout | null = null;
  private failure: ConnectionError | null = null;
  private readonly clientId: string | null;
  private readonly timeoutMs: number;

  private constructor(private readonly socket: net.Socket, host: string, port: number, opts: ConnectionOptions) {
    this.address = `${host}:${port}`;
    this.clientId = opts.clientId ?? null;
    this.timeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new ConnectionError(`connection to ${this.address} failed: ${err.message}`, this.address, { cause: err })));
    socket.on('close', () => this.fail(new ConnectionError(`connection to ${this.address} closed`, this.address)));
  }

  /**
   * Opens a connection (TLS and SASL when asked); rejects with ConnectionError when the broker cannot be
   * reached in time, and with the broker's KafkaError when it refuses the login (not worth a retry).
   */
  static async connect(host: string, port: number, opts: ConnectionOptions = {}): Promise<Connection> {
    const address = `${host}:${port}`;
    try {
      const socket = opts.dialer ? await opts.dialer(host, port) : await dial(host, port, {
        timeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        ...(opts.clientId !== undefined ? { clientId: opts.clientId } : {}),
        ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
        ...(opts.sasl ? { sasl: opts.sasl } : {}),
      });
      return new Connection(socket, host, port, opts);
    } catch (err) {
      if (err instanceof KafkaError) throw err;
      throw new ConnectionError(`cannot connect to ${address}: ${(err as Error).message}`, address, { cause: err });
    }
  }

  /** A connection over a socket that is already connected and authenticated (see security/dial.ts). */
  static over(socket: net.Socket, host: string, port: number, opts: ConnectionOptions = {}): Connection {
    return new Connection(socket, host, port, opts);
  }

  /** True once the connection has failed or been closed; it never reopens. */
  get closed(): boolean {
    return this.failure !== null;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with its decoded response. */
  request<T>(spec: RequestSpec<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => this.expect(this.write(spec), spec, resolve as (v: unknown) => void, reject));
  }

  /**
   * Sends a request whose header and body the caller encoded (`frame` without its size prefix, its
   * correlation id `correlationId`) and resolves with the decoded response: replayed captures and
   * deliberately odd requests in tests. Rejects if that correlation id is already outstanding.
   */
  requestFrame<T>(frame: Buffer, correlationId: number, spec: Omit<RequestSpec<T>, 'encode'>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.pending.has(correlationId)) return Promise.reject(new Error(`correlation id ${correlationId} is already outstanding on ${this.address}`));
    return new Promise<T>((resolve, reject) => {
      this.socket.write(encodeFrame(frame));
      this.expect(correlationId, spec, resolve as (v: unknown) => void, reject);
    });
  }

  private expect(id: number, spec: Omit<RequestSpec<unknown>, 'encode'>, resolve: (v: unknown) => void, reject: (e: Error) => void): void {
    this.pending.set(id, {
      apiKey: spec.apiKey,
      version: spec.version,
      decode: spec.decode,
      resolve,
      reject,
      deadline: Date.now() + this.timeoutMs + (spec.extraTimeoutMs ?? 0),
    });
    this.sweeper ??= setInterval(() => this.sweep(), Math.max(10, Math.min(1000, this.timeoutMs / 4))).unref();
  }

  /** Sends a request the broker will not answer (Produce with acks=0). */
  send(spec: Omit<RequestSpec<unknown>, 'decode'>): void {
    if (this.failure) throw this.failure;
    this.write(spec);
  }

  /** Closes the socket; outstanding requests fail with ConnectionError. */
  close(): void {
    this.fail(new ConnectionError(`connection to ${this.address} closed by client`, this.address));
  }

  private write(spec: Omit<RequestSpec<unknown>, 'decode'>): number {
    const id = this.nextId;
    this.nextId = id >= MAX_CORRELATION_ID ? 1 : id + 1;
    const w = new Writer(512, { keepBytesOver: KEEP_BY_REFERENCE_BYTES });
    const sizeAt = w.reserveInt32();
    writeRequestHeader(w, requestHeaderVersion(spec.apiKey, spec.version), {
      apiKey: spec.apiKey, apiVersion: spec.version, correlationId: id, clientId: this.clientId,
    });
    spec.encode(w);
    w.patchInt32(sizeAt, w.length - 4);
    const chunks = w.toChunks();
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!);
    } else {
      this.socket.cork();
      for (const c of chunks) this.socket.write(c);
      this.socket.uncork();
    }
    return id;
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fail(new ConnectionError(`bad frame from ${this.address}: ${(err as FrameSizeError).message}`, this.address, { cause: err }));
      return;
    }
    for (const frame of frames) {
      if (frame.length < 4) {
        this.fail(new ConnectionError(`short frame from ${this.address}`, this.address));
        return;
      }
      const id = frame.readInt32BE(0);
      const first = this.pending.keys().next();
      if (first.done || first.value !== id) {
        this.fail(new ConnectionError(`response ${id} from ${this.address} does not match the oldest request`, this.address));
        return;
      }
      const p = this.pending.get(id)!;
      this.pending.delete(id);
      try {
        const r = new Reader(frame);
        readResponseHeader(r, p.apiKey, p.version);
        p.resolve(p.decode(r));
      } catch (err) {
        // The frame was delimited, so the stream is still in sync: only this request fails.
        p.reject(err as Error);
      }
    }
    if (this.pending.size === 0) this.stopSweeper();
  }

  private sweep(): void {
    const now = Date.now();
    for (const p of this.pending.values()) {
      if (p.deadline <= now) {
        this.fail(new RequestTimeoutError(this.address, this.timeoutMs));
        return;
      }
    }
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  private fail(err: ConnectionError): void {
    if (this.failure) return;
    this.failure = err;
    this.stopSweeper();
    this.socket.destroy();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
  }
}
