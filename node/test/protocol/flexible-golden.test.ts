/**
 * Golden bytes for flexible (KIP-482) encodings, assembled field by field from Kafka's published message
 * schemas (clients/src/main/resources/common/message/*.json), not from our encoders: compact strings and
 * arrays carry length+1 as an unsigned varint, and every structure ends with a tagged-field count (0).
 * Each test checks that decoding the golden bytes gives the expected value and encoding it gives the
 * golden bytes back, so a shared misreading of the schema cannot hide behind a round trip.
 */
import test from 'ava';
import { check, golden, hexOf } from './golden-hex.ts';
import * as api from '../../src/protocol/apis/index.ts';
import { Reader } from '../../src/protocol/reader.ts';

const NO_TAGS = '00';


test('Produce v9 request (ProduceRequest.json, flexible 9+)', (t) => {
  const bytes = golden(`
    00                      | transactional_id: compact nullable string, null
    ffff                    | acks: int16 -1
    00007530                | timeout_ms: int32 30000
    02                      | topic_data: compact array, 1 entry
      02 ${hexOf('t')}      |   name: compact string "t"
      02                    |   partition_data: 1 entry
        00000003            |     index: int32 3
        04 616263           |     records: compact nullable bytes, 3 bytes
        ${NO_TAGS}          |     partition tags
      ${NO_TAGS}            |   topic tags
    ${NO_TAGS}              | request tags`);
  check<api.ProduceRequest>(t, bytes, { transactionalId: null, acks: -1, timeoutMs: 30000, topics: [{ name: 't', partitions: [{ index: 3, records: Buffer.from('abc') }] }] },
    (w, v) => api.encodeProduceRequest(w, 9, v), (r) => api.decodeProduceRequest(r, 9));
});

test('Produce v9 response (ProduceResponse.json)', (t) => {
  const bytes = golden(`
    02                      | responses: 1 entry
      02 ${hexOf('t')}      |   name
      02                    |   partition_responses: 1 entry
        00000003            |     index
        0000                |     error_code
        000000000000002a    |     base_offset: 42
        ffffffffffffffff    |     log_append_time_ms: -1
        0000000000000000    |     log_start_offset: 0
        01                  |     record_errors: empty compact array
        00                  |     error_message: null
        ${NO_TAGS}
      ${NO_TAGS}
    00000000                | throttle_time_ms
    ${NO_TAGS}`);
  check<api.ProduceResponse>(t, bytes, {
    throttleTimeMs: 0,
    topics: [{ name: 't', partitions: [{ index: 3, errorCode: 0, baseOffset: 42, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null }] }],
  }, (w, v) => api.encodeProduceResponse(w, 9, v), (r) => api.decodeProduceResponse(r, 9));
});

test('Fetch v12 request (FetchRequest.json, flexible 12+)', (t) => {
  const bytes = golden(`
    ffffffff                | replica_id: -1
    000001f4                | max_wait_ms: 500
    00000001                | min_bytes: 1
    00100000                | max_bytes: 1 MiB
    00                      | isolation_level
    00000000                | session_id
    ffffffff                | session_epoch: -1
    02                      | topics: 1 entry
      02 ${hexOf('t')}      |   topic
      02                    |   partitions: 1 entry
        00000001            |     partition
        00000005            |     current_leader_epoch
        0000000000000064    |     fetch_offset: 100
        ffffffff            |     last_fetched_epoch: -1 (v12+)
        ffffffffffffffff    |     log_start_offset: -1
        00010000            |     partition_max_bytes: 64 KiB
        ${NO_TAGS}
      ${NO_TAGS}
    01                      | forgotten_topics_data: empty
    01                      | rack_id: compact string ""
    ${NO_TAGS}`);
  check<api.FetchRequest>(t, bytes, {
    replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 0x100000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 't', partitions: [{ partition: 1, currentLeaderEpoch: 5, fetchOffset: 100, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 0x10000 }] }],
    forgottenTopicsData: [], rackId: '',
  }, (w, v) => api.encodeFetchRequest(w, 12, v), (r) => api.decodeFetchRequest(r, 12));
});

