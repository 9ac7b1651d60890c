/**
 * The transaction coordinator's way to the heads of other chains: WriteTxnMarkers (key 27) requests, as
 * Kafka's TransactionMarkerChannelManager sends them to partition leaders. One pipelined connection per
 * head, opened through the node's inter-broker dialer (TLS/SASL as the inter-broker principal when
 * security is on), dropped on any failure and reopened by the next request.
 *
 * A failure to reach the head is NOT_LEADER_OR_FOLLOWER for the partition (retriable): the coordinator
 * keeps the transaction prepared and retries, by which time the chain may have a new head.
 */
import { ApiKey } from '../protocol/api-keys.ts';
import { decodeWriteTxnMarkersResponse, encodeWriteTxnMarkersRequest, type TxnMarkerEntry } from '../protocol/apis/write-txn-markers.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { Connection } from '../client/connection.ts';
import type { Dialer } from '../security/dial.ts';
import type { Logger } from '../logging.ts';
import type { TxnMarker } from '../transactions/coordinator.ts';
import { MARKER_COMMIT_TIMEOUT_MS } from './handlers/write-txn-markers.ts';

/** The version sent: v0 is understood by every Kafka broker since 0.11 and carries everything needed. */
const VERSION = 0;
/** The receiving head waits up to MARKER_COMMIT_TIMEOUT_MS for its tail; give the answer time to travel. */
const REQUEST_TIMEOUT_MS = MARKER_COMMIT_TIMEOUT_MS + 5_000;
const CLIENT_ID = 'vonnegut-txn-markers';

/** One marker for one partition on another chain. */
export interface RemoteMarker extends TxnMarker {
  topic: string;
  partition: number;
}

export class MarkerChannel {
  private readonly conns = new Map<string, Promise<Connection>>();
  private closed = false;

  constructor(
    private readonly dial: Dialer,
    private readonly log: Logger,
  ) {}

  /** Sends one marker to the head at `host:port`; resolves to the partition's error code, never throws. */
  async write(host: string, port: number, m: RemoteMarker): Promise<number> {
    const key = `${host}:${port}`;
    const entry: TxnMarkerEntry = {
      producerId: m.producerId, producerEpoch: m.producerEpoch, transactionResult: m.commit, coordinatorEpoch: m.coordinatorEpoch,
      topics: [{ name: m.topic, partitionIndexes: [m.partition] }],
    };
    try {
      const conn = await this.connection(key, host, port);
      const res = await conn.request({ apiKey: ApiKey.WriteTxnMarkers, version: VERSION, encode: (w) => encodeWriteTxnMarkersRequest(w, VERSION, { markers: [entry] }), decode: (r) => decodeWriteTxnMarkersResponse(r, VERSION) });
      const answer = res.markers[0]?.topics.find((t) => t.name === m.topic)?.partitions.find((p) => p.partitionIndex === m.partition);
      return answer ? answer.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR.code;
    } catch (err) {
      this.drop(key);
      this.log.debug('transaction marker not delivered', { head: key, topic: m.topic, partition: m.partition, error: (err as Error).message });
      return ErrorCode.NOT_LEADER_OR_FOLLOWER.code;
    }
  }

  private connection(key: string, host: string, port: number): Promise<Connection> {
    if (this.closed) return Promise.reject(new Error('marker channel closed'));
    const existing = this.conns.get(key);
    if (existing) {
      return existing.then((c) => {
        if (!c.closed) return c;
        this.drop(key);
        return this.connection(key, host, port);
      });
    }
    const opened = Connection.connect(host, port, { dialer: this.dial, clientId: CLIENT_ID, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    this.conns.set(key, opened);
    opened.catch(() => {
      if (this.conns.get(key) === opened) this.conns.delete(key);
    });
    return opened;
  }

  private drop(key: string): void {
    const c = this.conns.get(key);
    this.conns.delete(key);
    void c?.then((x) => x.close(), () => undefined);
  }

  /** Closes every connection (node shutdown). */
  close(): void {
    this.closed = true;
    for (const key of [...this.conns.keys()]) this.drop(key);
  }
}
