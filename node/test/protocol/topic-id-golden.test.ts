/**
 * Golden bytes for the topic-id versions (KIP-516), assembled field by field from Kafka's schemas
 * FetchRequest.json / FetchResponse.json (v13 topic_id replaces topic; v15 moves replica_id into tag 1
 * replica_state; v16 adds the response's tag 0 node_endpoints, which we never write) and
 * CreateTopicsResponse.json (v7 topic_id after name), not from our encoders.
 */
import test from 'ava';
import * as api from '../../src/protocol/apis/index.ts';
import { nameDerivedTopicId, randomTopicId, uuidFromString, uuidToString, ZERO_UUID } from '../../src/protocol/uuid.ts';
import { check, compact, golden } from './golden-hex.ts';

const ID = '5f1a2b3c4d5e6f708192a3b4c5d6e7f8';
const id = Buffer.from(ID, 'hex');
const NO_TAGS = '00';

const fetchPartition = `
        00000000            |     partition: 0
        ffffffff            |     current_leader_epoch: -1
        000000000000000a    |     fetch_offset: 10
        ffffffff            |     last_fetched_epoch: -1
        ffffffffffffffff    |     log_start_offset: -1
        00100000            |     partition_max_bytes: 1 MiB
        ${NO_TAGS}`;
const partitionValue = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 10, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 0x100000 };

test('Fetch v13 request names topics by topic_id, in topics and forgotten_topics_data', (t) => {
  const bytes = golden(`
    ffffffff                | replica_id: -1 (versions 0-14)
    000001f4                | max_wait_ms: 500
    00000001                | min_bytes
    03200000                | max_bytes: 52428800
    01                      | isolation_level: read_committed
    00000000                | session_id
    ffffffff                | session_epoch: -1
    02                      | topics: 1 entry
      ${ID}                 |   topic_id: uuid (13+; no topic name)
      02                    |   partitions: 1 entry
        ${fetchPartition}
      ${NO_TAGS}
    02                      | forgotten_topics_data: 1 entry
      ${ID}                 |   topic_id
      02 00000002           |   partitions: [2]
      ${NO_TAGS}
    ${compact('r1')}        | rack_id
    ${NO_TAGS}`);
  check<api.FetchRequest>(t, bytes, {
    replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 52428800, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: '', topicId: id, partitions: [partitionValue] }],
    forgottenTopicsData: [{ topic: '', topicId: id, partitions: [2] }], rackId: 'r1',
  }, (w, v) => api.encodeFetchRequest(w, 13, v), (r) => api.decodeFetchRequest(r, 13));
});

test('Fetch v15 request has no replica_id; a replica sends replica_state as tag 1, a consumer nothing', (t) => {
  const head = `
    000001f4 00000001 03200000 00 00000000 ffffffff   | max_wait_ms .. session_epoch (no replica_id since v15)
    02 ${ID} 02 ${fetchPartition} ${NO_TAGS}           | topics: one by id
    01                                                 | forgotten_topics_data: empty
    01                                                 | rack_id: ""`;
  const consumer = golden(`${head}
    ${NO_TAGS}              | no tagged fields: replica_id -1`);
  const base = { maxWaitMs: 500, minBytes: 1, maxBytes: 52428800, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, topics: [{ topic: '', topicId: id, partitions: [partitionValue] }], forgottenTopicsData: [], rackId: '' };
  check<api.FetchRequest>(t, consumer, { replicaId: -1, ...base }, (w, v) => api.encodeFetchRequest(w, 15, v), (r) => api.decodeFetchRequest(r, 15));
  const replica = golden(`${head}
    01                      | 1 tagged field
      01 0d                 |   tag 1 (replica_state), 13 bytes
        00000003            |     replica_id: 3
        0000000000000009    |     replica_epoch: 9
        ${NO_TAGS}          |     replica_state's own tags`);
  check<api.FetchRequest>(t, replica, { replicaId: 3, replicaEpoch: 9, ...base }, (w, v) => api.encodeFetchRequest(w, 16, v), (r) => api.decodeFetchRequest(r, 16));
});

test('Fetch v16 response carries topic_id and no node_endpoints tag; UNKNOWN_TOPIC_ID per partition', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    0000                    | error_code
    00000000                | session_id
    02                      | responses: 1 entry
      ${ID}                 |   topic_id (13+)
      03                    |   partitions: 2 entries
        00000000            |     partition_index 0
        0000                |     error_code
        0000000000000003    |     high_watermark: 3
        0000000000000003    |     last_stable_offset
        0000000000000000    |     log_start_offset
        01                  |     aborted_transactions: empty
        00000002            |     preferred_read_replica: 2
        03 7879             |     records: 2 bytes
        ${NO_TAGS}
        00000001            |     partition_index 1
        0064                |     error_code: UNKNOWN_TOPIC_ID (100)
        ffffffffffffffff ffffffffffffffff ffffffffffffffff | high_watermark, last_stable_offset, log_start_offset: -1
        00                  |     aborted_transactions: null
        ffffffff            |     preferred_read_replica: -1
        00                  |     records: null
        ${NO_TAGS}
      ${NO_TAGS}
    ${NO_TAGS}              | (tag 0 node_endpoints absent)`);
  check<api.FetchResponse>(t, bytes, {
    throttleTimeMs: 0, errorCode: 0, sessionId: 0,
    topics: [{ topic: '', topicId: id, partitions: [
      { partitionIndex: 0, errorCode: 0, highWatermark: 3, lastStableOffset: 3, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: 2, records: Buffer.from('xy') },
      { partitionIndex: 1, errorCode: 100, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, preferredReadReplica: -1, records: null },
    ] }],
  }, (w, v) => api.encodeFetchResponse(w, 16, v), (r) => api.decodeFetchResponse(r, 16));
});

test('CreateTopics v7 response carries topic_id between name and error_code', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    02                      | topics: 1 entry
      ${compact('t')}       |   name
      ${ID}                 |   topic_id (7+)
      0000                  |   error_code
      00                    |   error_message: null
      00000003              |   num_partitions
      0001                  |   replication_factor
      01                    |   configs: empty
      ${NO_TAGS}
    ${NO_TAGS}`);
  check<api.CreateTopicsResponse>(t, bytes, {
    throttleTimeMs: 0, topics: [{ name: 't', topicId: id, errorCode: 0, errorMessage: null, numPartitions: 3, replicationFactor: 1, configs: [] }],
  }, (w, v) => api.encodeCreateTopicsResponse(w, 7, v), (r) => api.decodeCreateTopicsResponse(r, 7));
});

