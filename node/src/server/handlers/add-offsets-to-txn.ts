/**
 * AddOffsetsToTxn: the producer will commit a group's offsets in its transaction (TxnOffsetCommit), so
 * the offsets partition joins the transaction and gets its marker at EndTxn.
 * ACLs: Write on the TransactionalId (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED), then Read on the group
 * (else GROUP_AUTHORIZATION_FAILED), in Kafka's order.
 */
import { decodeAddOffsetsToTxnRequest, encodeTxnErrorResponse, type AddOffsetsToTxnRequest, type TxnErrorResponse } from '../../protocol/apis/add-offsets-to-txn.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import { OFFSETS_TOPIC } from '../../groups/offset-records.ts';
import { fencedForVersion, type TransactionCoordinator } from '../../transactions/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

const FENCED_FROM = 2;

export function addOffsetsToTxnHandler(txn: TransactionCoordinator, groups: GroupCoordinator, access: AccessControl): ApiHandler<AddOffsetsToTxnRequest, TxnErrorResponse> {
  return {
    decode: decodeAddOffsetsToTxnRequest,
    encode: encodeTxnErrorResponse,
    async handle(req, ctx) {
      if (!access.transactionalId(ctx, 'write', req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code };
      if (!access.group(ctx, 'read', req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED.code };
      // The group coordinator's readiness creates the offsets topic the marker will go to.
      let errorCode = await groups.ready();
      if (errorCode === 0) errorCode = await txn.ready();
      if (errorCode === 0) {
        errorCode = await txn.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [{ topic: OFFSETS_TOPIC, partition: 0 }]);
      }
      return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.header.apiVersion, FENCED_FROM) };
    },
  };
}
