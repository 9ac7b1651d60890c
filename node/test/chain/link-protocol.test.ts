import test from 'ava';
import { decodeHello, decodeLinkMessage, encodeHello, encodeLinkMessage, type LinkMessage } from '../../src/chain/link-protocol.ts';
import { DecodeError } from '../../src/protocol/errors.ts';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';

const messages: LinkMessage[] = [
  { type: 'append', epoch: 3, topic: 'orders', partition: 2, partitionCount: 3, batches: Buffer.from('batch bytes') },
  { type: 'truncate', epoch: 3, topic: 'orders', partition: 0, offset: 1234567890123 },
  { type: 'create', epoch: 3, topic: 'new', partitionCount: 6, topicId: Buffer.from('7b3c9d2e4f5a6b7c8d9e0f1a2b3c4d5e', 'hex') },
  { type: 'delete', epoch: 3, topic: 'old' },
  { type: 'ping' },
  { type: 'config', epoch: 3, topic: 'orders', configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '1000' }] },
  { type: 'logStart', epoch: 3, topic: 'orders', partition: 1, offset: 4_000_000_000 },
  { type: 'state', epoch: 7, topics: [{ topic: 'a', partitionCount: 2, partitions: [{ partition: 0, logEnd: 10, hwm: 8 }, { partition: 1, logEnd: 0, hwm: 0 }] }] },
  { type: 'ack', epoch: 3, acks: [{ topic: 'a', partition: 1, hwm: 99 }] },
  { type: 'pong', chainReady: true, tail: 'vg-2' },
  { type: 'error', errorCode: 74, message: 'stale epoch 3; current epoch 5', epoch: 5 },
];

for (const m of messages) {
  test(`link message ${m.type} round-trips`, (t) => {
    t.deepEqual(decodeLinkMessage(Buffer.from(encodeLinkMessage(m))), m);
  });
}

test('hello round-trips and truncated or unknown messages are DecodeErrors', (t) => {
  const w = new Writer();
  encodeHello(w, { epoch: 4, from: 'vg-0', to: 'vg-1' });
  t.deepEqual(decodeHello(new Reader(w.toBuffer())), { epoch: 4, from: 'vg-0', to: 'vg-1' });
  const append = Buffer.from(encodeLinkMessage(messages[0]!));
  t.throws(() => decodeLinkMessage(append.subarray(0, append.length - 3)), { instanceOf: DecodeError });
  t.throws(() => decodeLinkMessage(Buffer.from([99])), { instanceOf: DecodeError });
});

test('a version-2 Create (no topic_id) decodes with the zero id, and a version-2 reader\'s fields lead a version-3 Create', (t) => {
  const v3 = Buffer.from(encodeLinkMessage({ type: 'create', epoch: 3, topic: 'new', partitionCount: 6, topicId: Buffer.alloc(16, 7) }));
  const v2 = v3.subarray(0, v3.length - 16);
  t.deepEqual(decodeLinkMessage(v2), { type: 'create', epoch: 3, topic: 'new', partitionCount: 6, topicId: Buffer.alloc(16) });
  t.deepEqual(v3.subarray(v3.length - 16), Buffer.alloc(16, 7), 'topic_id is appended after the version-2 fields');
});
