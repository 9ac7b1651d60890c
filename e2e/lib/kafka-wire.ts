/**
 * A tiny Kafka client for the e2e tests and the benches: the native client's Connection (pipelined,
 * responses matched by correlation id, see node/src/client/connection.ts) plus what only tests need:
 * frames the test encoded itself, raw bytes for bad-input tests, a promise that settles when the
 * connection closes, and one-call helpers for the common requests.
 */
import type net from 'node:net';
import { ApiKey } from '../../node/src/protocol/api-keys.ts';
import { decodeApiVersionsResponse, encodeApiVersionsRequest, type ApiVersionsResponse } from '../../node/src/protocol/apis/api-versions.ts';
import { decodeFetchResponse, encodeFetchRequest, type FetchPartitionData } from '../../node/src/protocol/apis/fetch.ts';
import { decodeMetadataResponse, encodeMetadataRequest, type MetadataTopic } from '../../node/src/protocol/apis/metadata.ts';
import { ZERO_UUID } from '../../node/src/protocol/uuid.ts';
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from '../../node/src/protocol/apis/list-offsets.ts';
import { decodeProduceResponse, encodeProduceRequest, type ProducePartitionResponse } from '../../node/src/protocol/apis/produce.ts';
import type { Reader } from '../../node/src/protocol/reader.ts';
import { decodeRecordBatches, type DecodedRecord } from '../../node/src/protocol/record-batch.ts';
import type { Writer } from '../../node/src/protocol/writer.ts';
import { Connection } from '../../node/src/client/connection.ts';
import { dial } from '../../node/src/security/dial.ts';

const CLIENT_ID = 'vonnegut-wire';
/**
 * Tests bound every wait themselves (their deadlines are generous for loaded machines), so a request
 * here only times out when something is truly stuck.
 */
const REQUEST_TIMEOUT_MS = 10 * 60_000;

/** The Reader after the response header: callers decode the body at the version they asked for. */
const body = (r: Reader): Reader => r;

/** Splits `host:port`. */
export function parseAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

