/**
 * Fetch (key 1), versions 0-16 (v12+ flexible; v13+ name topics by id, KIP-516).
 *
 *   Request v0-2  => replica_id:int32 max_wait_ms:int32 min_bytes:int32
 *                    [topic:string [partition:int32 fetch_offset:int64 partition_max_bytes:int32]]
 *   Request v3    => adds max_bytes:int32 after min_bytes
 *   Request v4    => adds isolation_level:int8 after max_bytes
 *   Request v5-6  => partitions add log_start_offset:int64 after fetch_offset
 *   Request v7-8  => adds session_id:int32 session_epoch:int32 after isolation_level;
 *                    forgotten_topics_data:[topic:string partitions:[int32]] after topics
 *   Request v9-10 => partitions add current_leader_epoch:int32 after partition
 *   Request v11   => adds rack_id:string at the end
 *   Request v12   => v11 flexible; partitions add last_fetched_epoch:int32 after fetch_offset
 *                    (tag 0 cluster_id is ignored)
 *   Request v13-14=> v12 with topic_id:uuid instead of topic:string, in topics and forgotten_topics_data
 *                    (v14 only adds OFFSET_MOVED_TO_TIERED_STORAGE, which a log without tiers never answers)
 *   Request v15-16=> v13 without replica_id (KIP-903): tag 1 replica_state = replica_id:int32
 *                    replica_epoch:int64 _tagged carries it, absent (-1) for consumers
 *
 *   Response v0   => [topic:string [partition_index:int32 error_code:int16 high_watermark:int64 records:nullable_bytes]]
 *   Response v1-3 => throttle_time_ms:int32 first
 *   Response v4   => partitions add last_stable_offset:int64 and, before records,
 *                    aborted_transactions:nullable [producer_id:int64 first_offset:int64]
 *   Response v5-6 => partitions add log_start_offset:int64 after last_stable_offset
 *   Response v7-10=> error_code:int16 session_id:int32 after throttle_time_ms
 *   Response v11  => partitions add preferred_read_replica:int32 before records (KIP-392)
 *   Response v12  => v11 flexible (tags 0-2 diverging epoch, current leader, snapshot are not written)
 *   Response v13-15=> v12 with topic_id:uuid instead of topic:string
 *   Response v16  => v13 (tag 0 node_endpoints, KIP-951's leader hints for NOT_LEADER answers, is not written)
 */
import { Reader } from '../reader.ts';
import { Writer } from '../writer.ts';
import { ZERO_UUID } from '../uuid.ts';
import {
  rArray, rInt32s, rNullableArray, rNullableBytes, rString, rTags,
  wArray, wInt32s, wNullableArray, wNullableBytes, wString, wTags,
} from './fields.ts';

/** Kafka's default max_bytes for versions that do not carry it. */
export const FETCH_MAX_BYTES_DEFAULT = 0x7fffffff;

export interface FetchPartition {
  partition: number;
  /** v9+; -1 = unknown. */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** v12+; -1 = unknown. */
  lastFetchedEpoch: number;
  /** v5+; -1 from consumers. */
  logStartOffset: number;
  partitionMaxBytes: number;
}

export interface FetchTopic {
  /** Below v13; '' in v13+ requests until the handler resolves `topicId`. */
  topic: string;
  /** v13+ (KIP-516); absent below. */
  topicId?: Buffer;
  partitions: FetchPartition[];
}

export interface ForgottenTopic {
  /** Below v13. */
  topic: string;
  /** v13+; absent below. */
  topicId?: Buffer;
  partitions: number[];
}

export interface FetchRequest {
  /** -1 for consumers (v15+: from the replica_state tag, -1 when absent). */
  replicaId: number;
  /** v15+ replica_state's epoch, when a replica sent one. */
  replicaEpoch?: number;
  maxWaitMs: number;
  minBytes: number;
  /** v3+. */
  maxBytes: number;
  /** v4+: 0 read_uncommitted, 1 read_committed. */
  isolationLevel: number;
  /** v7+ fetch sessions (KIP-227). */
  sessionId: number;
  sessionEpoch: number;
  topics: FetchTopic[];
  /** v7+. */
  forgottenTopicsData: ForgottenTopic[];
  /** v11+. */
  rackId: string;
}

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export interface FetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  /** v4+. */
  lastStableOffset: number;
  /** v5+. */
  logStartOffset: number;
  /** v4+. */
  abortedTransactions: AbortedTransaction[] | null;
  /** v11+; -1 = read from the leader. */
  preferredReadReplica: number;
  records: Buffer | null;
}

export interface FetchTopicResponse {
  /** Below v13. */
  topic: string;
  /** v13+; absent below. */
  topicId?: Buffer;
  partitions: FetchPartitionData[];
}

export interface FetchResponse {
  /** v1+. */
  throttleTimeMs: number;
  /** v7+. */
  errorCode: number;
  /** v7+. */
  sessionId: number;
  topics: FetchTopicResponse[];
}

const flexible = (version: number): boolean => version >= 12;
/** Versions that name topics by id instead of by name. */
const byId = (version: number): boolean => version >= 13;
/** Request tag carrying replica_state from v15 (KIP-903). */
const REPLICA_STATE_TAG = 1;

function rTopic(r: Reader, version: number, flex: boolean): { topic: string; topicId?: Buffer } {
  return byId(version) ? { topic: '', topicId: r.uuid() } : { topic: rString(r, flex) };
}

function wTopic(w: Writer, version: number, flex: boolean, t: { topic: string; topicId?: Buffer }): void {
  if (byId(version)) w.uuid(t.topicId ?? ZERO_UUID);
  else wString(w, flex, t.topic);
}

