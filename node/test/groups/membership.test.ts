/**
 * The classic rebalance state machine driven by a fake clock: joins, generations, leaders, syncs,
 * heartbeats, session and rebalance timeouts, leaving, MEMBER_ID_REQUIRED and static members.
 */
import test from 'ava';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { GroupMembership } from '../../src/groups/membership.ts';
import type { JoinRequest } from '../../src/groups/group.ts';
import type { JoinResult } from '../../src/groups/group.ts';
import { FakeClock, flush, track } from './fake-clock.ts';

const SESSION = 10_000;
const REBALANCE = 20_000;
const DELAY = 1000;
const meta = (s: string): Buffer => Buffer.from(s);

function setup(): { clock: FakeClock; groups: GroupMembership } {
  const clock = new FakeClock();
  let n = 0;
  const groups = new GroupMembership(clock, { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000, initialRebalanceDelayMs: DELAY }, (clientId) => `${clientId}-${++n}`);
  return { clock, groups };
}

function joinReq(over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g', memberId: '', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION, rebalanceTimeoutMs: REBALANCE, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: meta('m') }], requireKnownMemberId: false, ...over,
  };
}

const ok = (r: JoinResult | undefined): JoinResult => {
  if (!r || r.errorCode !== 0) throw new Error(`join failed: ${JSON.stringify(r)}`);
  return r;
};

/** Two members in a Stable group of generation 1; returns their ids (a is the leader). */
async function stableTwo(clock: FakeClock, groups: GroupMembership): Promise<{ a: string; b: string }> {
  const ja = track(groups.join(joinReq({ clientId: 'a' })));
  const jb = track(groups.join(joinReq({ clientId: 'b' })));
  clock.advance(DELAY);
  await flush();
  const a = ok(ja.value).memberId;
  const b = ok(jb.value).memberId;
  const sb = track(groups.sync({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }));
  await groups.sync({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: a, assignment: meta('A') }, { memberId: b, assignment: meta('B') }] });
  await flush();
  if (sb.value?.errorCode !== 0) throw new Error('follower sync failed');
  return { a, b };
}

test('members joining within the initial delay form one generation; only the leader gets the member list', async (t) => {
  const { clock, groups } = setup();
  const ja = track(groups.join(joinReq({ clientId: 'a' })));
  const jb = track(groups.join(joinReq({ clientId: 'b', protocols: [{ name: 'roundrobin', metadata: meta('x') }, { name: 'range', metadata: meta('y') }] })));
  clock.advance(DELAY - 1);
  await flush();
  t.is(ja.value, undefined, 'no answer during the initial delay');
  clock.advance(1);
  await flush();
  const a = ok(ja.value);
  const b = ok(jb.value);
  t.is(a.generationId, 1);
  t.is(b.generationId, 1);
  t.is(a.leader, a.memberId);
  t.is(b.leader, a.memberId);
  t.is(a.protocolName, 'range', 'the only protocol both support');
  t.deepEqual(a.members.map((m) => [m.memberId, m.metadata.toString()]), [[a.memberId, 'm'], [b.memberId, 'y']]);
  t.deepEqual(b.members, []);
  t.is(groups.describe('g').groupState, 'CompletingRebalance');
});

test('followers wait in SyncGroup until the leader hands out assignments; then the group is Stable', async (t) => {
  const { clock, groups } = setup();
  const ja = track(groups.join(joinReq({ clientId: 'a' })));
  const jb = track(groups.join(joinReq({ clientId: 'b' })));
  clock.advance(DELAY);
  await flush();
  const a = ok(ja.value).memberId;
  const b = ok(jb.value).memberId;
  const sb = track(groups.sync({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }));
  await flush();
  t.is(sb.value, undefined);
  const sa = await groups.sync({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a, assignment: meta('A') }, { memberId: b, assignment: meta('B') }] });
  await flush();
  t.is(sa.assignment.toString(), 'A');
  t.is(sb.value?.errorCode, 0);
  t.is(sb.value?.assignment.toString(), 'B');
  t.is(groups.describe('g').groupState, 'Stable');
  t.is(groups.describe('g').protocolData, 'range');
});

test('JoinGroup v4+ without a member id answers MEMBER_ID_REQUIRED with the id to rejoin with', async (t) => {
  const { clock, groups } = setup();
  const first = await groups.join(joinReq({ requireKnownMemberId: true }));
  t.is(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED.code);
  t.truthy(first.memberId);
  t.is(groups.describe('g').members.length, 0, 'not a member until it rejoins');
  const again = track(groups.join(joinReq({ requireKnownMemberId: true, memberId: first.memberId })));
  clock.advance(DELAY);
  await flush();
  t.is(ok(again.value).memberId, first.memberId);
  t.is(again.value!.leader, first.memberId);
});

