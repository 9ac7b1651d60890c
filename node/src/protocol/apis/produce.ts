/**
 * Produce (key 0), versions 0-9 in this codec (vonnegut advertises what api-keys.ts says); 9 is flexible.
 *
 *   Request v0-2  => acks:int16 timeout_ms:int32 [topic: name:string [partition: index:int32 records:nullable_bytes]]
 *   Request v3-8  => transactional_id:nullable_string acks timeout_ms [topics...]
 *   Request v9    => v3, flexible
 *
 *   Response v0   => [topic: name:string [partition: index:int32 error_code:int16 base_offset:int64]]
 *   Response v1   => v0 throttle_time_ms:int32 (at the end)
 *   Response v2-4 => partitions add log_append_time_ms:int64
 *   Response v5-7 => partitions add log_start_offset:int64
 *   Response v8   => partitions add record_errors:[batch_index:int32 batch_index_error_message:nullable_string]
 *                    error_message:nullable_string
 *   Response v9   => v8, flexible
 *
 * `records` stays raw bytes (a RecordBatch v2 sequence, or a MessageSet for magic 0/1): record-batch.ts
 * and message-set.ts own their decoding. v3+ requires magic 2; the server checks that, not the codec.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import {
  rArray, rNullableBytes, rNullableString, rString, rTags,
  wArray, wNullableBytes, wNullableString, wString, wTags,
} from './fields.ts';

export interface ProducePartitionData {
  index: number;
  records: Buffer | null;
}

export interface ProduceTopicData {
  name: string;
  partitions: ProducePartitionData[];
}

export interface ProduceRequest {
  /** v3+. */
  transactionalId: string | null;
  /** 0 = no response, 1 = leader, -1 = all (chain tail). */
  acks: number;
  timeoutMs: number;
  topics: ProduceTopicData[];
}

export interface ProduceRecordError {
  batchIndex: number;
  message: string | null;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  /** v2+; -1 unless the topic uses LogAppendTime. */
  logAppendTimeMs: number;
  /** v5+. */
  logStartOffset: number;
  /** v8+. */
  recordErrors: ProduceRecordError[];
  /** v8+. */
  errorMessage: string | null;
}

export interface ProduceTopicResponse {
  name: string;
  partitions: ProducePartitionResponse[];
}

export interface ProduceResponse {
  topics: ProduceTopicResponse[];
  /** v1+. */
  throttleTimeMs: number;
}

const flexible = (version: number): boolean => version >= 9;

/** Decodes a Produce request body. */
export function decodeProduceRequest(r: Reader, version: number): ProduceRequest {
  const flex = flexible(version);
  const transactionalId = version >= 3 ? rNullableString(r, flex) : null;
  const acks = r.int16();
  const timeoutMs = r.int32();
  const topics = rArray(r, flex, (x): ProduceTopicData => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y): ProducePartitionData => {
      const index = y.int32();
      const records = rNullableBytes(y, flex);
      rTags(y, flex);
      return { index, records };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { transactionalId, acks, timeoutMs, topics };
}

/** Encodes a Produce request body. */
export function encodeProduceRequest(w: Writer, version: number, req: ProduceRequest): void {
  const flex = flexible(version);
  if (version >= 3) wNullableString(w, flex, req.transactionalId);
  w.int16(req.acks).int32(req.timeoutMs);
  wArray(w, flex, req.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.index);
      wNullableBytes(y, flex, p.records);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

/** Encodes a Produce response body. */
export function encodeProduceResponse(w: Writer, version: number, res: ProduceResponse): void {
  const flex = flexible(version);
  wArray(w, flex, res.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
      if (version >= 2) y.int64(p.logAppendTimeMs);
      if (version >= 5) y.int64(p.logStartOffset);
      if (version >= 8) {
        wArray(y, flex, p.recordErrors, (z, e) => {
          z.int32(e.batchIndex);
          wNullableString(z, flex, e.message);
          wTags(z, flex);
        });
        wNullableString(y, flex, p.errorMessage);
      }
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  if (version >= 1) w.int32(res.throttleTimeMs);
  wTags(w, flex);
}

/** Decodes a Produce response body. */
export function decodeProduceResponse(r: Reader, version: number): ProduceResponse {
  const flex = flexible(version);
  const topics = rArray(r, flex, (x): ProduceTopicResponse => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y): ProducePartitionResponse => {
      const index = y.int32();
      const errorCode = y.int16();
      const baseOffset = y.int64n();
      const logAppendTimeMs = version >= 2 ? y.int64n() : -1;
      const logStartOffset = version >= 5 ? y.int64n() : -1;
      let recordErrors: ProduceRecordError[] = [];
      let errorMessage: string | null = null;
      if (version >= 8) {
        recordErrors = rArray(y, flex, (z) => {
          const e = { batchIndex: z.int32(), message: rNullableString(z, flex) };
          rTags(z, flex);
          return e;
        });
        errorMessage = rNullableString(y, flex);
      }
      rTags(y, flex);
      return { index, errorCode, baseOffset, logAppendTimeMs, logStartOffset, recordErrors, errorMessage };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  rTags(r, flex);
  return { topics, throttleTimeMs };
}
