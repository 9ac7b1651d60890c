/**
 * ProduceGroups with a recording stand-in for the chain's appendMany: produces started in one turn of
 * the event loop reach the log as one group per partition, in arrival order, and each settles with its
 * own outcome only once its group was written.
 */
import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ProduceGroups } from '../../src/server/produce-groups.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import type { ChainAppend } from '../../src/chain/replica-log.ts';

/** A stand-in chain that numbers requests by their first byte and refuses those starting with 0xff. */
function recordingChain() {
  const calls: { topic: string; partition: number; requests: number[] }[] = [];
  let next = 0;
  const appendGroup = (topic: string, partition: number, requests: readonly Buffer[]): (ChainAppend | KafkaError)[] => {
    calls.push({ topic, partition, requests: requests.map((r) => r[0]!) });
    return requests.map((r) => r[0] === 0xff
      ? new KafkaError('CORRUPT_MESSAGE', 'refused')
      : { baseOffset: next, lastOffset: next++, duplicate: false, logStartOffset: 0 });
  };
  return { calls, appendGroup };
}

test('produces started in one turn are appended as one group per partition, in order', async (t) => {
  const chain = recordingChain();
  const groups = new ProduceGroups(chain.appendGroup);
  const settled: number[] = [];
  const all = [1, 2, 3].map((n) => groups.append('a', 0, Buffer.from([n])).then((r) => settled.push(r.baseOffset)));
  const other = groups.append('a', 1, Buffer.from([9]));
  // Nothing is written (or acknowledged) before the turn's microtasks have run.
  t.deepEqual(chain.calls, []);
  await Promise.all([...all, other]);
  t.deepEqual(chain.calls, [{ topic: 'a', partition: 0, requests: [1, 2, 3] }, { topic: 'a', partition: 1, requests: [9] }]);
  t.deepEqual(settled, [0, 1, 2]);
  t.deepEqual(groups.stats, { groups: 2, requests: 4 });
  // A later turn starts a new group.
  await nextTurn();
  await groups.append('a', 0, Buffer.from([4]));
  t.deepEqual(chain.calls[2], { topic: 'a', partition: 0, requests: [4] });
});

test('a refused request fails alone; a failed write fails its whole group', async (t) => {
  const chain = recordingChain();
  const groups = new ProduceGroups(chain.appendGroup);
  const [ok, bad] = await Promise.allSettled([groups.append('a', 0, Buffer.from([1])), groups.append('a', 0, Buffer.from([0xff]))]);
  t.is(ok.status, 'fulfilled');
  t.is(bad.status === 'rejected' && (bad.reason as KafkaError).codeName, 'CORRUPT_MESSAGE');

  const failing = new ProduceGroups(() => {
    throw new Error('EIO: i/o error, write');
  });
  const outcomes = await Promise.allSettled([failing.append('a', 0, Buffer.from([1])), failing.append('a', 0, Buffer.from([2]))]);
  t.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
});

test('while a partition\'s write is in flight its new produces wait and go out together as the next group', async (t) => {
  const chain = recordingChain();
  const landing: (() => void)[] = [];
  // A stand-in for ChainNode.appendManyAsync whose writes land when the test says so.
  const groups = new ProduceGroups((topic, partition, requests) => {
    const results = chain.appendGroup(topic, partition, requests);
    return new Promise((resolve) => landing.push(() => resolve(results)));
  });
  const first = groups.append('a', 0, Buffer.from([1]));
  await nextTurn();
  t.is(landing.length, 1, 'the first group is being written');
  const waiting = [2, 3].map((n) => groups.append('a', 0, Buffer.from([n])));
  const other = groups.append('a', 1, Buffer.from([9]));
  await nextTurn();
  // Another partition is not held up; this one waits for its write in flight.
  t.deepEqual(chain.calls.map((c) => c.requests), [[1], [9]]);
  landing.shift()!();
  t.is((await first).baseOffset, 0);
  await nextTurn();
  t.deepEqual(chain.calls.map((c) => c.requests), [[1], [9], [2, 3]]);
  for (const land of landing.splice(0)) land();
  t.deepEqual((await Promise.all(waiting)).map((r) => r.baseOffset), [2, 3]);
  t.is((await other).baseOffset, 1);
  t.deepEqual(groups.stats, { groups: 3, requests: 4 });
});

test('a rejected async write fails its group and the partition takes the next one', async (t) => {
  let calls = 0;
  const groups = new ProduceGroups(async (_topic, _partition, requests) => {
    if (calls++ === 0) throw new KafkaError('KAFKA_STORAGE_ERROR', 'ENOSPC');
    return requests.map((_, i) => ({ baseOffset: i, lastOffset: i, duplicate: false, logStartOffset: 0 }));
  });
  const failed = groups.append('a', 0, Buffer.from([1]));
  const next = groups.append('a', 0, Buffer.from([2]));
  await t.throwsAsync(failed, { instanceOf: KafkaError });
  await t.throwsAsync(next, { instanceOf: KafkaError }, 'the same group');
  t.is((await groups.append('a', 0, Buffer.from([3]))).baseOffset, 0);
});
