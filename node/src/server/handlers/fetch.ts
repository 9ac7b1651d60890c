/**
 * Fetch: reads bounded by the committed offset, long-polling until min_bytes or max_wait_ms, within the
 * request's max_bytes (v3+) and each partition's max bytes. Versions below 4 get MessageSets (magic 0
 * for v0-1, magic 1 for v2-3), because clients of that era reject RecordBatch v2.
 *
 * isolation_level read_committed (v4+) reads up to the last stable offset and lists the aborted
 * transactions in what it returns (KIP-98); read_uncommitted reads up to the high watermark.
 *
 * Fetch sessions (v7+) are not kept: we answer session id 0, which tells clients to send full requests
 * (KIP-227's "sessionless" mode), so no state has to survive between requests.
 *
 * Topic ids (v13+, KIP-516): each topic is named by its id; an id no topic has answers UNKNOWN_TOPIC_ID for
 * each of its partitions (the client refreshes its metadata), and answers carry the id back.
 *
 * ACLs: Read on the topic, else TOPIC_AUTHORIZATION_FAILED for each of its partitions, which are then
 * not read at all (nor waited for).
 *
 * KIP-392 (v11+): a consumer (replica_id -1) fetching at a chain's head is sent to the tail: the
 * partition answers preferred_read_replica = the tail's broker id with its offsets and no records (as
 * Kafka's leader does; librdkafka skips records in such an answer), and the request does not long-poll.
 * librdkafka and kafkajs then fetch at the tail, and go back to the leader when the tail fails. Every
 * member serves committed reads, so a client that ignores the field reads at the head as before.
 */
import { decodeFetchRequest, encodeFetchResponse, type FetchRequest, type FetchResponse } from '../../protocol/apis/fetch.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker, FetchPartitionResult, FetchSpec } from '../broker.ts';
import { toMessageSet } from '../down-convert.ts';
import type { ApiHandler } from '../router.ts';
import { fetchReadPool } from '../../protocol/frame-pool.ts';

/** Kafka's fetch.max.bytes default, used for versions without a request-wide limit. */
const DEFAULT_FETCH_MAX_BYTES = 50 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** isolation_level 1 (v4+): read only up to the last stable offset, and learn which transactions aborted. */
const READ_COMMITTED = 1;

/** Serves Fetch from the committed prefix of each partition. */
export function fetchHandler(broker: Broker, access: AccessControl): ApiHandler<FetchRequest, FetchResponse> {
  return {
    decode: decodeFetchRequest,
    encode: encodeFetchResponse,
    async handle(req, ctx) {
      const version = ctx.header.apiVersion;
      // v13+: names from ids; '' for an unknown id, which fails below before any ACL or log is asked.
      const topics = req.topics.map((t) => (t.topicId === undefined ? t : { ...t, topic: broker.directory.topicById(t.topicId) ?? '' }));
      const known = topics.map((t) => t.topicId === undefined || t.topic !== '');
      const allowed = topics.map((t, i) => known[i]! && access.topic(ctx, 'read', t.topic));
      // Per topic: the tail a consumer should read at instead (KIP-392), or -1.
      const readAt = topics.map((t, i) => (allowed[i] && version >= 11 && req.replicaId === -1 ? broker.readReplicaFor(t.topic) : -1));
      const redirected = readAt.some((id) => id >= 0);
      const specs: FetchSpec[] = topics.flatMap((t, i) => (allowed[i]
        // A redirected partition reads nothing here, only its offsets.
        ? t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.fetchOffset, maxBytes: readAt[i]! >= 0 ? 0 : p.partitionMaxBytes }))
        : []));
      const results = await broker.fetch(specs, {
        maxBytes: version >= 3 ? req.maxBytes : DEFAULT_FETCH_MAX_BYTES,
        minBytes: req.minBytes,
        // Kafka's leader answers at once when it names a preferred replica: the client must go there now.
        maxWaitMs: redirected ? 0 : req.maxWaitMs,
        readCommitted: version >= 4 && req.isolationLevel === READ_COMMITTED,
        // Recycled: the connection gives them back once the socket has taken the response.
        alloc: takeFetchBuffer,
      });
      let i = 0;
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        topics: topics.map((t, ti) => ({
          topic: t.topic,
          ...(t.topicId !== undefined && { topicId: t.topicId }),
          partitions: t.partitions.map((p) => {
            const r = allowed[ti] ? results[i++]! : known[ti] ? UNAUTHORIZED : UNKNOWN_ID;
            // Empty is a zero-length records field, never null: librdkafka rejects a -1 size.
            let records = r.records ?? EMPTY;
            if (records.length > 0 && version < 4) records = toMessageSet(records, version < 2 ? 0 : 1);
            return {
              partitionIndex: p.partition,
              errorCode: r.errorCode,
              highWatermark: r.highWatermark,
              lastStableOffset: r.lastStableOffset,
              logStartOffset: r.logStartOffset,
              abortedTransactions: version >= 4 ? (r.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })) : null,
              // Only with a clean answer: an error (e.g. OFFSET_OUT_OF_RANGE) is the leader's to report.
              preferredReadReplica: r.errorCode === 0 ? readAt[ti]! : -1,
              records,
            };
          }),
        })),
      };
    },
  };
}

const takeFetchBuffer = (size: number): Buffer => fetchReadPool.take(size);
const failed = (errorCode: number): FetchPartitionResult => ({ errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: null, abortedTransactions: null });
const UNAUTHORIZED = failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);
const UNKNOWN_ID = failed(ErrorCode.UNKNOWN_TOPIC_ID.code);
