/**
 * TxnOffsetCommit: offsets committed inside the producer's open transaction; they are written to
 * `__consumer_offsets` now and become visible only when the transaction commits (groups/offset-store.ts).
 * One error code for the batch, as OffsetCommit; a partition that does not exist gets
 * UNKNOWN_TOPIC_OR_PARTITION and is not stored.
 * ACLs: Write on the TransactionalId (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition), Read on
 * the group (else GROUP_AUTHORIZATION_FAILED) and on each topic (else TOPIC_AUTHORIZATION_FAILED).
 */
import { decodeTxnOffsetCommitRequest, encodeTxnOffsetCommitResponse, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '../../protocol/apis/txn-offset-commit.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import { OFFSETS_TOPIC } from '../../groups/offset-records.ts';
import { fencedForVersion, type TransactionCoordinator } from '../../transactions/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';
import { planOffsetCommit } from './offset-commit-plan.ts';

/** Kafka answers a stale producer here with INVALID_PRODUCER_EPOCH at every version. */
const FENCED_FROM = Number.POSITIVE_INFINITY;

export function txnOffsetCommitHandler(txn: TransactionCoordinator, groups: GroupCoordinator, access: AccessControl, partitionCount: (topic: string) => number | undefined): ApiHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse> {
  return {
    decode: decodeTxnOffsetCommitRequest,
    encode: encodeTxnOffsetCommitResponse,
    async handle(req, ctx) {
      const idAllowed = access.transactionalId(ctx, 'write', req.transactionalId);
      const groupAllowed = idAllowed && access.group(ctx, 'read', req.groupId);
      const topicAllowed = req.topics.map((t) => groupAllowed && access.topic(ctx, 'read', t.name));
      let errorCode = !idAllowed ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code : groupAllowed ? await groups.ready() : ErrorCode.GROUP_AUTHORIZATION_FAILED.code;
      if (errorCode === 0) errorCode = await txn.ready();
      const plan = planOffsetCommit(req.topics, topicAllowed, partitionCount);
      if (errorCode === 0) {
        errorCode = await txn.withOpenTransaction(req.transactionalId, req.producerId, req.producerEpoch, OFFSETS_TOPIC,
          () => groups.offsets.commitTransactional(req.groupId, req.producerId, req.producerEpoch, plan.offsets));
        errorCode = fencedForVersion(errorCode, ctx.header.apiVersion, FENCED_FROM);
      }
      return { throttleTimeMs: 0, topics: plan.answer(errorCode) };
    },
  };
}
