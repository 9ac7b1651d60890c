/**
 * Golden bytes for the admin APIs added with per-topic configs (AlterConfigs, IncrementalAlterConfigs,
 * CreatePartitions, DeleteRecords, OffsetDelete) and the newer versions of ListOffsets (v7-8) and
 * DeleteTopics (v6), assembled field by field from Kafka's message schemas
 * (clients/src/main/resources/common/message/*.json), not from our encoders. Non-flexible versions use
 * int16-length strings and int32-count arrays; flexible ones compact forms and a tag count (00) per struct.
 */
import test from 'ava';
import { check, compact, golden, hexOf, str16 } from './golden-hex.ts';
import * as api from '../../src/protocol/apis/index.ts';



test('AlterConfigs v0 request (AlterConfigsRequest.json)', (t) => {
  const bytes = golden(`
    00000001                | resources: 1
      02                    |   resource_type: int8 2 (topic)
      ${str16('t')}         |   resource_name
      00000002              |   configs: 2
        ${str16('retention.ms')} 0003 ${hexOf('100')} | name, value "100"
        ${str16('segment.ms')} ffff                   | name, value null
    01                      | validate_only: true`);
  check<api.AlterConfigsRequest>(t, bytes, {
    resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'retention.ms', operation: 0, value: '100' }, { name: 'segment.ms', operation: 0, value: null }] }],
    validateOnly: true,
  }, (w, v) => api.encodeAlterConfigsRequest(w, 0, v), (r) => api.decodeAlterConfigsRequest(r, 0));
});

