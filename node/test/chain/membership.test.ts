import test from 'ava';
import { compareMemberNames, nodeIdFromName, orderMembers, positionOf, type Member, type Role } from '../../src/chain/membership.ts';

const m = (name: string, port = 9092): Member => ({ name, host: `${name}.svc`, port });
const chain = (...names: string[]) => names.map((n) => m(n));

const roleTable: Array<{ self: string; members: Member[]; replicas: number; role: Role; prev?: string; next?: string; formed: boolean }> = [
  { self: 'vg-0', members: chain('vg-0'), replicas: 1, role: 'solo', formed: true },
  { self: 'vg-0', members: chain('vg-0'), replicas: 3, role: 'solo', formed: false },
  { self: 'vg-0', members: chain('vg-2', 'vg-0', 'vg-1'), replicas: 3, role: 'head', next: 'vg-1', formed: true },
  { self: 'vg-1', members: chain('vg-2', 'vg-0', 'vg-1'), replicas: 3, role: 'middle', prev: 'vg-0', next: 'vg-2', formed: true },
  { self: 'vg-2', members: chain('vg-2', 'vg-0', 'vg-1'), replicas: 3, role: 'tail', prev: 'vg-1', formed: true },
  { self: 'vg-1', members: chain('vg-0', 'vg-1'), replicas: 3, role: 'tail', prev: 'vg-0', formed: false },
  { self: 'vg-10', members: chain('vg-10', 'vg-9', 'vg-2'), replicas: 2, role: 'tail', prev: 'vg-9', formed: true },
  { self: 'vg-9', members: chain('vg-0'), replicas: 1, role: 'outside', formed: false },
];

for (const row of roleTable) {
  test(`${row.self} in [${row.members.map((x) => x.name).join(',')}] replicas=${row.replicas} is ${row.role}`, (t) => {
    const pos = positionOf(row.self, row.members, row.replicas);
    t.is(pos.role, row.role);
    t.is(pos.predecessor?.name, row.prev);
    t.is(pos.successor?.name, row.next);
    t.is(pos.formed, row.formed);
  });
}

test('ordinals order numerically and duplicates collapse', (t) => {
  t.deepEqual(
    orderMembers(chain('a-10', 'a-2', 'a-1', 'a-2')).map((x) => x.name),
    ['a-1', 'a-2', 'a-10'],
  );
  t.true(compareMemberNames('b', 'a') > 0);
});

test('node ids are stable, positive and distinct for sibling pods', (t) => {
  const ids = ['vg-a-0', 'vg-a-1', 'vg-a-2', 'vg-b-0'].map(nodeIdFromName);
  t.is(new Set(ids).size, ids.length);
  for (const id of ids) t.true(id >= 0 && id < 2 ** 31);
  t.is(nodeIdFromName('vg-a-0'), ids[0]);
});