test('Fetch v12 response (FetchResponse.json): preferred_read_replica before compact records', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    0000                    | error_code
    00000000                | session_id
    02                      | responses: 1 entry
      02 ${hexOf('t')}      |   topic
      02                    |   partitions: 1 entry
        00000001            |     partition_index
        0000                |     error_code
        0000000000000066    |     high_watermark: 102
        0000000000000066    |     last_stable_offset: 102
        0000000000000000    |     log_start_offset
        00                  |     aborted_transactions: null
        00000007            |     preferred_read_replica: 7
        03 7879             |     records: 2 bytes
        ${NO_TAGS}          |     (tags 0-2: diverging_epoch, current_leader, snapshot_id absent)
      ${NO_TAGS}
    ${NO_TAGS}`);
  check<api.FetchResponse>(t, bytes, {
    throttleTimeMs: 0, errorCode: 0, sessionId: 0,
    topics: [{ topic: 't', partitions: [{ partitionIndex: 1, errorCode: 0, highWatermark: 102, lastStableOffset: 102, logStartOffset: 0, abortedTransactions: null, preferredReadReplica: 7, records: Buffer.from('xy') }] }],
  }, (w, v) => api.encodeFetchResponse(w, 12, v), (r) => api.decodeFetchResponse(r, 12));
});

test('Metadata v12 request (MetadataRequest.json, flexible 9+): topic_id then nullable name', (t) => {
  const id = '00112233445566778899aabbccddeeff';
  const bytes = golden(`
    02                      | topics: compact nullable array, 1 entry
      ${id}                 |   topic_id: uuid (v10+)
      02 ${hexOf('t')}      |   name: compact nullable string
      ${NO_TAGS}
    01                      | allow_auto_topic_creation: true
    00                      | include_topic_authorized_operations: false (cluster flag gone since v11)
    ${NO_TAGS}`);
  check<api.MetadataRequest>(t, bytes, {
    topics: [{ topicId: Buffer.from(id, 'hex'), name: 't' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false,
  }, (w, v) => api.encodeMetadataRequest(w, 12, v), (r) => api.decodeMetadataRequest(r, 12));
  const all = golden(`00 | topics: null = every topic
    00 00 ${NO_TAGS}`);
  t.deepEqual(api.decodeMetadataRequest(new Reader(all), 12).topics, null);
});

test('Metadata v12 response (MetadataResponse.json)', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    02                      | brokers: 1 entry
      00000001              |   node_id
      0a ${hexOf('127.0.0.1')} |  host
      00002384              |   port 9092
      00                    |   rack: null
      ${NO_TAGS}
    09 ${hexOf('vonnegut')} | cluster_id
    00000001                | controller_id
    02                      | topics: 1 entry
      0000                  |   error_code
      02 ${hexOf('t')}      |   name
      ${'00'.repeat(16)}    |   topic_id: zero uuid
      00                    |   is_internal
      02                    |   partitions: 1 entry
        0000                |     error_code
        00000000            |     partition_index
        00000001            |     leader_id
        00000003            |     leader_epoch
        02 00000001         |     replica_nodes: [1]
        02 00000001         |     isr_nodes: [1]
        01                  |     offline_replicas: []
        ${NO_TAGS}
      80000000              |   topic_authorized_operations: INT32_MIN
      ${NO_TAGS}
    ${NO_TAGS}              | (cluster_authorized_operations only in v8-10)`);
  check<api.MetadataResponse>(t, bytes, {
    throttleTimeMs: 0,
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
    clusterId: 'vonnegut',
    controllerId: 1,
    topics: [{ errorCode: 0, name: 't', topicId: Buffer.alloc(16), isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }], topicAuthorizedOperations: -2147483648 }],
    clusterAuthorizedOperations: -2147483648,
  }, (w, v) => api.encodeMetadataResponse(w, 12, v), (r) => api.decodeMetadataResponse(r, 12));
});

test('JoinGroup v9 response (JoinGroupResponse.json, flexible 6+): protocol_type, nullable protocol_name, skip_assignment', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    0000                    | error_code
    00000002                | generation_id
    09 ${hexOf('consumer')} | protocol_type: compact nullable (v7+)
    06 ${hexOf('range')}    | protocol_name: compact nullable (v7+)
    02 ${hexOf('m')}        | leader
    00                      | skip_assignment: false (v9+)
    02 ${hexOf('m')}        | member_id
    02                      | members: 1 entry
      02 ${hexOf('m')}      |   member_id
      03 ${hexOf('i1')}     |   group_instance_id
      02 ff                 |   metadata: compact bytes, 1 byte
      ${NO_TAGS}
    ${NO_TAGS}`);
  check<api.JoinGroupResponse>(t, bytes, {
    throttleTimeMs: 0, errorCode: 0, generationId: 2, protocolType: 'consumer', protocolName: 'range', leader: 'm', skipAssignment: false, memberId: 'm',
    members: [{ memberId: 'm', groupInstanceId: 'i1', metadata: Buffer.from([0xff]) }],
  }, (w, v) => api.encodeJoinGroupResponse(w, 9, v), (r) => api.decodeJoinGroupResponse(r, 9));
});

test('FindCoordinator v4 request and response (batched keys, KIP-699)', (t) => {
  check<api.FindCoordinatorRequest>(t, golden(`00 | key_type: group
    03 02${hexOf('a')} 02${hexOf('b')} | coordinator_keys: ["a","b"]
    ${NO_TAGS}`), { keyType: 0, keys: ['a', 'b'] }, (w, v) => api.encodeFindCoordinatorRequest(w, 4, v), (r) => api.decodeFindCoordinatorRequest(r, 4));
  check<api.FindCoordinatorResponse>(t, golden(`00000000 | throttle_time_ms
    02 | coordinators: 1 entry
      02 ${hexOf('a')} | key
      00000001 | node_id
      02 ${hexOf('h')} | host
      00002384 | port
      0000 | error_code
      00 | error_message: null
      ${NO_TAGS}
    ${NO_TAGS}`), { throttleTimeMs: 0, coordinators: [{ key: 'a', nodeId: 1, host: 'h', port: 9092, errorCode: 0, errorMessage: null }] },
  (w, v) => api.encodeFindCoordinatorResponse(w, 4, v), (r) => api.decodeFindCoordinatorResponse(r, 4));
});

test('OffsetFetch v8 request (OffsetFetchRequest.json): batched groups, null topics, require_stable', (t) => {
  check<api.OffsetFetchRequest>(t, golden(`02 | groups: 1 entry
      03 ${hexOf('g1')} | group_id
      00 | topics: null = all
      ${NO_TAGS}
    01 | require_stable: true
    ${NO_TAGS}`), { groups: [{ groupId: 'g1', topics: null }], requireStable: true },
  (w, v) => api.encodeOffsetFetchRequest(w, 8, v), (r) => api.decodeOffsetFetchRequest(r, 8));
});
