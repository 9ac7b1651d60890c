/**
 * DescribeTransactions and ListTransactions (KIP-664): the coordinator's state of transactional ids, as
 * `kafka-transactions.sh describe` / `list` show it. An unknown id is TRANSACTIONAL_ID_NOT_FOUND.
 * ACLs, as Kafka: Describe on each TransactionalId; DescribeTransactions answers an id without it
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ListTransactions leaves such ids out.
 */
import { decodeDescribeTransactionsRequest, encodeDescribeTransactionsResponse, type DescribeTransactionsRequest, type DescribeTransactionsResponse, type DescribedTransaction } from '../../protocol/apis/describe-transactions.ts';
import { decodeListTransactionsRequest, encodeListTransactionsResponse, type ListTransactionsRequest, type ListTransactionsResponse } from '../../protocol/apis/list-transactions.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { TransactionCoordinator } from '../../transactions/coordinator.ts';
import { TxnStatus, txnStatusName, type TxnStatusName } from '../../transactions/txn-records.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

const failed = (transactionalId: string, errorCode: number): DescribedTransaction => ({
  errorCode, transactionalId, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, topics: [],
});

export function describeTransactionsHandler(txn: TransactionCoordinator, access: AccessControl): ApiHandler<DescribeTransactionsRequest, DescribeTransactionsResponse> {
  return {
    decode: decodeDescribeTransactionsRequest,
    encode: encodeDescribeTransactionsResponse,
    async handle(req, ctx) {
      const allowed = req.transactionalIds.map((id) => access.transactionalId(ctx, 'describe', id));
      const ready = allowed.some(Boolean) ? await txn.ready() : 0;
      return {
        throttleTimeMs: 0,
        transactionStates: req.transactionalIds.map((id, i) => {
          if (!allowed[i]) return failed(id, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code);
          if (ready !== 0) return failed(id, ready);
          const m = txn.store.get(id);
          if (!m) return failed(id, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND.code);
          return {
            errorCode: 0, transactionalId: id, transactionState: txnStatusName(m.status), transactionTimeoutMs: m.timeoutMs,
            transactionStartTimeMs: m.startMs, producerId: m.producerId, producerEpoch: m.producerEpoch,
            topics: [...m.partitions].map(([topic, partitions]) => ({ topic, partitions })),
          };
        }),
      };
    },
  };
}

export function listTransactionsHandler(txn: TransactionCoordinator, access: AccessControl, now: () => number = Date.now): ApiHandler<ListTransactionsRequest, ListTransactionsResponse> {
  return {
    decode: decodeListTransactionsRequest,
    encode: encodeListTransactionsResponse,
    async handle(req, ctx) {
      const errorCode = await txn.ready();
      const known = req.stateFilters.filter((s) => s in TxnStatus);
      const unknownStateFilters = req.stateFilters.filter((s) => !(s in TxnStatus));
      if (errorCode !== 0) return { throttleTimeMs: 0, errorCode, unknownStateFilters, transactionStates: [] };
      const transactionStates = [...txn.store.entries()]
        .filter(([id]) => access.transactionalId(ctx, 'describe', id, false))
        .filter(([, m]) => req.stateFilters.length === 0 || known.includes(txnStatusName(m.status) as TxnStatusName))
        .filter(([, m]) => req.producerIdFilters.length === 0 || req.producerIdFilters.includes(m.producerId))
        .filter(([, m]) => req.durationFilterMs < 0 || (m.startMs >= 0 && now() - m.startMs > req.durationFilterMs))
        .map(([transactionalId, m]) => ({ transactionalId, producerId: m.producerId, transactionState: txnStatusName(m.status) }));
      return { throttleTimeMs: 0, errorCode: 0, unknownStateFilters, transactionStates };
    },
  };
}
