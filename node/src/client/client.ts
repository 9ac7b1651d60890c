/**
 * The native vonnegut client, the TypeScript form of the original's client pool: writes go to the head
 * of the partition's chain (Metadata's leader), reads to its tail (the last replica), where committed
 * data is by definition. Many calls may run at once; each is one pipelined request on a pooled
 * connection.
 *
 *   const client = await createClient({ endpoints: 'srv:_kafka._tcp.vg.default.svc.cluster.local' });
 *   const { baseOffset } = await client.produce('events', ['a', 'b']);
 *   const { records } = await client.fetch('events', { offset: baseOffset });
 *   await client.close();
 *
 * Errors meaning "moved" (see retry.ts) refresh Metadata and retry with exponential backoff, up to
 * `retries` times; any other Kafka error rejects as a KafkaError carrying the code.
 *
 * Produces with acks=-1 are idempotent by default (Kafka's enable.idempotence): the client takes a
 * producer id (InitProducerId) and numbers each partition's records, so a batch retried after a lost
 * connection or a head that died between commit and answer is recognised by the (new) head and stored
 * once (idempotent-producer.ts holds that state). acks 0 and 1 (and `idempotent: false`) are
 * at-least-once.
 */
import type { CompressionName } from '../protocol/compression.ts';
import { initCompression } from '../protocol/compression.ts';
import type { DecodedRecord, RecordInput } from '../protocol/record-batch.ts';
import { encodeBatch } from './batch-encoder.ts';
import { IdempotentProducer } from './idempotent-producer.ts';
import { ClusterView, type PartitionRoute } from './cluster-view.ts';
import { parseEndpoints, resolveBootstrap } from './bootstrap.ts';
import { Connection, DEFAULT_REQUEST_TIMEOUT_MS, type ConnectionOptions } from './connection.ts';
import { ConnectionPool, DEFAULT_POOL_SIZE } from './pool.ts';
import { backoffMs, DEFAULT_BACKOFF_MS, DEFAULT_MAX_BACKOFF_MS, isRetriable } from './retry.ts';
import { createTopicsRequest, deleteTopicsRequest, initProducerIdRequest, listOffsetsRequest, metadataRequest, produceRequest } from './requests.ts';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from '../protocol/apis/list-offsets.ts';
import { decodeFetch, fetchPartition, fetchRaw, readRanges, type FetchOptions, type FetchResult, type RawFetch } from './fetch.ts';
import { codeError, requireRoute } from './routing.ts';
import { ErrorCode } from '../protocol/error-codes.ts';

/** Default retries of a "moved" failure before it surfaces. */
export const DEFAULT_RETRIES = 8;
/** How long UNKNOWN_TOPIC_OR_PARTITION counts as "not there yet" after this client created the topic. */
const NEW_TOPIC_GRACE_MS = 30_000;
/** Broker-side timeout sent with Produce (acks=-1 waits for the tail) and admin requests. */
const BROKER_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  /** `srv:RECORD`, a `host:port` list, or a DNS name (with port) whose A records are the nodes. */
  endpoints: string | readonly string[];
  /** `host:port` of the DNS server for SRV and name lookups (default: the system's). */
  dnsServer?: string;
  /** Connections per broker (default DEFAULT_POOL_SIZE). */
  poolSize?: number;
  clientId?: string;
  /** Retries of a "moved" failure (default DEFAULT_RETRIES). */
  retries?: number;
  /** Time a broker may take to answer (default DEFAULT_REQUEST_TIMEOUT_MS; Fetch adds its max wait). */
  requestTimeoutMs?: number;
  /** First retry backoff, doubled per attempt (default DEFAULT_BACKOFF_MS). */
  retryBackoffMs?: number;
  /** Ceiling of one backoff (default DEFAULT_MAX_BACKOFF_MS). */
  maxRetryBackoffMs?: number;
  /** Ask brokers to create topics on first produce, as Kafka producers do (default true). */
  autoCreateTopics?: boolean;
  /** Told about every failure that is about to be retried (for logs and tests). */
  onRetry?: (err: unknown, attempt: number) => void;
  /** TLS to every broker (true: verify against the system's roots; or `{ ca }` with a PEM bundle). */
  tls?: ConnectionOptions['tls'];
  /** SASL login on every connection. */
  sasl?: ConnectionOptions['sasl'];
  /** Exactly-once storage of acks=-1 produces across retries (default true); see the module comment. */
  idempotent?: boolean;
}

export interface ProduceOptions {
  /** Default 0. */
  partition?: number;
  /** -1 (default): answered once the tail has the batch; 1: once the head has it; 0: no answer. */
  acks?: -1 | 0 | 1;
  compression?: CompressionName;
}

export interface ProduceResult {
  partition: number;
  /** Offset of the first record; -1 with acks=0. */
  baseOffset: number;
}

