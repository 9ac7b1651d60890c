/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0, or (v3+, KIP-360) the same id
 * with the next epoch when a producer asks to bump its own. With a transactional id the transaction
 * coordinator answers (transactions/coordinator.ts): the id's producer id with a bumped epoch.
 * ACLs, as Kafka since KIP-679: IdempotentWrite on the cluster or Write on any topic, else
 * CLUSTER_AUTHORIZATION_FAILED.
 */
import { decodeInitProducerIdRequest, encodeInitProducerIdResponse, type InitProducerIdRequest, type InitProducerIdResponse } from '../../protocol/apis/init-producer-id.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { ProducerIdAllocator } from '../producer-ids.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';
import { fencedForVersion, type TransactionCoordinator } from '../../transactions/coordinator.ts';

/** First version whose clients understand PRODUCER_FENCED (KIP-588). */
const FENCED_FROM = 4;

/** The highest producer epoch; a producer that reaches it gets a new id instead. */
const MAX_EPOCH = 32767;

export function initProducerIdHandler(ids: ProducerIdAllocator, access: AccessControl, txn: TransactionCoordinator | null = null): ApiHandler<InitProducerIdRequest, InitProducerIdResponse> {
  return {
    decode: decodeInitProducerIdRequest,
    encode: encodeInitProducerIdResponse,
    async handle(req, ctx) {
      if (req.transactionalId !== null) {
        if (!txn || !access.transactionalId(ctx, 'write', req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code, producerId: -1, producerEpoch: -1 };
        const ready = await txn.ready();
        if (ready !== 0) return { throttleTimeMs: 0, errorCode: ready, producerId: -1, producerEpoch: -1 };
        const res = await txn.initProducerId(req.transactionalId, req.transactionTimeoutMs, req.producerId, req.producerEpoch);
        return { throttleTimeMs: 0, ...res, errorCode: fencedForVersion(res.errorCode, ctx.header.apiVersion, FENCED_FROM) };
      }
      if (!access.cluster(ctx, 'idempotent_write', false) && !access.any(ctx, 'write', 'topic')) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, producerId: -1, producerEpoch: -1 };
      }
      if (req.producerId >= 0 && req.producerEpoch >= 0 && req.producerEpoch < MAX_EPOCH) {
        return { throttleTimeMs: 0, errorCode: 0, producerId: req.producerId, producerEpoch: req.producerEpoch + 1 };
      }
      return { throttleTimeMs: 0, errorCode: 0, producerId: ids.next(), producerEpoch: 0 };
    },
  };
}
