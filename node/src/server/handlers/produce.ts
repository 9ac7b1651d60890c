/**
 * Produce: each partition is appended at the head and answered as `acks` asks (0: no response at all,
 * 1: after the local append, -1: after the chain's tail has it). Partitions fail independently.
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { decodeProduceRequest, encodeProduceResponse, type ProduceRequest, type ProduceResponse } from '../../protocol/apis/produce.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** Appends every partition's records concurrently; acks=0 sends nothing back. */
export function produceHandler(broker: Broker): ApiHandler<ProduceRequest, ProduceResponse> {
  return {
    decode: decodeProduceRequest,
    encode: encodeProduceResponse,
    async handle(req) {
      const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
      const topics = await Promise.all(
        req.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(
            t.partitions.map(async (p) => {
              const r = validAcks
                ? await broker.produce(t.name, p.index, p.records, req.acks, req.timeoutMs)
                : { errorCode: ErrorCode.INVALID_REQUIRED_ACKS.code, errorMessage: `acks must be 0, 1 or -1`, baseOffset: -1, logStartOffset: -1 };
              return {
                index: p.index,
                errorCode: r.errorCode,
                baseOffset: r.baseOffset,
                logAppendTimeMs: -1,
                logStartOffset: r.logStartOffset,
                recordErrors: [],
                errorMessage: r.errorCode === 0 ? null : r.errorMessage,
              };
            }),
          ),
        })),
      );
      return req.acks === 0 ? null : { topics, throttleTimeMs: 0 };
    },
  };
}
