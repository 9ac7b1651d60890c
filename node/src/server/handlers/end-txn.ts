/**
 * EndTxn: commits or aborts the producer's transaction. Answered once every partition holds its marker
 * and the coordinator has logged the transaction complete (transactions/coordinator.ts).
 * ACLs: Write on the TransactionalId, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
import { encodeTxnErrorResponse, type TxnErrorResponse } from '../../protocol/apis/add-offsets-to-txn.ts';
import { decodeEndTxnRequest, type EndTxnRequest } from '../../protocol/apis/end-txn.ts';
import { fencedForVersion, type TransactionCoordinator } from '../../transactions/coordinator.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

const FENCED_FROM = 2;

export function endTxnHandler(txn: TransactionCoordinator, access: AccessControl): ApiHandler<EndTxnRequest, TxnErrorResponse> {
  return {
    decode: decodeEndTxnRequest,
    encode: encodeTxnErrorResponse,
    async handle(req, ctx) {
      let errorCode = access.transactionalId(ctx, 'write', req.transactionalId) ? await txn.ready() : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code;
      if (errorCode === 0) errorCode = await txn.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
      return { throttleTimeMs: 0, errorCode: fencedForVersion(errorCode, ctx.header.apiVersion, FENCED_FROM) };
    },
  };
}