test('uuid text is Kafka\'s Uuid.toString(): URL-safe base64 without padding', (t) => {
  // Base64.getUrlEncoder().withoutPadding() of the 16 bytes, as Uuid.toString() does ('-' and '_' included).
  t.is(uuidToString(id), 'XxorPE1eb3CBkqO0xdbn-A');
  t.is(uuidToString(ZERO_UUID), 'AAAAAAAAAAAAAAAAAAAAAA');
  // A text id from Kafka's UuidTest reads back to the same text.
  t.is(uuidToString(uuidFromString('UXyU9i5ARn6W00ON2taeWA')!), 'UXyU9i5ARn6W00ON2taeWA');
  t.deepEqual(uuidFromString('XxorPE1eb3CBkqO0xdbn-A'), id);
  t.is(uuidFromString('not a uuid'), undefined);
  for (let i = 0; i < 200; i++) {
    const r = randomTopicId();
    t.false(r.equals(ZERO_UUID));
    t.false(uuidToString(r).startsWith('-'));
    t.is((r[6]! >> 4), 4, 'version 4');
  }
});

test('DescribeTopicPartitions v0 request and response (DescribeTopicPartitionsRequest/Response.json, flexible 0+)', (t) => {
  check<api.DescribeTopicPartitionsRequest>(t, golden(`
    03                      | topics: 2 entries
      ${compact('a')} ${NO_TAGS}
      ${compact('b')} ${NO_TAGS}
    000007d0                | response_partition_limit: 2000
    01                      | cursor: present (nullable struct marker 1)
      ${compact('b')}       |   topic_name
      00000001              |   partition_index: 1
      ${NO_TAGS}
    ${NO_TAGS}`),
  { topics: ['a', 'b'], responsePartitionLimit: 2000, cursor: { topicName: 'b', partitionIndex: 1 } },
  (w, v) => api.encodeDescribeTopicPartitionsRequest(w, 0, v), (r) => api.decodeDescribeTopicPartitionsRequest(r, 0));
  check<api.DescribeTopicPartitionsResponse>(t, golden(`
    00000000                | throttle_time_ms
    02                      | topics: 1 entry
      0000                  |   error_code
      ${compact('b')}       |   name: compact nullable string
      ${ID}                 |   topic_id
      00                    |   is_internal: false
      02                    |   partitions: 1 entry
        0000                |     error_code
        00000001            |     partition_index
        00000007            |     leader_id
        00000002            |     leader_epoch
        03 00000007 00000008 |    replica_nodes: [7, 8]
        03 00000007 00000008 |    isr_nodes
        00                  |     eligible_leader_replicas: null
        00                  |     last_known_elr: null
        01                  |     offline_replicas: []
        ${NO_TAGS}
      00000008              |   topic_authorized_operations: 0b1000 (Read)
      ${NO_TAGS}
    ff                      | next_cursor: null (marker -1)
    ${NO_TAGS}`),
  {
    throttleTimeMs: 0, nextCursor: null,
    topics: [{ errorCode: 0, name: 'b', topicId: id, isInternal: false, topicAuthorizedOperations: 8, partitions: [
      { errorCode: 0, partitionIndex: 1, leaderId: 7, leaderEpoch: 2, replicaNodes: [7, 8], isrNodes: [7, 8], eligibleLeaderReplicas: null, lastKnownElr: null, offlineReplicas: [] },
    ] }],
  },
  (w, v) => api.encodeDescribeTopicPartitionsResponse(w, 0, v), (r) => api.decodeDescribeTopicPartitionsResponse(r, 0));
});

test('a name-derived topic id is fixed forever (nodes of different versions must compute the same one) and a version 8 uuid', (t) => {
  // SHA-256 of "vonnegut topic id 0", a NUL byte and "orders": first 16 bytes, version nibble 8, RFC 9562 variant.
  t.is(nameDerivedTopicId('orders').toString('hex'), 'a03af5d40de38d299031848dce4cbe80');
  t.deepEqual(nameDerivedTopicId('orders'), nameDerivedTopicId('orders'));
  t.false(nameDerivedTopicId('orders').equals(nameDerivedTopicId('orders2')));
  t.is(nameDerivedTopicId('x')[6]! >> 4, 8);
});