test('a pending member id that never comes back stops blocking the rebalance after its session timeout', async (t) => {
  const { clock, groups } = setup();
  const { a } = await stableTwo(clock, groups);
  const pending = await groups.join(joinReq({ requireKnownMemberId: true, clientId: 'late' }));
  t.is(pending.errorCode, ErrorCode.MEMBER_ID_REQUIRED.code);
  t.is(groups.describe('g').groupState, 'Stable', 'a pending id alone does not rebalance');
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), 0);
  // Unknown-id join from a v4 client is only a reservation; a known member changing metadata rebalances.
  const ja = track(groups.join(joinReq({ clientId: 'a', memberId: a, protocols: [{ name: 'range', metadata: meta('changed') }] })));
  t.is(groups.describe('g').groupState, 'PreparingRebalance');
  clock.advance(SESSION - 1);
  await flush();
  t.is(ja.value, undefined, 'waiting for b and the pending id');
  clock.advance(REBALANCE);
  await flush();
  t.is(ok(ja.value).generationId, 2);
  t.deepEqual(ja.value!.members.map((m) => m.memberId), [a], 'b and the pending id are gone');
});

test('a member that stops heartbeating is removed after its session timeout and the rest rebalance', async (t) => {
  const { clock, groups } = setup();
  const { a, b } = await stableTwo(clock, groups);
  clock.advance(SESSION / 2);
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), 0, 'a stays alive');
  t.is(groups.describe('g').groupState, 'Stable');
  clock.advance(SESSION / 2);
  t.is(groups.describe('g').groupState, 'PreparingRebalance', 'b expired');
  t.deepEqual(groups.describe('g').members.map((m) => m.memberId), [a]);
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS.code);
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID.code);
  const ja = track(groups.join(joinReq({ clientId: 'a', memberId: a })));
  await flush();
  t.is(ok(ja.value).generationId, 2, 'the only member rejoined: the rebalance completes at once');
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION.code);
});

test('members that do not rejoin within the rebalance timeout are dropped from the next generation', async (t) => {
  const { clock, groups } = setup();
  const { a, b } = await stableTwo(clock, groups);
  const jc = track(groups.join(joinReq({ clientId: 'c' })));
  const ja = track(groups.join(joinReq({ clientId: 'a', memberId: a })));
  // b keeps heartbeating (and is told to rejoin) but never does.
  for (let elapsed = 0; elapsed < REBALANCE - 3000; elapsed += 3000) {
    clock.advance(3000);
    t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS.code);
  }
  await flush();
  t.is(ja.value, undefined);
  clock.advance(3000);
  await flush();
  const ra = ok(ja.value);
  t.is(ra.generationId, 2);
  t.is(ok(jc.value).generationId, 2);
  t.deepEqual(ra.members.map((m) => m.memberId).sort(), [a, jc.value!.memberId].sort());
});

test('leaving rebalances the rest; the last member leaving empties the group and bumps the generation', async (t) => {
  const { clock, groups } = setup();
  const { a, b } = await stableTwo(clock, groups);
  t.deepEqual(groups.leave('g', [{ memberId: b, groupInstanceId: null }]), [0]);
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS.code);
  const ja = await groups.join(joinReq({ clientId: 'a', memberId: a }));
  t.is(ja.generationId, 2);
  t.deepEqual(ja.members.map((m) => m.memberId), [a]);
  t.deepEqual(groups.leave('g', [{ memberId: a, groupInstanceId: null }, { memberId: 'nobody', groupInstanceId: null }]), [0, ErrorCode.UNKNOWN_MEMBER_ID.code]);
  await flush();
  const d = groups.describe('g');
  t.is(d.groupState, 'Empty');
  t.is(groups.groups.get('g')!.generationId, 3);
  clock.advance(60_000);
  t.is(groups.describe('g').groupState, 'Empty', 'no timer revives it');
});

test('a leader that never syncs: the sync phase ends after the rebalance timeout and waiting followers are told to rejoin', async (t) => {
  const { clock, groups } = setup();
  const ja = track(groups.join(joinReq({ clientId: 'a' })));
  const jb = track(groups.join(joinReq({ clientId: 'b' })));
  clock.advance(DELAY);
  await flush();
  const b = ok(jb.value).memberId;
  const sb = track(groups.sync({ groupId: 'g', generationId: 1, memberId: b, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }));
  clock.advance(REBALANCE);
  await flush();
  t.is(sb.value?.errorCode, ErrorCode.REBALANCE_IN_PROGRESS.code);
  t.false(groups.describe('g').members.some((m) => m.memberId === ja.value!.memberId), 'the silent leader is gone');
});