/** Decodes a Fetch request body. */
export function decodeFetchRequest(r: Reader, version: number): FetchRequest {
  const flex = flexible(version);
  let replicaId = version < 15 ? r.int32() : -1;
  let replicaEpoch: number | undefined;
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = version >= 3 ? r.int32() : FETCH_MAX_BYTES_DEFAULT;
  const isolationLevel = version >= 4 ? r.int8() : 0;
  const sessionId = version >= 7 ? r.int32() : 0;
  const sessionEpoch = version >= 7 ? r.int32() : -1;
  const topics = rArray(r, flex, (x): FetchTopic => {
    const named = rTopic(x, version, flex);
    const partitions = rArray(x, flex, (y): FetchPartition => {
      const partition = y.int32();
      const currentLeaderEpoch = version >= 9 ? y.int32() : -1;
      const fetchOffset = y.int64n();
      const lastFetchedEpoch = version >= 12 ? y.int32() : -1;
      const logStartOffset = version >= 5 ? y.int64n() : -1;
      const partitionMaxBytes = y.int32();
      rTags(y, flex);
      return { partition, currentLeaderEpoch, fetchOffset, lastFetchedEpoch, logStartOffset, partitionMaxBytes };
    });
    rTags(x, flex);
    return { ...named, partitions };
  });
  const forgottenTopicsData =
    version >= 7
      ? rArray(r, flex, (x): ForgottenTopic => {
          const f = { ...rTopic(x, version, flex), partitions: rInt32s(x, flex) };
          rTags(x, flex);
          return f;
        })
      : [];
  const rackId = version >= 11 ? rString(r, flex) : '';
  if (flex) {
    const state = r.taggedFields().get(REPLICA_STATE_TAG);
    if (state && version >= 15) {
      const s = new Reader(state);
      replicaId = s.int32();
      replicaEpoch = s.int64n();
    }
  }
  return {
    replicaId, ...(replicaEpoch !== undefined && { replicaEpoch }), maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics, forgottenTopicsData, rackId,
  };
}

/** Encodes a Fetch request body. */
export function encodeFetchRequest(w: Writer, version: number, req: FetchRequest): void {
  const flex = flexible(version);
  if (version < 15) w.int32(req.replicaId);
  w.int32(req.maxWaitMs).int32(req.minBytes);
  if (version >= 3) w.int32(req.maxBytes);
  if (version >= 4) w.int8(req.isolationLevel);
  if (version >= 7) w.int32(req.sessionId).int32(req.sessionEpoch);
  wArray(w, flex, req.topics, (x, t) => {
    wTopic(x, version, flex, t);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partition);
      if (version >= 9) y.int32(p.currentLeaderEpoch);
      y.int64(p.fetchOffset);
      if (version >= 12) y.int32(p.lastFetchedEpoch);
      if (version >= 5) y.int64(p.logStartOffset);
      y.int32(p.partitionMaxBytes);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  if (version >= 7) {
    wArray(w, flex, req.forgottenTopicsData, (x, f) => {
      wTopic(x, version, flex, f);
      wInt32s(x, flex, f.partitions);
      wTags(x, flex);
    });
  }
  if (version >= 11) wString(w, flex, req.rackId);
  if (version >= 15 && req.replicaId !== -1) {
    const state = new Writer(16).int32(req.replicaId).int64(req.replicaEpoch ?? -1).taggedFields().toBuffer();
    w.taggedFields(new Map([[REPLICA_STATE_TAG, state]]));
  } else {
    wTags(w, flex);
  }
}

/** Encodes a Fetch response body. */
export function encodeFetchResponse(w: Writer, version: number, res: FetchResponse): void {
  const flex = flexible(version);
  if (version >= 1) w.int32(res.throttleTimeMs);
  if (version >= 7) w.int16(res.errorCode).int32(res.sessionId);
  wArray(w, flex, res.topics, (x, t) => {
    wTopic(x, version, flex, t);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partitionIndex).int16(p.errorCode).int64(p.highWatermark);
      if (version >= 4) y.int64(p.lastStableOffset);
      if (version >= 5) y.int64(p.logStartOffset);
      if (version >= 4) {
        wNullableArray(y, flex, p.abortedTransactions, (z, a) => {
          z.int64(a.producerId).int64(a.firstOffset);
          wTags(z, flex);
        });
      }
      if (version >= 11) y.int32(p.preferredReadReplica);
      wNullableBytes(y, flex, p.records);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

/** Decodes a Fetch response body. */
export function decodeFetchResponse(r: Reader, version: number): FetchResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  const errorCode = version >= 7 ? r.int16() : 0;
  const sessionId = version >= 7 ? r.int32() : 0;
  const topics = rArray(r, flex, (x): FetchTopicResponse => {
    const named = rTopic(x, version, flex);
    const partitions = rArray(x, flex, (y): FetchPartitionData => {
      const partitionIndex = y.int32();
      const errorCode = y.int16();
      const highWatermark = y.int64n();
      const lastStableOffset = version >= 4 ? y.int64n() : -1;
      const logStartOffset = version >= 5 ? y.int64n() : -1;
      const abortedTransactions =
        version >= 4
          ? rNullableArray(y, flex, (z): AbortedTransaction => {
              const a = { producerId: z.int64n(), firstOffset: z.int64n() };
              rTags(z, flex);
              return a;
            })
          : null;
      const preferredReadReplica = version >= 11 ? y.int32() : -1;
      const records = rNullableBytes(y, flex);
      rTags(y, flex);
      return {
        partitionIndex, errorCode, highWatermark, lastStableOffset, logStartOffset, abortedTransactions,
        preferredReadReplica, records,
      };
    });
    rTags(x, flex);
    return { ...named, partitions };
  });
  rTags(r, flex);
  return { throttleTimeMs, errorCode, sessionId, topics };
}
