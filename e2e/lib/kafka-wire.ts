/**
 * A tiny Kafka client over one TCP connection, built on vonnegut's own codecs: pipelined requests
 * (responses are matched in order and checked by correlation id), raw bytes for bad-input tests, and
 * a promise that settles when the server closes the connection. Used by the e2e tests and the benches.
 */
import net from 'node:net';
import { ApiKey } from '../../node/src/protocol/api-keys.ts';
import { decodeApiVersionsResponse, encodeApiVersionsRequest, type ApiVersionsResponse } from '../../node/src/protocol/apis/api-versions.ts';
import { decodeFetchResponse, encodeFetchRequest, type FetchPartitionData } from '../../node/src/protocol/apis/fetch.ts';
import { decodeListOffsetsResponse, encodeListOffsetsRequest } from '../../node/src/protocol/apis/list-offsets.ts';
import { decodeProduceResponse, encodeProduceRequest, type ProducePartitionResponse } from '../../node/src/protocol/apis/produce.ts';
import { FrameDecoder } from '../../node/src/protocol/frame.ts';
import { readResponseHeader, requestHeaderVersion, writeRequestHeader } from '../../node/src/protocol/header.ts';
import { Reader } from '../../node/src/protocol/reader.ts';
import { decodeRecordBatches, type DecodedRecord } from '../../node/src/protocol/record-batch.ts';
import { Writer } from '../../node/src/protocol/writer.ts';

interface Pending {
  apiKey: number;
  version: number;
  correlationId: number;
  resolve(r: Reader): void;
  reject(err: Error): void;
}

/** Splits `host:port`. */
export function parseAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

export class KafkaWire {
  private readonly decoder = new FrameDecoder(0x7fffffff);
  /** Requests awaiting their response, in send order (Kafka answers in order on one connection). */
  private readonly pending: Pending[] = [];
  private nextCorrelation = 1;
  private closeReason: Error | null = null;
  /** Settles when the socket closes, from either side. */
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => (this.closeReason ??= err));
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        const err = this.closeReason ?? new Error('connection closed by the server');
        for (const p of this.pending.splice(0)) p.reject(err);
        resolve();
      }),
    );
  }

  static connect(address: string, timeoutMs = 10_000): Promise<KafkaWire> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(parseAddress(address));
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`cannot connect to ${address} in ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', reject);
        resolve(new KafkaWire(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Wraps a socket that is already connected (a TLS socket from the node's dialer, for instance). */
  static fromSocket(socket: net.Socket): KafkaWire {
    return new KafkaWire(socket);
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.length;
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      const p = this.pending.shift();
      if (!p) {
        this.socket.destroy(new Error('response without a request'));
        return;
      }
      const r = new Reader(frame);
      try {
        const id = readResponseHeader(r, p.apiKey, p.version);
        if (id !== p.correlationId) throw new Error(`correlation id ${id}, expected ${p.correlationId}`);
        p.resolve(r);
      } catch (err) {
        p.reject(err as Error);
      }
    }
  }

  /** Writes arbitrary bytes (a size prefix is NOT added). */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends one framed request whose header and body are already encoded; resolves with the response body. */
  sendFrame(apiKey: number, version: number, correlationId: number, payload: Buffer): Promise<Reader> {
    if (this.socket.destroyed) return Promise.reject(this.closeReason ?? new Error('connection is closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ apiKey, version, correlationId, resolve, reject });
      const size = Buffer.allocUnsafe(4);
      size.writeInt32BE(payload.length, 0);
      this.socket.cork();
      this.socket.write(size);
      this.socket.write(payload);
      this.socket.uncork();
    });
  }

  /**
   * Sends a request whose body is already encoded (shared and never copied: benches send the same
   * pre-encoded Produce body many times); only the header is written per request.
   */
  sendEncodedBody(apiKey: number, version: number, body: Buffer): Promise<Reader> {
    if (this.socket.destroyed) return Promise.reject(this.closeReason ?? new Error('connection is closed'));
    const correlationId = this.nextCorrelation++;
    const w = new Writer(64);
    w.int32(0);
    writeRequestHeader(w, requestHeaderVersion(apiKey, version), { apiKey, apiVersion: version, correlationId, clientId: 'vonnegut-wire' });
    const head = w.toBuffer();
    head.writeInt32BE(head.length - 4 + body.length, 0);
    return new Promise((resolve, reject) => {
      this.pending.push({ apiKey, version, correlationId, resolve, reject });
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(body);
      this.socket.uncork();
    });
  }

  /** Encodes a request header and body, sends it, and resolves with the response body reader. */
  send(apiKey: number, version: number, body: (w: Writer) => void, initialSize = 256): Promise<Reader> {
    const correlationId = this.nextCorrelation++;
    const w = new Writer(initialSize);
    writeRequestHeader(w, requestHeaderVersion(apiKey, version), { apiKey, apiVersion: version, correlationId, clientId: 'vonnegut-wire' });
    body(w);
    return this.sendFrame(apiKey, version, correlationId, w.toBuffer());
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
      records.length + 256,
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
    this.socket.destroy();
  }
}
