import test from 'ava';
import { forEachResponseError } from '../../src/metrics/response-errors.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';

const collect = (res: unknown): string[] => {
  const found: string[] = [];
  forEachResponseError(res, (e) => found.push(e));
  return found.sort();
};

test('per-partition error codes of a produce response are counted by name, successes are not', (t) => {
  const res = {
    throttleTimeMs: 0,
    topics: [
      { name: 'a', partitions: [{ index: 0, errorCode: 0 }, { index: 1, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS.code }] },
      { name: 'b', partitions: [{ index: 0, errorCode: ErrorCode.NOT_ENOUGH_REPLICAS.code }, { index: 1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code }] },
    ],
  };
  t.deepEqual(collect(res), ['NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS', 'UNKNOWN_TOPIC_OR_PARTITION']);
});

test('a top-level error code counts; record buffers are not walked', (t) => {
  const records = Buffer.alloc(64, 0xff);
  t.deepEqual(collect({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND.code, topics: [{ partitions: [{ errorCode: 0, records }] }] }), ['GROUP_ID_NOT_FOUND']);
});

test('codes missing from the table get a code_N name; null and acks=0 responses count nothing', (t) => {
  t.deepEqual(collect({ errorCode: 9999 }), ['code_9999']);
  t.deepEqual(collect(null), []);
});
