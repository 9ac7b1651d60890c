import test from 'ava';
import { encodeFrame } from '../../src/protocol/frame.ts';
import { appendMessageHead, encodeLinkMessage } from '../../src/chain/link-protocol.ts';

test('an Append shipped as [head, batches] is byte-identical to the encoded link message', (t) => {
  for (const [topic, batches] of [['t', Buffer.alloc(0)], ['bench-ü', Buffer.alloc(70_000, 7)], ['x'.repeat(249), Buffer.from('abc')]] as const) {
    const whole = encodeFrame(encodeLinkMessage({ type: 'append', epoch: 42, topic, partition: 3, partitionCount: 8, batches }));
    t.deepEqual(Buffer.concat([appendMessageHead(42, topic, 3, 8, batches.length), batches]), whole);
  }
});