export interface PartitionDescription {
  partition: number;
  errorCode: number;
  leader: string | undefined;
  tail: string | undefined;
  replicas: number[];
}

export interface TopicDescription {
  name: string;
  internal: boolean;
  partitions: PartitionDescription[];
}

export type { FetchOptions, FetchResult, DecodedRecord, RecordInput };

export interface Client {
  /** Appends values or records as one batch to one partition of `topic`, at the chain's head. */
  produce(topic: string, items: readonly (Buffer | string | RecordInput)[], opts?: ProduceOptions): Promise<ProduceResult>;
  /** Reads committed records from `offset` at the chain's tail. */
  fetch(topic: string, opts?: FetchOptions): Promise<FetchResult>;
  /**
   * Reads from `offset` up to `endOffset` (exclusive; default: the high-water mark at the first answer),
   * one result per Fetch, keeping up to two Fetches ahead while the caller handles the current one.
   */
  read(topic: string, opts?: FetchOptions & { endOffset?: number }): AsyncGenerator<FetchResult>;
  /** The first offset still stored and the high-water mark of one partition (default 0), asked at the tail. */
  offsets(topic: string, opts?: { partition?: number }): Promise<{ earliest: number; latest: number }>;
  /** Creates a topic (default one partition). */
  createTopic(name: string, opts?: { partitions?: number }): Promise<void>;
  /** Deletes a topic. */
  deleteTopic(name: string): Promise<void>;
  /** Names of all non-internal topics, sorted. */
  listTopics(): Promise<string[]>;
  /** Partitions, leaders (heads) and tails of some topics (default all), sorted by name. */
  describeTopics(names?: string[]): Promise<TopicDescription[]>;
  close(): Promise<void>;
}

