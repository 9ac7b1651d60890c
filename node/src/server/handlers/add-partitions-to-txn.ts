/**
 * AddPartitionsToTxn: the producer names the partitions it is about to write in its transaction, so the
 * coordinator knows where to put the markers. One outcome for the whole request, as Kafka: a partition
 * that does not exist (UNKNOWN_TOPIC_OR_PARTITION) or may not be written (TOPIC_AUTHORIZATION_FAILED)
 * fails the request and every other partition gets OPERATION_NOT_ATTEMPTED. A partition may live on any
 * chain: the coordinator writes its marker through that chain's head (WriteTxnMarkers, server/txn-host.ts).
 * ACLs: Write on the TransactionalId (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition) and on each topic.
 */
import { decodeAddPartitionsToTxnRequest, encodeAddPartitionsToTxnResponse, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse } from '../../protocol/apis/add-partitions-to-txn.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { fencedForVersion, type TransactionCoordinator } from '../../transactions/coordinator.ts';
import type { AccessControl } from '../access-control.ts';
import type { ApiHandler } from '../router.ts';

/** First version whose clients understand PRODUCER_FENCED. */
const FENCED_FROM = 2;

export function addPartitionsToTxnHandler(txn: TransactionCoordinator, access: AccessControl, partitionCount: (topic: string) => number | undefined): ApiHandler<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> {
  return {
    decode: decodeAddPartitionsToTxnRequest,
    encode: encodeAddPartitionsToTxnResponse,
    async handle(req, ctx) {
      const problem = (topic: string, partition: number): number => {
        if (!access.topic(ctx, 'write', topic)) return ErrorCode.TOPIC_AUTHORIZATION_FAILED.code;
        const count = partitionCount(topic);
        return count === undefined || partition < 0 || partition >= count ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code : 0;
      };
      // Only the coordinator judges partitions: elsewhere the answer is NOT_COORDINATOR for all of them.
      let errorCode = access.transactionalId(ctx, 'write', req.transactionalId) ? await txn.ready() : ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code;
      const problems = req.topics.map((t) => t.partitions.map((p) => (errorCode === 0 ? problem(t.name, p) : 0)));
      const anyProblem = problems.flat().some((c) => c !== 0);
      if (errorCode === 0 && !anyProblem) {
        const partitions = req.topics.flatMap((t) => t.partitions.map((partition) => ({ topic: t.name, partition })));
        errorCode = fencedForVersion(await txn.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, partitions), ctx.header.apiVersion, FENCED_FROM);
      }
      return {
        throttleTimeMs: 0,
        results: req.topics.map((t, i) => ({
          name: t.name,
          results: t.partitions.map((partitionIndex, j) => ({
            partitionIndex,
            errorCode: anyProblem ? problems[i]![j]! || ErrorCode.OPERATION_NOT_ATTEMPTED.code : errorCode,
          })),
        })),
      };
    },
  };
}
