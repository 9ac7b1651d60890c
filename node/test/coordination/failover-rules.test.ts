import test from 'ava';
import { actingMember, defaultMinInsync, nextJoiner, removeLapsed, withMemberAtTail, withoutMember, writeDeadline } from '../../src/coordination/failover-rules.ts';

const abc = { epoch: 4, members: ['vg-0', 'vg-1', 'vg-2'] };

test('a lapsed head is removed and its successor leads, at the next epoch', (t) => {
  t.deepEqual(removeLapsed(abc, new Set(['vg-1', 'vg-2'])), { epoch: 5, members: ['vg-1', 'vg-2'] });
});

test('a lapsed tail or middle is removed and the others keep their order', (t) => {
  t.deepEqual(removeLapsed(abc, new Set(['vg-0', 'vg-1'])), { epoch: 5, members: ['vg-0', 'vg-1'] });
  t.deepEqual(removeLapsed(abc, new Set(['vg-0', 'vg-2'])), { epoch: 5, members: ['vg-0', 'vg-2'] });
});

test('nothing changes while every lease is live, and a configuration is never emptied', (t) => {
  t.is(removeLapsed(abc, new Set(abc.members)), null);
  t.is(removeLapsed(abc, new Set()), null);
  t.is(withoutMember({ epoch: 1, members: ['vg-0'] }, 'vg-0'), null, 'the only member stays');
});

test('the first live member acts; joiners are appended at the tail, lowest name first', (t) => {
  t.is(actingMember(abc, new Set(['vg-2', 'vg-1'])), 'vg-1');
  t.is(actingMember(abc, new Set(['vg-9'])), undefined);
  t.is(nextJoiner({ epoch: 1, members: ['vg-1'] }, ['vg-10', 'vg-2', 'vg-1']), 'vg-2');
  t.deepEqual(withMemberAtTail({ epoch: 7, members: ['vg-1', 'vg-2'] }, 'vg-0'), { epoch: 8, members: ['vg-1', 'vg-2', 'vg-0'] });
  t.is(withMemberAtTail(abc, 'vg-1'), null);
  t.deepEqual(withoutMember(abc, 'vg-0'), { epoch: 5, members: ['vg-1', 'vg-2'] });
});

test('min.insync defaults to replicas-1 from 3 replicas, else replicas', (t) => {
  t.deepEqual([1, 2, 3, 5].map(defaultMinInsync), [1, 2, 2, 4]);
});

test('writes stop before the store could expire the lease', (t) => {
  const started = 10_000;
  t.true(writeDeadline(started, 3000, 1000) < started + 3000);
  t.true(writeDeadline(started, 3000, 1000) > started + 1000, 'with room for the next renewal');
});