/** Creates a client; no connection is opened until the first call. */
export async function createClient(opts: ClientOptions): Promise<Client> {
  await initCompression();
  const spec = parseEndpoints(opts.endpoints);
  const retries = opts.retries ?? DEFAULT_RETRIES;
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const autoCreate = opts.autoCreateTopics ?? true;
  const pool = new ConnectionPool(
    (host, port) => Connection.connect(host, port, {
      clientId: opts.clientId ?? 'vonnegut',
      requestTimeoutMs,
      ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
      ...(opts.sasl ? { sasl: opts.sasl } : {}),
    }),
    opts.poolSize ?? DEFAULT_POOL_SIZE,
  );
  const view = new ClusterView(
    async (address, topics, create) => (await pool.get(address)).request(metadataRequest(topics, create)),
    () => resolveBootstrap(spec, opts.dnsServer),
  );
  const createdAt = new Map<string, number>();
  const idempotent = opts.idempotent ?? true;

  /** Runs `op`, refreshing the view and backing off after each "moved" failure. */
  async function retrying<T>(topic: string | null, op: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await op();
      } catch (err) {
        const created = topic === null ? undefined : createdAt.get(topic);
        const topicMayAppear = created !== undefined && Date.now() - created < NEW_TOPIC_GRACE_MS;
        if (attempt >= retries || !isRetriable(err, { topicMayAppear })) throw err;
        opts.onRetry?.(err, attempt);
        await new Promise((r) => setTimeout(r, backoffMs(attempt, opts.retryBackoffMs ?? DEFAULT_BACKOFF_MS, opts.maxRetryBackoffMs ?? DEFAULT_MAX_BACKOFF_MS)));
        // A failed refresh is not fatal here: the next attempt meets the same trouble and is counted.
        await view.refresh().catch(() => undefined);
      }
    }
  }

  async function route(topic: string, partition: number, create: boolean): Promise<PartitionRoute> {
    if (!view.route(topic, partition)) await view.refreshTopics([topic], create);
    return requireRoute(view, topic, partition);
  }

  async function controller(): Promise<string> {
    const known = view.current.controller ?? (await view.refresh()).controller;
    if (!known) throw codeError(ErrorCode.LEADER_NOT_AVAILABLE.code, 'Metadata names no controller');
    return known;
  }

  /** Sends one encoded batch to the partition's head, retrying "moved" failures with the same bytes. */
  function sendBatch(topic: string, partition: number, batch: Buffer, acks: number): Promise<ProduceResult> {
    return retrying(topic, async () => {
      const r = await route(topic, partition, autoCreate);
      const conn = await pool.get(r.leader!);
      const req = produceRequest(topic, partition, batch, acks, BROKER_TIMEOUT_MS);
      if (acks === 0) {
        conn.send(req);
        return { partition, baseOffset: -1 };
      }
      const res = await conn.request(req);
      const p = res.topics[0]?.partitions[0];
      if (!p) throw codeError(ErrorCode.UNKNOWN_SERVER_ERROR.code, `empty Produce response from ${r.leader}`);
      if (p.errorCode !== 0) throw codeError(p.errorCode, `produce to ${topic}-${partition} at ${r.leader}${p.errorMessage ? `: ${p.errorMessage}` : ''}`);
      return { partition, baseOffset: p.baseOffset };
    });
  }

  const producer = new IdempotentProducer({
    initProducerId: () => retrying(null, async () => {
      const res = await (await pool.get(await controller())).request(initProducerIdRequest());
      if (res.errorCode !== 0) throw codeError(res.errorCode, 'InitProducerId');
      return { producerId: res.producerId, producerEpoch: res.producerEpoch };
    }),
    sendBatch: async (topic, partition, batch) => (await sendBatch(topic, partition, batch, -1)).baseOffset,
  });

  return {
    async produce(topic, items, produceOpts = {}) {
      const partition = produceOpts.partition ?? 0;
      const acks = produceOpts.acks ?? -1;
      const records = items.map((v): RecordInput => (typeof v === 'string' || Buffer.isBuffer(v) ? { value: v } : v));
      const compression = produceOpts.compression ?? 'none';
      if (idempotent && acks === -1) return { partition, baseOffset: await producer.produce(topic, partition, records, compression) };
      // Encoded once: a retry after "moved" sends the same bytes to the new head.
      return sendBatch(topic, partition, encodeBatch(records, compression), acks);
    },

    fetch(topic, fetchOpts = {}) {
      const partition = fetchOpts.partition ?? 0;
      return retrying(topic, async () => {
        const r = await route(topic, partition, false);
        return fetchPartition(await pool.get(r.tail!), r.tail!, topic, partition, fetchOpts);
      });
    },

    async *read(topic, readOpts = {}) {
      const partition = readOpts.partition ?? 0;
      const ask = (offset: number): Promise<RawFetch> => retrying(topic, async () => {
        const r = await route(topic, partition, false);
        return fetchRaw(await pool.get(r.tail!), r.tail!, topic, partition, { ...readOpts, offset });
      });
      for await (const raw of readRanges(ask, readOpts.offset ?? 0, readOpts.endOffset)) yield decodeFetch(raw, readOpts.checkCrcs ?? true);
    },

    offsets(topic, offsetOpts = {}) {
      const partition = offsetOpts.partition ?? 0;
      return retrying(topic, async () => {
        const r = await route(topic, partition, false);
        const conn = await pool.get(r.tail!);
        const ask = async (timestamp: number): Promise<number> => {
          const p = (await conn.request(listOffsetsRequest(topic, partition, timestamp))).topics[0]?.partitions[0];
          if (!p) throw codeError(ErrorCode.UNKNOWN_SERVER_ERROR.code, `empty ListOffsets response from ${r.tail}`);
          if (p.errorCode !== 0) throw codeError(p.errorCode, `offsets of ${topic}-${partition} at ${r.tail}`);
          return p.offset;
        };
        const [earliest, latest] = await Promise.all([ask(EARLIEST_TIMESTAMP), ask(LATEST_TIMESTAMP)]);
        return { earliest, latest };
      });
    },

    async createTopic(name, topicOpts = {}) {
      await retrying(null, async () => {
        const at = await controller();
        const res = await (await pool.get(at)).request(createTopicsRequest(name, topicOpts.partitions ?? 1, BROKER_TIMEOUT_MS));
        const t = res.topics[0];
        if (t && t.errorCode !== 0) throw codeError(t.errorCode, `create topic ${name}${t.errorMessage ? `: ${t.errorMessage}` : ''}`);
      });
      createdAt.set(name, Date.now());
    },

    async deleteTopic(name) {
      await retrying(null, async () => {
        const at = await controller();
        const res = await (await pool.get(at)).request(deleteTopicsRequest(name, BROKER_TIMEOUT_MS));
        const t = res.responses[0];
        if (t && t.errorCode !== 0) throw codeError(t.errorCode, `delete topic ${name}${t.errorMessage ? `: ${t.errorMessage}` : ''}`);
      });
      createdAt.delete(name);
      view.current.topics.delete(name);
    },

    async listTopics() {
      const snap = await retrying(null, () => view.refresh());
      return [...snap.topics.values()].filter((t) => !t.isInternal).map((t) => t.name).sort();
    },

    async describeTopics(names) {
      const snap = await retrying(null, () => view.refresh());
      const wanted = names ?? [...snap.topics.keys()];
      return wanted.sort().map((name): TopicDescription => {
        const t = snap.topics.get(name);
        if (!t) throw codeError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code, `no topic ${name}`);
        return {
          name,
          internal: t.isInternal,
          partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: p.errorCode, leader: p.leader, tail: p.tail, replicas: p.replicas })),
        };
      });
    },

    close: () => pool.close(),
  };
}