export class KafkaWire {
  private readonly conn: Connection;
  /** Settles when the socket closes, from either side. */
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket, host: string, port: number) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.conn = Connection.over(socket, host, port, { clientId: CLIENT_ID, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  }

  /** Opens a plain TCP connection to `host:port`. */
  static async connect(address: string, timeoutMs = 10_000): Promise<KafkaWire> {
    const { host, port } = parseAddress(address);
    return new KafkaWire(await dial(host, port, { timeoutMs }), host, port);
  }

  /** Wraps a socket that is already connected (a TLS socket from the node's dialer, for instance). */
  static fromSocket(socket: net.Socket): KafkaWire {
    return new KafkaWire(socket, socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.conn.inFlight;
  }

  /** Writes arbitrary bytes (a size prefix is NOT added); any answer to them closes the connection. */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends one request whose header (with `correlationId`) and body are already encoded; resolves with the response body. */
  sendFrame(apiKey: number, version: number, correlationId: number, payload: Buffer): Promise<Reader> {
    return this.conn.requestFrame(payload, correlationId, { apiKey, version, decode: body });
  }

  /**
   * Sends a request whose body is already encoded (benches send the same pre-encoded Produce body many
   * times; large bodies are written by reference, never copied); only the header is written per request.
   */
  sendEncodedBody(apiKey: number, version: number, encoded: Buffer): Promise<Reader> {
    return this.conn.request({ apiKey, version, encode: (w) => w.raw(encoded), decode: body });
  }

  /** Encodes a request header and body, sends it, and resolves with the response body reader. */
  send(apiKey: number, version: number, encode: (w: Writer) => void): Promise<Reader> {
    return this.conn.request({ apiKey, version, encode, decode: body });
  }

  async apiVersions(version = 0): Promise<ApiVersionsResponse> {
    const r = await this.send(ApiKey.ApiVersions, version, (w) => encodeApiVersionsRequest(w, version, { clientSoftwareName: 'vonnegut-wire', clientSoftwareVersion: '0' }));
    return decodeApiVersionsResponse(r, version);
  }

  /** Produces one batch (already encoded) to one partition with Produce v`version` (default 3). */
  async produce(topic: string, partition: number, records: Buffer, acks = 1, version = 3, timeoutMs = 30_000): Promise<ProducePartitionResponse> {
    const r = await this.send(
      ApiKey.Produce,
      version,
      (w) => encodeProduceRequest(w, version, { transactionalId: null, acks, timeoutMs, topics: [{ name: topic, partitions: [{ index: partition, records }] }] }),
    );
    return decodeProduceResponse(r, version).topics[0]!.partitions[0]!;
  }

  /** Fetches one partition from `offset` (Fetch v4: RecordBatch v2, no sessions); never waits for data. */
  async fetch(topic: string, partition: number, offset: number, maxBytes = 64 * 1024 * 1024, version = 4): Promise<FetchPartitionData> {
    const r = await this.send(ApiKey.Fetch, version, (w) =>
      encodeFetchRequest(w, version, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
        forgottenTopicsData: [], rackId: '',
      }),
    );
    return decodeFetchResponse(r, version).topics[0]!.partitions[0]!;
  }

  /**
   * Fetches one partition of the topic with id `topicId` (Fetch v13+, KIP-516) from `offset`; never waits.
   * Also returns the topic id the answer carries.
   */
  async fetchById(topicId: Buffer, partition: number, offset: number, opts: { version?: number; readCommitted?: boolean } = {}): Promise<FetchPartitionData & { topicId: Buffer }> {
    const version = opts.version ?? 13;
    const maxBytes = 8 * 1024 * 1024;
    const r = await this.send(ApiKey.Fetch, version, (w) =>
      encodeFetchRequest(w, version, {
        replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: opts.readCommitted ? 1 : 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: '', topicId, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
        forgottenTopicsData: [], rackId: '',
      }),
    );
    const t = decodeFetchResponse(r, version).topics[0]!;
    return { ...t.partitions[0]!, topicId: t.topicId ?? ZERO_UUID };
  }

  /** Metadata (default v12) for topics by name, never auto-creating them. */
  async metadataTopics(topics: string[], version = 12): Promise<MetadataTopic[]> {
    const r = await this.send(ApiKey.Metadata, version, (w) =>
      encodeMetadataRequest(w, version, {
        topics: topics.map((name) => ({ topicId: ZERO_UUID, name })), allowAutoTopicCreation: false,
        includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
      }),
    );
    return decodeMetadataResponse(r, version).topics;
  }

  /** Every committed record of a partition from `from`, fetching until the high-water mark. */
  async readAll(topic: string, partition: number, from = 0): Promise<{ records: DecodedRecord[]; highWatermark: number }> {
    const records: DecodedRecord[] = [];
    let offset = from;
    for (;;) {
      const p = await this.fetch(topic, partition, offset, 8 * 1024 * 1024);
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${offset}: error ${p.errorCode}`);
      for (const batch of p.records ? decodeRecordBatches(p.records) : []) {
        for (const rec of batch.records) if (rec.offset >= offset) records.push(rec);
      }
      const next = records.length > 0 ? records[records.length - 1]!.offset + 1 : offset;
      if (next >= p.highWatermark) return { records, highWatermark: p.highWatermark };
      if (next === offset) throw new Error(`fetch ${topic}-${partition}@${offset} made no progress (hwm ${p.highWatermark})`);
      offset = next;
    }
  }

  /** ListOffsets v1 for one partition: -1 latest, -2 earliest. */
  async listOffset(topic: string, partition: number, timestamp: number): Promise<{ errorCode: number; offset: number }> {
    const r = await this.send(ApiKey.ListOffsets, 1, (w) =>
      encodeListOffsetsRequest(w, 1, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }] }] }),
    );
    const p = decodeListOffsetsResponse(r, 1).topics[0]!.partitions[0]!;
    return { errorCode: p.errorCode, offset: p.offset };
  }

  close(): void {
    this.conn.close();
  }
}
