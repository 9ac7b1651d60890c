/** Byte layouts checked by hand against Kafka's protocol guide (kafka.apache.org/protocol). */
import test from 'ava';
import { Writer } from '../../src/protocol/writer.ts';
import { encodeApiVersionsResponse } from '../../src/protocol/apis/api-versions.ts';
import { encodeMetadataRequest } from '../../src/protocol/apis/metadata.ts';
import { encodeProduceResponse } from '../../src/protocol/apis/produce.ts';
import { encodeListOffsetsRequest } from '../../src/protocol/apis/list-offsets.ts';
import { encodeDeleteTopicsResponse } from '../../src/protocol/apis/delete-topics.ts';
import { encodeFetchResponse } from '../../src/protocol/apis/fetch.ts';

const hex = (f: (w: Writer) => void): string => {
  const w = new Writer();
  f(w);
  return w.toBuffer().toString('hex');
};

test('ApiVersions v0 UNSUPPORTED_VERSION answer', (t) => {
  const got = hex((w) => encodeApiVersionsResponse(w, 0, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 }));
  t.is(got, '0023' + '00000001' + '0012' + '0000' + '0003');
});

test('ApiVersions v3 uses compact arrays and tagged fields, throttle after the array', (t) => {
  const got = hex((w) => encodeApiVersionsResponse(w, 3, { errorCode: 0, apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 8 }], throttleTimeMs: 1 }));
  t.is(got, '0000' + '02' + '0000' + '0000' + '0008' + '00' + '00000001' + '00');
});

test('Metadata v0 request is a bare string array; v1 null means all topics', (t) => {
  const req = { topics: [{ topicId: Buffer.alloc(16), name: 'ab' }], allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  t.is(hex((w) => encodeMetadataRequest(w, 0, req)), '00000001' + '0002' + '6162');
  t.is(hex((w) => encodeMetadataRequest(w, 1, { ...req, topics: null })), 'ffffffff');
  t.is(hex((w) => encodeMetadataRequest(w, 4, { ...req, topics: null })), 'ffffffff' + '01');
  t.is(hex((w) => encodeMetadataRequest(w, 9, { ...req, topics: null })), '00' + '01' + '00' + '00' + '00');
});

test('Produce v2 response: log_append_time after base_offset, throttle at the end', (t) => {
  const got = hex((w) => encodeProduceResponse(w, 2, { throttleTimeMs: 0x10, topics: [{ name: 't', partitions: [
    { index: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null },
  ] }] }));
  t.is(got, '00000001' + '000174' + '00000001' + '00000000' + '0000' + '0000000000000005' + 'ffffffffffffffff' + '00000010');
});

test('ListOffsets v0 request carries max_num_offsets', (t) => {
  const got = hex((w) => encodeListOffsetsRequest(w, 0, { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [
    { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 },
  ] }] }));
  t.is(got, 'ffffffff' + '00000001' + '000174' + '00000001' + '00000000' + 'fffffffffffffffe' + '00000001');
});

test('DeleteTopics v1 response puts throttle first', (t) => {
  t.is(hex((w) => encodeDeleteTopicsResponse(w, 1, { throttleTimeMs: 0, responses: [{ name: 't', errorCode: 3, errorMessage: null }] })),
    '00000000' + '00000001' + '000174' + '0003');
});

test('Fetch v11 response: preferred_read_replica sits just before records', (t) => {
  const got = hex((w) => encodeFetchResponse(w, 11, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, topics: [{ topic: 't', partitions: [{
    partitionIndex: 0, errorCode: 0, highWatermark: 1, lastStableOffset: 1, logStartOffset: 0,
    abortedTransactions: null, preferredReadReplica: 2, records: null,
  }] }] }));
  t.is(got, '00000000' + '0000' + '00000000' + '00000001' + '000174' + '00000001' + '00000000' + '0000'
    + '0000000000000001' + '0000000000000001' + '0000000000000000' + 'ffffffff' + '00000002' + 'ffffffff');
});
