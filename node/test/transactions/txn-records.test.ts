/**
 * `__transaction_state` records in Kafka's layout (transactions/txn-records.ts): golden bytes for the key,
 * value round trips, and Kafka's TransactionState ids.
 */
import test from 'ava';
import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, TxnStatus, type TxnMetadata } from '../../src/transactions/txn-records.ts';

test('the key is version 0 and the transactional id as a Kafka string', (t) => {
  t.is(encodeTxnKey('tx').toString('hex'), '0000' + '0002' + Buffer.from('tx').toString('hex'));
  t.is(decodeTxnKey(encodeTxnKey('payments-1')), 'payments-1');
  t.is(decodeTxnKey(Buffer.from('000100027478', 'hex')), null, 'an unknown key version is skipped');
});

test('the value round-trips with partitions, and an empty partition set stays empty', (t) => {
  const m: TxnMetadata = { producerId: 2 ** 50 + 1, producerEpoch: 7, timeoutMs: 60_000, status: TxnStatus.Ongoing, partitions: new Map([['out', [0, 3]], ['__consumer_offsets', [0]]]), lastUpdateMs: 1_700_000_000_123, startMs: 1_700_000_000_000 };
  t.deepEqual(decodeTxnValue(encodeTxnValue(m)), m);
  const empty = { ...m, status: TxnStatus.CompleteCommit, partitions: new Map(), startMs: -1 };
  t.deepEqual(decodeTxnValue(encodeTxnValue(empty)), empty);
  const bytes = encodeTxnValue(empty);
  // version(2) pid(8) epoch(2) timeout(4) status(1) partitions count(4) last update(8) start(8)
  t.is(bytes.length, 37);
  t.is(bytes.readInt16BE(0), 0);
  t.is(bytes.readInt8(16), 4, 'CompleteCommit is 4, as in Kafka');
});
