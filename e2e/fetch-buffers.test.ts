/**
 * Fetch reads the log into recycled buffers (protocol/frame-pool.ts fetchReadPool) that go back to the
 * pool once the socket has taken the response. A buffer given back too early would be read into again by
 * the next Fetch while the kernel still has to send it: a slow reader would then get someone else's bytes.
 * Here one reader stops reading with several MiB of responses queued at the node, another reader fetches
 * the whole log many times meanwhile, and the slow reader's answers must still be the log's exact bytes.
 */
import test from 'ava';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { singleNode } from './lib/single-node.ts';

const one = singleNode();
const TOPIC = 'fetch-buffers';
const MiB = 1024 * 1024;
const BATCHES = 24;
const RECORDS_PER_BATCH = 4;
/** 64 KiB records: four make a 256 KiB batch; a 1 MiB fetch gets four batches. */
const VALUE_BYTES = 64 * 1024;

/** Fills the topic (in the test: ava runs the fixture's `before` concurrently with this file's). */
async function fill(): Promise<void> {
  for (let b = 0; b < BATCHES; b++) {
    // Every batch's values differ from every other's, so bytes from the wrong range cannot pass.
    const records = Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ value: Buffer.alloc(VALUE_BYTES, (b * RECORDS_PER_BATCH + i) % 251) }));
    const p = await one.wire.produce(TOPIC, 0, encodeRecordBatch({ records }));
    if (p.errorCode !== 0) throw new Error(`produce batch ${b}: error ${p.errorCode}`);
  }
}

test('a reader that stops reading still gets exact bytes while other fetches reuse the read buffers', async (t) => {
  await fill();
  const offsets = Array.from({ length: BATCHES }, (_, b) => b * RECORDS_PER_BATCH);
  // What each 1 MiB fetch must answer, copied out of its response.
  const expected = new Map<number, Buffer>();
  for (const offset of offsets) {
    const p = await one.wire.fetch(TOPIC, 0, offset, MiB);
    t.is(p.errorCode, 0);
    expected.set(offset, Buffer.from(p.records!));
  }

  const slow = await KafkaWire.connect(one.node.address);
  const fast = await KafkaWire.connect(one.node.address);
  try {
    slow.socket.pause();
    // 24 fetches of up to 1 MiB: far more than the loopback socket buffers hold, so most wait at the node.
    const pending = offsets.map((offset) => slow.fetch(TOPIC, 0, offset, MiB));
    for (let round = 0; round < 8; round++) {
      for (const offset of [...offsets].reverse()) {
        const p = await fast.fetch(TOPIC, 0, offset, MiB);
        t.true(p.records!.equals(expected.get(offset)!), `fast reader at ${offset}`);
      }
    }
    slow.socket.resume();
    const answers = await Promise.all(pending);
    answers.forEach((p, i) => t.true(p.records!.equals(expected.get(offsets[i]!)!), `slow reader at ${offsets[i]}`));
  } finally {
    slow.close();
    fast.close();
  }
});
