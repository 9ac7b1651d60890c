/**
 * Produce: each partition is appended at the head and answered as `acks` asks (0: no response at all,
 * 1: after the local append, -1: after the chain's tail has it). Partitions fail independently.
 * ACLs: Write on the topic, else TOPIC_AUTHORIZATION_FAILED for each of its partitions; creating a
 * missing topic on first use also needs Create on the topic or the cluster. zstd batches need Produce v7+
 * (UNSUPPORTED_COMPRESSION_TYPE below, as Kafka: older clients cannot have negotiated it). Records a
 * topic's config refuses (keyless on a compacted topic) answer INVALID_RECORD with record_errors (v8+).
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { hasZstdBatch } from '../../protocol/record-batch.ts';
import { decodeProduceRequest, encodeProduceResponse, type ProduceRequest, type ProduceResponse } from '../../protocol/apis/produce.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker, ProduceResult } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Appends every partition's records concurrently; acks=0 sends nothing back. */
export function produceHandler(broker: Broker, access: AccessControl): ApiHandler<ProduceRequest, ProduceResponse> {
  return {
    decode: decodeProduceRequest,
    encode: encodeProduceResponse,
    async handle(req, ctx) {
      const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
      // A transactional produce needs Write on its TransactionalId too (Kafka's check, before the topics').
      const idRefused = req.transactionalId !== null && !access.transactionalId(ctx, 'write', req.transactionalId);
      const topics = await Promise.all(
        req.topics.map(async (t) => {
          const refused = !validAcks ? INVALID_ACKS : idRefused ? TXN_ID_REFUSED : !access.topic(ctx, 'write', t.name) ? unauthorized(t.name) : null;
          // Create is asked only for a topic this node does not know, so existing topics cost one check.
          const mayCreate = refused !== null || broker.partitionCount(t.name) !== undefined || access.createTopic(ctx, t.name);
          const partitions = await Promise.all(t.partitions.map(async (p) => {
            const zstdTooEarly = ctx.header.apiVersion < 7 && p.records !== null && hasZstdBatch(p.records);
            const r = refused ?? (zstdTooEarly ? ZSTD_BEFORE_V7 : null) ?? await broker.produce(t.name, p.index, p.records, req.acks, req.timeoutMs, mayCreate);
            // Before v8 (no record_errors) Kafka reports a refused record as CORRUPT_MESSAGE.
            const errorCode = r.errorCode === ErrorCode.INVALID_RECORD.code && ctx.header.apiVersion < 8 ? ErrorCode.CORRUPT_MESSAGE.code : r.errorCode;
            return {
              index: p.index,
              errorCode,
              baseOffset: r.baseOffset,
              logAppendTimeMs: r.logAppendTimeMs ?? -1,
              logStartOffset: r.logStartOffset,
              recordErrors: r.recordErrors ?? [],
              errorMessage: r.errorCode === 0 ? null : r.errorMessage,
            };
          }));
          return { name: t.name, partitions };
        }),
      );
      return req.acks === 0 ? null : { topics, throttleTimeMs: 0 };
    },
  };
}

const INVALID_ACKS: ProduceResult = { errorCode: ErrorCode.INVALID_REQUIRED_ACKS.code, errorMessage: 'acks must be 0, 1 or -1', baseOffset: -1, logStartOffset: -1 };

const TXN_ID_REFUSED: ProduceResult = { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code, errorMessage: 'not authorized to use this transactional id', baseOffset: -1, logStartOffset: -1 };

const ZSTD_BEFORE_V7: ProduceResult = { errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE.code, errorMessage: 'zstd needs Produce v7 or later', baseOffset: -1, logStartOffset: -1 };

function unauthorized(topic: string): ProduceResult {
  return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, errorMessage: `not authorized to write to topic ${topic}`, baseOffset: -1, logStartOffset: -1 };
}
