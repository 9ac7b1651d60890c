/**
 * The transaction coordinator against a stand-in host (a fake: an in-memory `__transaction_state` log
 * and marker sink, since these cases need failures on demand). A coordinator that logged PrepareCommit
 * but could not write its markers leaves the transaction to the next coordinator loading the same log,
 * which writes every marker and completes it; a transaction past its timeout is aborted with the epoch
 * bumped (markers carry the new epoch) and its producer fenced.
 */
import test from 'ava';
import { decodeRecordBatch, type DecodedBatch } from '../../src/protocol/record-batch.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { CONTROL_ABORT, CONTROL_COMMIT } from '../../src/protocol/control-record.ts';
import { silentLogger } from '../../src/logging.ts';
import { TransactionCoordinator, type TxnHost } from '../../src/transactions/coordinator.ts';
import { TxnStatus } from '../../src/transactions/txn-records.ts';

interface Marker {
  topic: string;
  partition: number;
  producerId: number;
  producerEpoch: number;
  type: number;
}

/** A fake node: the state log is shared between coordinators; markers fail while `markersDown`. */
class FakeNode {
  readonly stateLog: Buffer[] = [];
  readonly markers: Marker[] = [];
  markersDown = false;
  nextId = 1000;

  host(): TxnHost {
    return {
      isCoordinator: () => true,
      ensureStateTopic: async () => {},
      readState: (): DecodedBatch[] => this.stateLog.map((b) => decodeRecordBatch(b)),
      appendState: async (batch) => {
        this.stateLog.push(Buffer.from(batch));
        return 0;
      },
      writeMarker: async (topic, partition, m) => {
        if (this.markersDown) return ErrorCode.NOT_ENOUGH_REPLICAS.code;
        this.markers.push({ topic, partition, producerId: m.producerId, producerEpoch: m.producerEpoch, type: m.commit ? CONTROL_COMMIT : CONTROL_ABORT });
        return 0;
      },
      coordinatorEpoch: () => 1,
      nextProducerId: () => this.nextId++,
      offsetsDecided: () => {},
    };
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a commit whose markers failed is finished by the next coordinator loading the same log', async (t) => {
  const node = new FakeNode();
  const first = new TransactionCoordinator(node.host(), silentLogger, Date.now, 60_000);
  t.is(await first.ready(), 0);
  const { producerId, producerEpoch } = await first.initProducerId('tx', 60_000, -1, -1);
  t.is(await first.addPartitions('tx', producerId, producerEpoch, [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 2 }]), 0);
  node.markersDown = true;
  t.is(await first.endTxn('tx', producerId, producerEpoch, true), ErrorCode.NOT_ENOUGH_REPLICAS.code);
  t.is(first.store.get('tx')!.status, TxnStatus.PrepareCommit, 'the decision is logged even though no marker landed');
  first.close();

  node.markersDown = false;
  const second = new TransactionCoordinator(node.host(), silentLogger, Date.now, 60_000);
  t.is(await second.ready(), 0);
  await until('the recovered commit completes', () => second.store.get('tx')?.status === TxnStatus.CompleteCommit);
  t.deepEqual(node.markers.map((m) => `${m.topic}-${m.partition}:${m.type}:${m.producerEpoch}`).sort(), [`a-0:${CONTROL_COMMIT}:${producerEpoch}`, `b-2:${CONTROL_COMMIT}:${producerEpoch}`]);
  t.is(await second.endTxn('tx', producerId, producerEpoch, true), 0, 'the producer\'s retried EndTxn is answered 0');
  second.close();
});

test('a transaction past its timeout is aborted with a bumped epoch that fences its producer', async (t) => {
  const node = new FakeNode();
  let now = 1_000_000;
  const coordinator = new TransactionCoordinator(node.host(), silentLogger, () => now, 5);
  t.is(await coordinator.ready(), 0);
  const { producerId, producerEpoch } = await coordinator.initProducerId('slow', 1000, -1, -1);
  t.is(await coordinator.addPartitions('slow', producerId, producerEpoch, [{ topic: 'a', partition: 1 }]), 0);
  now += 999;
  await new Promise((r) => setTimeout(r, 50));
  t.is(coordinator.store.get('slow')!.status, TxnStatus.Ongoing, 'not yet past its timeout');
  now += 2;
  await until('the expired transaction is aborted', () => coordinator.store.get('slow')?.status === TxnStatus.CompleteAbort);
  t.deepEqual(node.markers, [{ topic: 'a', partition: 1, producerId, producerEpoch: producerEpoch + 1, type: CONTROL_ABORT }]);
  t.is(await coordinator.endTxn('slow', producerId, producerEpoch, true), ErrorCode.PRODUCER_FENCED.code);
  const next = await coordinator.initProducerId('slow', 1000, -1, -1);
  t.deepEqual([next.producerId, next.producerEpoch], [producerId, producerEpoch + 2]);
  coordinator.close();
});
