import test from 'ava';
import { ClusterView, mergeSnapshot, viewFromMetadata } from '../../src/client/cluster-view.ts';
import type { MetadataPartition, MetadataResponse, MetadataTopic } from '../../src/protocol/apis/metadata.ts';
import { ZERO_UUID } from '../../src/protocol/apis/metadata.ts';
import { parseEndpoints } from '../../src/client/bootstrap.ts';

function partition(index: number, leaderId: number, replicas: number[], errorCode = 0): MetadataPartition {
  return { errorCode, partitionIndex: index, leaderId, leaderEpoch: 0, replicaNodes: replicas, isrNodes: replicas, offlineReplicas: [] };
}
function topic(name: string, partitions: MetadataPartition[], errorCode = 0): MetadataTopic {
  return { errorCode, name, topicId: ZERO_UUID, isInternal: name.startsWith('__'), partitions, topicAuthorizedOperations: 0 };
}
function metadata(topics: MetadataTopic[], controllerId = 1): MetadataResponse {
  return {
    throttleTimeMs: 0,
    // Two chains' members, as a multi-chain node lists them: a-0..a-2 and b-0..b-1.
    brokers: [
      { nodeId: 1, host: 'a-0', port: 9092, rack: null },
      { nodeId: 2, host: 'a-1', port: 9092, rack: null },
      { nodeId: 3, host: 'a-2', port: 9092, rack: null },
      { nodeId: 7, host: 'b-0', port: 9093, rack: null },
      { nodeId: 8, host: 'b-1', port: 9093, rack: null },
    ],
    clusterId: 'c',
    controllerId,
    topics,
    clusterAuthorizedOperations: 0,
  };
}

test('the leader is where writes go and the tail is the last replica in chain order', (t) => {
  const view = viewFromMetadata(metadata([topic('events', [partition(0, 1, [1, 2, 3])])]));
  const r = view.topics.get('events')!.partitions[0]!;
  t.is(r.leader, 'a-0:9092');
  t.is(r.tail, 'a-2:9092');
  t.deepEqual(r.replicas, [1, 2, 3]);
  t.is(view.controller, 'a-0:9092');
});

test('each topic routes by its own chain when Metadata spans several chains', (t) => {
  const view = viewFromMetadata(metadata([
    topic('on-a', [partition(0, 1, [1, 2, 3])]),
    topic('on-b', [partition(0, 7, [7, 8]), partition(1, 7, [7, 8])]),
  ]));
  t.deepEqual(view.topics.get('on-b')!.partitions.map((p) => [p.leader, p.tail]), [['b-0:9093', 'b-1:9093'], ['b-0:9093', 'b-1:9093']]);
  t.is(view.topics.get('on-a')!.partitions[0]!.tail, 'a-2:9092');
});

test('a tail that is not a listed broker falls back to the leader; no replicas means the leader is the tail', (t) => {
  const view = viewFromMetadata(metadata([topic('x', [partition(0, 1, [1, 99]), partition(1, 2, [])])]));
  t.is(view.topics.get('x')!.partitions[0]!.tail, 'a-0:9092');
  t.is(view.topics.get('x')!.partitions[1]!.tail, 'a-1:9092');
});

test('partitions are sorted and a partition without a live leader has no address', (t) => {
  const view = viewFromMetadata(metadata([topic('x', [partition(1, -1, [1, 2], 5), partition(0, 1, [1, 2])])]));
  const ps = view.topics.get('x')!.partitions;
  t.deepEqual(ps.map((p) => p.partition), [0, 1]);
  t.is(ps[1]!.leader, undefined);
  t.is(ps[1]!.errorCode, 5);
});

test('merging a per-topic answer keeps other topics and drops topics now unknown', (t) => {
  const base = viewFromMetadata(metadata([topic('keep', [partition(0, 1, [1])]), topic('gone', [partition(0, 1, [1])])]));
  const update = viewFromMetadata(metadata([topic('gone', [], 3), topic('new', [partition(0, 7, [7, 8])])], 7));
  const merged = mergeSnapshot(base, update);
  t.deepEqual([...merged.topics.keys()].sort(), ['keep', 'new']);
  t.is(merged.controller, 'b-0:9093');
});

test('refresh asks known brokers first, falls back to bootstrap, and concurrent refreshes share one request', async (t) => {
  const asked: string[] = [];
  const view = new ClusterView(async (address) => {
    asked.push(address);
    if (address !== 'boot:1' && address !== 'a-1:9092') throw new Error('down');
    return metadata([topic('events', [partition(0, 1, [1, 2, 3])])]);
  }, async () => ['boot:1']);
  await Promise.all([view.refresh(), view.refresh(), view.refresh()]);
  t.deepEqual(asked, ['boot:1']);
  asked.length = 0;
  await view.refresh();
  // Known brokers now come before bootstrap; a-1 answers, so bootstrap is not asked.
  t.false(asked.includes('boot:1'));
  t.is(asked[asked.length - 1], 'a-1:9092');
  t.is(view.route('events', 0)?.tail, 'a-2:9092');
});

test('endpoints: srv record, host:port list with default port, static form and bracketed IPv6', (t) => {
  t.deepEqual(parseEndpoints('srv:_kafka._tcp.vg.test'), { kind: 'srv', record: '_kafka._tcp.vg.test' });
  t.deepEqual(parseEndpoints('a:1, b ,[::1]:3'), { kind: 'hosts', hosts: [{ host: 'a', port: 1 }, { host: 'b', port: 9092 }, { host: '::1', port: 3 }] });
  t.deepEqual(parseEndpoints(['static:n0=127.0.0.1:5,n1=127.0.0.1:6']), { kind: 'hosts', hosts: [{ host: '127.0.0.1', port: 5 }, { host: '127.0.0.1', port: 6 }] });
  t.throws(() => parseEndpoints('a:99999'), { message: /bad port/ });
  t.throws(() => parseEndpoints(' , '), { message: /no bootstrap/ });
});
