/**
 * ListOffsets: latest (-1) is the committed offset (isolation_level 1, read_committed: the last stable
 * offset), earliest (-2) the log start, else by timestamp.
 * ACLs: Describe on the topic, else TOPIC_AUTHORIZATION_FAILED for each of its partitions.
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeListOffsetsRequest, encodeListOffsetsResponse, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/apis/list-offsets.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Answers ListOffsets per partition. */
export function listOffsetsHandler(broker: Broker, access: AccessControl): ApiHandler<ListOffsetsRequest, ListOffsetsResponse> {
  return {
    decode: decodeListOffsetsRequest,
    encode: encodeListOffsetsResponse,
    async handle(req, ctx) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => {
          const allowed = access.topic(ctx, 'describe', t.name);
          const partitions = t.partitions.map((p) => {
            const r = allowed ? broker.listOffset(t.name, p.partitionIndex, p.timestamp, req.isolationLevel === 1) : UNAUTHORIZED;
            return {
              partitionIndex: p.partitionIndex,
              errorCode: r.errorCode,
              oldStyleOffsets: r.errorCode === 0 && r.offset >= 0 ? [r.offset] : [],
              timestamp: r.timestamp,
              offset: r.offset,
              leaderEpoch: broker.chain.epoch,
            };
          });
          return { name: t.name, partitions };
        }),
      };
    },
  };
}

const UNAUTHORIZED = { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, offset: -1, timestamp: -1 };
