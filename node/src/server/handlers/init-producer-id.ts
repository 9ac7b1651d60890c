/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0, or (v3+, KIP-360) the same id
 * with the next epoch when a producer asks to bump its own. Transactions are not implemented: a
 * transactional id is refused, so clients fail clearly instead of believing they have transactions.
 * ACLs, as Kafka since KIP-679: IdempotentWrite on the cluster or Write on any topic, else
 * CLUSTER_AUTHORIZATION_FAILED.
 */
import { decodeInitProducerIdRequest, encodeInitProducerIdResponse, type InitProducerIdRequest, type InitProducerIdResponse } from '../../protocol/apis/init-producer-id.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { ProducerIdAllocator } from '../producer-ids.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

/** The highest producer epoch; a producer that reaches it gets a new id instead. */
const MAX_EPOCH = 32767;

export function initProducerIdHandler(ids: ProducerIdAllocator, access: AccessControl): ApiHandler<InitProducerIdRequest, InitProducerIdResponse> {
  return {
    decode: decodeInitProducerIdRequest,
    encode: encodeInitProducerIdResponse,
    async handle(req, ctx) {
      if (req.transactionalId !== null) {
        return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code, producerId: -1, producerEpoch: -1 };
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
