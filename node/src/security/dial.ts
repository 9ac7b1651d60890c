/**
 * The one way out: every connection a node opens to another node (chain replication, forwarded topic
 * admin, placement reads) and every native-client connection is made here, so all of them are
 * protected alike. TCP or TLS (verifying the peer's certificate against the given CA bundle and its
 * name or IP against the certificate's SAN), then, when SASL is on, SaslHandshake v1 and
 * SaslAuthenticate v1 as the given user. The socket comes back ready for Kafka requests.
 *
 * A refused login is a KafkaError (SASL_AUTHENTICATION_FAILED / UNSUPPORTED_SASL_MECHANISM), not a
 * network error: retrying it would only repeat it. Passwords never appear in errors.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ApiKey } from '../protocol/api-keys.ts';
import { decodeSaslAuthenticateResponse, encodeSaslAuthenticateRequest } from '../protocol/apis/sasl-authenticate.ts';
import { decodeSaslHandshakeResponse, encodeSaslHandshakeRequest } from '../protocol/apis/sasl-handshake.ts';
import { errorName } from '../protocol/error-codes.ts';
import { KafkaError } from '../protocol/errors.ts';
import { FrameDecoder, encodeFrame } from '../protocol/frame.ts';
import { readResponseHeader, requestHeaderVersion, writeRequestHeader } from '../protocol/header.ts';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { SaslMechanism } from './sasl/mechanism.ts';
import { encodePlain } from './sasl/plain.ts';
import { ScramClient } from './sasl/scram.ts';

/** How to verify the server on a TLS connection. */
export interface TlsDialOptions {
  /** PEM CA bundle; the system's roots when absent. */
  ca?: string | Buffer;
  /** Name to check the certificate against (default: the host dialled). */
  servername?: string;
  /** Off only for tests and debugging: accepts any certificate. */
  rejectUnauthorized?: boolean;
}

export interface SaslCredentials {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface DialOptions {
  /** TLS on (true: verify against the system roots) or off. */
  tls?: TlsDialOptions | boolean;
  sasl?: SaslCredentials;
  /** For connect, TLS handshake and SASL together. */
  timeoutMs?: number;
  clientId?: string;
}

/** Opens an authenticated connection to `host:port`. */
export type Dialer = (host: string, port: number) => Promise<net.Socket>;

export const DEFAULT_DIAL_TIMEOUT_MS = 10_000;

const SASL_VERSION = 1;

/** Plain TCP, no authentication: what nodes use when security is off. */
export const plainDial: Dialer = (host, port) => dial(host, port);

/** Connects (TCP or TLS) and authenticates (SASL) to `host:port`; rejects on failure or timeout. */
export async function dial(host: string, port: number, opts: DialOptions = {}): Promise<net.Socket> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  const socket = opts.tls ? connectTls(host, port, opts.tls === true ? {} : opts.tls) : net.connect({ host, port });
  const timer = setTimeout(() => socket.destroy(new Error(`connecting to ${host}:${port} timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    });
    if (opts.sasl) await authenticate(socket, opts.sasl, opts.clientId ?? null);
    socket.removeAllListeners('error');
    return socket;
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function connectTls(host: string, port: number, o: TlsDialOptions): tls.TLSSocket {
  const servername = o.servername ?? host;
  return tls.connect({
    host,
    port,
    // SNI takes names only; an IP is still checked against the certificate's IP SANs.
    ...(net.isIP(servername) ? {} : { servername }),
    checkServerIdentity: (_h, cert) => tls.checkServerIdentity(servername, cert),
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    rejectUnauthorized: o.rejectUnauthorized ?? true,
  });
}

/** Request/response over a socket that is not yet anyone else's: one frame out, one frame back. */
class Exchange {
  private readonly decoder = new FrameDecoder();
  private readonly frames: Buffer[] = [];
  private waiter: { resolve: (f: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private correlationId = 0;
  private readonly onData = (chunk: Buffer): void => {
    try {
      this.frames.push(...this.decoder.push(chunk));
    } catch (err) {
      this.fail(err as Error);
    }
    this.wake();
  };
  private readonly onError = (err: Error): void => this.fail(err);
  private readonly onClose = (): void => this.fail(new Error('connection closed during SASL authentication'));

  constructor(private readonly socket: net.Socket, private readonly clientId: string | null) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  async request(apiKey: number, version: number, body: (w: Writer) => void): Promise<Reader> {
    const w = new Writer(256);
    const id = this.correlationId++;
    writeRequestHeader(w, requestHeaderVersion(apiKey, version), { apiKey, apiVersion: version, correlationId: id, clientId: this.clientId });
    body(w);
    this.socket.write(encodeFrame(w.toBuffer()));
    const frame = await this.next();
    const r = new Reader(frame);
    if (readResponseHeader(r, apiKey, version) !== id) throw new Error('SASL response out of order');
    return r;
  }

  private next(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.frames.length > 0) {
      this.waiter = null;
      w.resolve(this.frames.shift()!);
    } else if (this.failure) {
      this.waiter = null;
      w.reject(this.failure);
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  /** Hands the socket back; the server sends nothing unasked, so no bytes can be left over. */
  done(): void {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    if (this.frames.length > 0) throw new Error('unexpected bytes after SASL authentication');
  }
}

/** The client side of Kafka's SASL exchange (KIP-152: SaslHandshake v1, then SaslAuthenticate). */
async function authenticate(socket: net.Socket, creds: SaslCredentials, clientId: string | null): Promise<void> {
  const ex = new Exchange(socket, clientId);
  try {
    const hs = decodeSaslHandshakeResponse(
      await ex.request(ApiKey.SaslHandshake, SASL_VERSION, (w) => encodeSaslHandshakeRequest(w, SASL_VERSION, { mechanism: creds.mechanism })),
      SASL_VERSION,
    );
    if (hs.errorCode !== 0) {
      throw new KafkaError(errorName(hs.errorCode) ?? 'UNSUPPORTED_SASL_MECHANISM', `SASL mechanism ${creds.mechanism} refused; the server enables ${hs.mechanisms.join(', ') || 'none'}`);
    }
    const send = async (token: Buffer): Promise<Buffer> => {
      const res = decodeSaslAuthenticateResponse(
        await ex.request(ApiKey.SaslAuthenticate, SASL_VERSION, (w) => encodeSaslAuthenticateRequest(w, SASL_VERSION, { authBytes: token })),
        SASL_VERSION,
      );
      if (res.errorCode !== 0) throw new KafkaError(errorName(res.errorCode) ?? 'SASL_AUTHENTICATION_FAILED', res.errorMessage ?? 'SASL authentication failed');
      return res.authBytes;
    };
    if (creds.mechanism === 'PLAIN') {
      await send(encodePlain(creds.username, creds.password));
    } else {
      const scram = new ScramClient(creds.mechanism, creds.username, creds.password);
      const serverFirst = await send(scram.first());
      const serverFinal = await send(scram.final(serverFirst));
      try {
        scram.verify(serverFinal);
      } catch (err) {
        throw new KafkaError('SASL_AUTHENTICATION_FAILED', (err as Error).message);
      }
    }
  } finally {
    ex.done();
  }
}
