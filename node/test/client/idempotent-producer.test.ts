/**
 * IdempotentProducer against an in-memory transport (the wire path is e2e/client.test.ts's): the batches
 * it sends carry the producer id and consecutive sequences, calls queued behind an in-flight batch are
 * merged into one, and a failed batch retires the producer id.
 */
import test from 'ava';
import { IdempotentProducer, type ProducerIdentity } from '../../src/client/idempotent-producer.ts';
import { batchProducer, batchRecordsCount } from '../../src/protocol/record-batch.ts';

interface Sent {
  producerId: number;
  baseSequence: number;
  records: number;
}

/** A transport that hands out ids 100, 101, … and stores batches at consecutive offsets; `fail` rejects the next send. */
function memoryTransport() {
  let nextId = 100;
  let nextOffset = 0;
  const sent: Sent[] = [];
  const state = { fail: false, release: null as (() => void) | null, hold: false };
  return {
    sent,
    state,
    transport: {
      initProducerId: async (): Promise<ProducerIdentity> => ({ producerId: nextId++, producerEpoch: 0 }),
      async sendBatch(_topic: string, _partition: number, batch: Buffer): Promise<number> {
        if (state.hold) await new Promise<void>((r) => (state.release = r));
        if (state.fail) {
          state.fail = false;
          throw new Error('connection lost');
        }
        const p = batchProducer(batch, 0);
        const records = batchRecordsCount(batch, 0);
        sent.push({ producerId: p.producerId, baseSequence: p.baseSequence, records });
        const base = nextOffset;
        nextOffset += records;
        return base;
      },
    },
  };
}

test('batches carry the producer id and consecutive sequences per partition', async (t) => {
  const m = memoryTransport();
  const producer = new IdempotentProducer(m.transport);
  t.is(await producer.produce('t', 0, [{ value: 'a' }, { value: 'b' }], 'none'), 0);
  t.is(await producer.produce('t', 0, [{ value: 'c' }], 'none'), 2);
  await producer.produce('t', 1, [{ value: 'd' }], 'none');
  t.deepEqual(m.sent, [
    { producerId: 100, baseSequence: 0, records: 2 },
    { producerId: 100, baseSequence: 2, records: 1 },
    { producerId: 100, baseSequence: 0, records: 1 },
  ]);
});

test('calls queued behind an in-flight batch are merged into the next one, each told its own offset', async (t) => {
  const m = memoryTransport();
  const producer = new IdempotentProducer(m.transport);
  m.state.hold = true;
  const first = producer.produce('t', 0, [{ value: 'a' }], 'none');
  // The first batch is in flight once its send is waiting for release.
  while (!m.state.release) await new Promise((r) => setImmediate(r));
  const second = producer.produce('t', 0, [{ value: 'b' }, { value: 'c' }], 'none');
  const third = producer.produce('t', 0, [{ value: 'd' }], 'none');
  m.state.hold = false;
  m.state.release();
  t.deepEqual(await Promise.all([first, second, third]), [0, 1, 3]);
  t.deepEqual(m.sent.map((s) => [s.baseSequence, s.records]), [[0, 1], [1, 3]]);
});

test('a failed batch retires the producer id: the next batch starts at sequence 0 under a new id', async (t) => {
  const m = memoryTransport();
  const producer = new IdempotentProducer(m.transport);
  await producer.produce('t', 0, [{ value: 'a' }], 'none');
  m.state.fail = true;
  await t.throwsAsync(producer.produce('t', 0, [{ value: 'b' }], 'none'), { message: 'connection lost' });
  await producer.produce('t', 0, [{ value: 'c' }], 'none');
  t.deepEqual(m.sent, [
    { producerId: 100, baseSequence: 0, records: 1 },
    { producerId: 101, baseSequence: 0, records: 1 },
  ]);
});