test('AlterConfigs v2 response (AlterConfigsResponse.json, flexible 2+)', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    02                      | responses: 1
      0028                  |   error_code: 40 INVALID_CONFIG
      ${compact('bad')}     |   error_message
      02                    |   resource_type
      ${compact('t')}       |   resource_name
      00                    |   tags
    00                      | tags`);
  check<api.AlterConfigsResponse>(t, bytes, { throttleTimeMs: 0, responses: [{ errorCode: 40, errorMessage: 'bad', resourceType: 2, resourceName: 't' }] },
    (w, v) => api.encodeAlterConfigsResponse(w, 2, v), (r) => api.decodeAlterConfigsResponse(r, 2));
});

test('IncrementalAlterConfigs v1 request (IncrementalAlterConfigsRequest.json, flexible 1+)', (t) => {
  const bytes = golden(`
    02                      | resources: 1
      02                    |   resource_type
      ${compact('t')}       |   resource_name
      03                    |   configs: 2
        ${compact('cleanup.policy')} 02 ${compact('compact')} 00 | APPEND "compact"
        ${compact('retention.ms')} 01 00 00                        | DELETE, value null
      00                    |   tags
    00                      | validate_only: false
    00                      | tags`);
  check<api.AlterConfigsRequest>(t, bytes, {
    resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'cleanup.policy', operation: 2, value: 'compact' }, { name: 'retention.ms', operation: 1, value: null }] }],
    validateOnly: false,
  }, (w, v) => api.encodeIncrementalAlterConfigsRequest(w, 1, v), (r) => api.decodeIncrementalAlterConfigsRequest(r, 1));
});

test('CreatePartitions v0 and v2 requests (CreatePartitionsRequest.json, flexible 2+)', (t) => {
  const value: api.CreatePartitionsRequest = { topics: [{ name: 't', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false };
  check(t, golden(`
    00000001 ${str16('t')} 00000003 ffffffff | topics: 1, name, count 3, assignments null
    000003e8 00                             | timeout_ms 1000, validate_only false`), value,
  (w, v) => api.encodeCreatePartitionsRequest(w, 0, v), (r) => api.decodeCreatePartitionsRequest(r, 0));
  check(t, golden(`
    02 ${compact('t')} 00000003 00 00       | topics: 1, name, count 3, assignments null, tags
    000003e8 00 00                          | timeout_ms, validate_only, tags`), value,
  (w, v) => api.encodeCreatePartitionsRequest(w, 2, v), (r) => api.decodeCreatePartitionsRequest(r, 2));
});

test('DeleteRecords v2 request and response (DeleteRecordsRequest/Response.json, flexible 2+)', (t) => {
  check<api.DeleteRecordsRequest>(t, golden(`
    02 ${compact('t')}                      | topics: 1, name
      02 00000000 0000000000000004 00       |   partitions: 1, index 0, offset 4, tags
      00                                    |   tags
    00007530 00                             | timeout_ms 30000, tags`),
  { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 4 }] }], timeoutMs: 30000 },
  (w, v) => api.encodeDeleteRecordsRequest(w, 2, v), (r) => api.decodeDeleteRecordsRequest(r, 2));
  check<api.DeleteRecordsResponse>(t, golden(`
    00000000                                | throttle_time_ms
    02 ${compact('t')}                      | topics: 1, name
      02 00000000 0000000000000004 0000 00  |   partitions: index 0, low_watermark 4, error 0, tags
      00                                    |   tags
    00                                      | tags`),
  { throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, lowWatermark: 4, errorCode: 0 }] }] },
  (w, v) => api.encodeDeleteRecordsResponse(w, 2, v), (r) => api.decodeDeleteRecordsResponse(r, 2));
});

test('OffsetDelete v0 request and response (OffsetDeleteRequest/Response.json)', (t) => {
  check<api.OffsetDeleteRequest>(t, golden(`
    ${str16('g')} 00000001 ${str16('t')} 00000001 00000002 | group, topics: 1, name, partitions [2]`),
  { groupId: 'g', topics: [{ name: 't', partitions: [2] }] },
  (w, v) => api.encodeOffsetDeleteRequest(w, 0, v), (r) => api.decodeOffsetDeleteRequest(r, 0));
  check<api.OffsetDeleteResponse>(t, golden(`
    0000 00000000                           | error_code, throttle_time_ms
    00000001 ${str16('t')} 00000001 00000002 0056 | topics: 1, name, partitions: index 2, GROUP_SUBSCRIBED_TO_TOPIC (86)`),
  { errorCode: 0, throttleTimeMs: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 2, errorCode: 86 }] }] },
  (w, v) => api.encodeOffsetDeleteResponse(w, 0, v), (r) => api.decodeOffsetDeleteResponse(r, 0));
});

test('ListOffsets v7 request asks for MAX_TIMESTAMP in v6\'s flexible layout (ListOffsetsRequest.json)', (t) => {
  check<api.ListOffsetsRequest>(t, golden(`
    ffffffff 00                             | replica_id -1, isolation_level 0
    02 ${compact('t')}                      | topics: 1, name
      02 00000000 ffffffff fffffffffffffffd 00 | partitions: index 0, current_leader_epoch -1, timestamp -3, tags
      00                                    |   tags
    00                                      | tags`),
  { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: api.MAX_TIMESTAMP, maxNumOffsets: 1 }] }] },
  (w, v) => api.encodeListOffsetsRequest(w, 7, v), (r) => api.decodeListOffsetsRequest(r, 7));
});

test('DeleteTopics v6 request and response carry topic ids (DeleteTopicsRequest/Response.json)', (t) => {
  const id = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
  check<api.DeleteTopicsRequest>(t, golden(`
    03                                      | topics: 2
      ${compact('t')} ${'00'.repeat(16)} 00 |   by name, zero id, tags
      00 ${id.toString('hex')} 00           |   by id: name null
    00002710 00                             | timeout_ms 10000, tags`),
  { topicNames: ['t'], topics: [{ name: 't', topicId: Buffer.alloc(16) }, { name: null, topicId: id }], timeoutMs: 10000 },
  (w, v) => api.encodeDeleteTopicsRequest(w, 6, v), (r) => api.decodeDeleteTopicsRequest(r, 6));
  check<api.DeleteTopicsResponse>(t, golden(`
    00000000                                | throttle_time_ms
    02                                      | responses: 1
      00 ${id.toString('hex')} 0064 00 00   |   name null, topic_id, UNKNOWN_TOPIC_ID (100), error_message null, tags
    00                                      | tags`),
  { throttleTimeMs: 0, responses: [{ name: null, topicId: id, errorCode: 100, errorMessage: null }] },
  (w, v) => api.encodeDeleteTopicsResponse(w, 6, v), (r) => api.decodeDeleteTopicsResponse(r, 6));
});
