/** ListOffsets: latest (-1) is the committed offset, earliest (-2) the log start, else by timestamp. */
import { decodeListOffsetsRequest, encodeListOffsetsResponse, type ListOffsetsRequest, type ListOffsetsResponse } from '../../protocol/apis/list-offsets.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Answers ListOffsets per partition. */
export function listOffsetsHandler(broker: Broker): ApiHandler<ListOffsetsRequest, ListOffsetsResponse> {
  return {
    decode: decodeListOffsetsRequest,
    encode: encodeListOffsetsResponse,
    async handle(req) {
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => {
            const r = broker.listOffset(t.name, p.partitionIndex, p.timestamp);
            return {
              partitionIndex: p.partitionIndex,
              errorCode: r.errorCode,
              oldStyleOffsets: r.errorCode === 0 && r.offset >= 0 ? [r.offset] : [],
              timestamp: r.timestamp,
              offset: r.offset,
              leaderEpoch: broker.chain.epoch,
            };
          }),
        })),
      };
    },
  };
}