test('SyncGroup and commits check the generation; commits during CompletingRebalance wait for the assignment', async (t) => {
  const { clock, groups } = setup();
  const ja = track(groups.join(joinReq({ clientId: 'a' })));
  clock.advance(DELAY);
  await flush();
  const a = ok(ja.value).memberId;
  t.is(groups.checkCommit({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), ErrorCode.REBALANCE_IN_PROGRESS.code);
  t.is((await groups.sync({ groupId: 'g', generationId: 7, memberId: a, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode, ErrorCode.ILLEGAL_GENERATION.code);
  t.is((await groups.sync({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null, protocolType: 'connect', protocolName: null, assignments: [] })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL.code);
  await groups.sync({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] });
  t.is(groups.checkCommit({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), 0);
  t.is(groups.checkCommit({ groupId: 'g', generationId: 0, memberId: a, groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION.code);
  t.is(groups.checkCommit({ groupId: 'g', generationId: 1, memberId: 'x', groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID.code);
  t.is(groups.checkCommit({ groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null }), ErrorCode.UNKNOWN_MEMBER_ID.code, 'no simple commits into an active group');
  t.is(groups.checkCommit({ groupId: 'standalone', generationId: -1, memberId: '', groupInstanceId: null }), 0);
  t.is(groups.describe('standalone').groupState, 'Empty');
  t.is(groups.checkCommit({ groupId: 'unknown', generationId: 3, memberId: 'm', groupInstanceId: null }), ErrorCode.ILLEGAL_GENERATION.code);
});

test('a joiner with another protocol type or no common protocol is refused', async (t) => {
  const { clock, groups } = setup();
  track(groups.join(joinReq({ clientId: 'a' })));
  clock.advance(DELAY);
  t.is((await groups.join(joinReq({ protocolType: 'connect' }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL.code);
  t.is((await groups.join(joinReq({ protocols: [{ name: 'sticky', metadata: meta('') }] }))).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL.code);
  t.is((await groups.join(joinReq({ groupId: '' }))).errorCode, ErrorCode.INVALID_GROUP_ID.code);
  t.is((await groups.join(joinReq({ groupId: 'h', sessionTimeoutMs: 10 }))).errorCode, ErrorCode.INVALID_SESSION_TIMEOUT.code);
});

test('a static member that restarts gets its old assignment back without a rebalance; its old id is fenced', async (t) => {
  const { clock, groups } = setup();
  const ja = track(groups.join(joinReq({ clientId: 'a' })));
  const js = track(groups.join(joinReq({ clientId: 's', groupInstanceId: 'instance-1' })));
  clock.advance(DELAY);
  await flush();
  const a = ok(ja.value).memberId;
  const oldS = ok(js.value).memberId;
  const ss = track(groups.sync({ groupId: 'g', generationId: 1, memberId: oldS, groupInstanceId: 'instance-1', protocolType: null, protocolName: null, assignments: [] }));
  await groups.sync({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [{ memberId: a, assignment: meta('A') }, { memberId: oldS, assignment: meta('S') }] });
  await flush();
  t.is(ss.value?.assignment.toString(), 'S');

  // The static member's process restarts: it joins again without a member id, same instance id.
  const rejoin = await groups.join(joinReq({ clientId: 's', groupInstanceId: 'instance-1' }));
  t.is(rejoin.errorCode, 0);
  t.is(rejoin.generationId, 1, 'no new generation');
  t.not(rejoin.memberId, oldS);
  t.is(groups.describe('g').groupState, 'Stable');
  const sync = await groups.sync({ groupId: 'g', generationId: 1, memberId: rejoin.memberId, groupInstanceId: 'instance-1', protocolType: null, protocolName: null, assignments: [] });
  t.is(sync.assignment.toString(), 'S', 'the same assignment as before');
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: oldS, groupInstanceId: 'instance-1' }), ErrorCode.FENCED_INSTANCE_ID.code);
  t.is(groups.heartbeat({ groupId: 'g', generationId: 1, memberId: a, groupInstanceId: null }), 0, 'the other member saw no rebalance');
  t.deepEqual(groups.leave('g', [{ memberId: oldS, groupInstanceId: 'instance-1' }]), [ErrorCode.FENCED_INSTANCE_ID.code]);
});

test('a static member that misses a rebalance keeps its place until its session expires', async (t) => {
  const { clock, groups } = setup();
  const ja = track(groups.join(joinReq({ clientId: 'a' })));
  const js = track(groups.join(joinReq({ clientId: 's', groupInstanceId: 'instance-1', sessionTimeoutMs: 50_000 })));
  clock.advance(DELAY);
  await flush();
  const a = ok(ja.value).memberId;
  const s = ok(js.value).memberId;
  // a rejoins with new metadata; s is slow: the rebalance completes at the timeout without dropping s.
  const again = track(groups.join(joinReq({ clientId: 'a', memberId: a, protocols: [{ name: 'range', metadata: meta('v2') }] })));
  clock.advance(REBALANCE);
  await flush();
  t.is(ok(again.value).generationId, 2);
  t.true(again.value!.members.some((m) => m.memberId === s), 'static member still listed');
  clock.advance(50_000);
  t.false(groups.describe('g').members.some((m) => m.memberId === s), 'gone once its session expired');
});

test('DeleteGroups removes only groups without members', async (t) => {
  const { clock, groups } = setup();
  track(groups.join(joinReq({ clientId: 'a' })));
  clock.advance(DELAY);
  t.is(groups.delete('g'), ErrorCode.NON_EMPTY_GROUP.code);
  t.is(groups.delete('nope'), ErrorCode.GROUP_ID_NOT_FOUND.code);
  groups.ensureGroup('offsets-only');
  t.is(groups.delete('offsets-only'), 0);
  t.deepEqual(groups.list().map((g) => g.groupId), ['g']);
});
