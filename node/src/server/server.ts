/**
 * The TCP (or TLS) listener and its lifecycle. The server keeps the set of its connections; `close()`
 * stops accepting, lets in-flight requests finish up to a deadline, then destroys whatever is left, so a
 * SIGTERM never cuts off a produce that was already being written.
 *
 * With TLS, a connection exists for the protocol only once its handshake is done; a client that speaks
 * plain Kafka to the TLS port fails the handshake and is dropped without a Kafka response. When the
 * certificate files change, new connections get the new certificate and open ones keep theirs.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Connection, type ConnectionLimits, type FrameHandler } from './connection.ts';
import type { Logger } from '../logging.ts';
import type { TlsMaterial } from '../security/tls.ts';
import type { SaslAuthenticator } from '../security/authenticator.ts';

export interface ServerOptions {
  host: string;
  port: number;
  limits?: Partial<ConnectionLimits>;
  maxConnections?: number;
  /** Serve TLS with this (reloadable) certificate. */
  tls?: TlsMaterial;
  /** Require SASL authentication before anything but ApiVersions and the SASL APIs. */
  sasl?: SaslAuthenticator;
}

/** A TLS handshake must finish in this long; a half-open one would otherwise hold shutdown for minutes. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxFrameBytes: 100 * 1024 * 1024,
  maxInFlightRequests: 64,
  idleTimeoutMs: 10 * 60 * 1000,
};

/** Grace period for in-flight requests on shutdown. */
export const SHUTDOWN_DEADLINE_MS = 5000;

export class KafkaServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private readonly limits: ConnectionLimits;

  constructor(
    private readonly opts: ServerOptions,
    private readonly handler: FrameHandler,
    private readonly log: Logger,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    const material = opts.tls;
    if (material) {
      const server = tls.createServer({ ...material.serverContext(), handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }, (socket) => this.accept(socket));
      server.on('tlsClientError', (err, socket) => log.debug('TLS handshake failed', { remote: `${socket.remoteAddress}:${socket.remotePort}`, error: err.message }));
      material.onReload(() => server.setSecureContext(material.serverContext()));
      this.server = server;
    } else {
      this.server = net.createServer((socket) => this.accept(socket));
    }
    if (opts.maxConnections) this.server.maxConnections = opts.maxConnections;
  }

  /** Open connections right now. */
  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: net.Socket): void {
    const conn = new Connection(socket, this.handler, this.limits, this.log, this.opts.sasl ?? null);
    this.connections.add(conn);
    socket.once('close', () => this.connections.delete(conn));
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => reject(new Error(`Kafka port ${this.opts.host}:${this.opts.port}: ${err.message}`));
      this.server.once('error', fail);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', fail);
        const addr = this.server.address() as net.AddressInfo;
        resolve({ host: addr.address, port: addr.port });
      });
    });
  }

  /** Stops accepting, waits for in-flight requests up to the deadline, then closes every connection. */
  async close(deadlineMs = SHUTDOWN_DEADLINE_MS): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = Promise.all([...this.connections].map((c) => c.whenIdle()));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise((r) => (timer = setTimeout(r, deadlineMs)))]);
    clearTimeout(timer);
    for (const c of this.connections) c.close('server shutting down');
    await closed;
  }
}
