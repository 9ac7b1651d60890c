// Operator availability: two real operator replicas against the loopback fake API server, electing a
// leader through a coordination.k8s.io Lease (operator/src/leader.ts). Durations are short so a
// takeover takes seconds; the deadlines are generous for a loaded machine. Serial: each test runs two
// operators, and four pairs at once would starve their renewals.
import test, { type ExecutionContext } from 'ava';
import { FakeApiServer } from './helpers/fake-apiserver.ts';
import { waitFor } from './helpers/wait.ts';
import { startTestOperator } from './helpers/operator.ts';
import type { RunningOperator } from '../src/main.ts';
import type { LeaderElectionConfig } from '../src/leader.ts';

const NS = 'ns1';
const OP_NS = 'vonnegut-system';
const VGC = ['vonnegut.io/v1alpha1', 'VonnegutChain'] as const;
const STS = ['apps/v1', 'StatefulSet'] as const;
const LEASE = ['coordination.k8s.io/v1', 'Lease'] as const;
const DEADLINE_MS = 60_000;
// Short enough for a takeover in seconds, long enough that a loaded machine does not make the leader
// miss its renew deadline (which would be a correct, but here unwanted, handover).
const ELECTION = { namespace: OP_NS, name: 'vonnegut-operator', leaseDurationMs: 8000, renewDeadlineMs: 6000, retryPeriodMs: 500 };

interface LeaseSpec { holderIdentity?: string; leaseDurationSeconds?: number; leaseTransitions?: number; renewTime?: string; acquireTime?: string }
const leaseSpec = (api: FakeApiServer): LeaseSpec | undefined => api.get(...LEASE, OP_NS, 'vonnegut-operator')?.spec as LeaseSpec | undefined;

async function replicas(t: ExecutionContext, api: FakeApiServer, lost: string[] = []): Promise<Record<'a' | 'b', RunningOperator>> {
  const start = (identity: string): Promise<RunningOperator> => {
    const leaderElection: LeaderElectionConfig = { ...ELECTION, identity };
    return startTestOperator(api, { leaderElection, onLostLeadership: () => lost.push(identity) });
  };
  const [a, b] = await Promise.all([start('op-a'), start('op-b')]);
  t.teardown(async () => { await a!.stop({ release: false }); await b!.stop({ release: false }); });
  return { a: a!, b: b! };
}

function putChain(api: FakeApiServer, name: string): void {
  api.put({ apiVersion: VGC[0], kind: VGC[1], metadata: { name, namespace: NS }, spec: { replicas: 1, chains: 1 } });
}

/** Reconcile requests (applies, status patches) the fake API server saw since `mark`. */
const writesSince = (api: FakeApiServer, mark: number): number => api.writes(mark).filter((r) => !r.path.includes('/leases/') && !r.path.endsWith('/leases')).length;

test.serial('fake API server: two operator replicas, exactly one leader reconciles; the standby stays idle and ready', async (t) => {
  const api = new FakeApiServer();
  await api.start();
  t.teardown(() => api.stop());
  const ops = await replicas(t, api);
  const leaderOf = (): RunningOperator[] => [ops.a, ops.b].filter((o) => o.isLeader());
  await waitFor('a leader', () => leaderOf().length === 1, DEADLINE_MS);
  const [leader] = leaderOf();
  const standby = leader === ops.a ? ops.b : ops.a;
  const identity = leader === ops.a ? 'op-a' : 'op-b';
  t.like(leaseSpec(api), { holderIdentity: identity, leaseDurationSeconds: 8, leaseTransitions: 0 });
  putChain(api, 'logs');
  await waitFor('leader reconciled', () => api.get(...STS, NS, 'logs-0'), DEADLINE_MS);
  await leader!.controller.queue.idle();
  // Only the leader's controller ran: the standby never started its informers or reconciled.
  t.is(standby.controller.informer({ apiVersion: STS[0], kind: STS[1], plural: '' }).list().length, 0);
  t.false(standby.controller.ready());
  t.false(standby.isLeader());
  // Renewals keep one holder: after several lease durations it is still the same, and renewTime moves.
  const renewed = leaseSpec(api)!.renewTime;
  await waitFor('renewed', () => leaseSpec(api)!.renewTime !== renewed, DEADLINE_MS);
  t.is(leaseSpec(api)!.holderIdentity, identity);
  t.is([ops.a, ops.b].filter((o) => o.isLeader()).length, 1);
  // The standby reports ready (a rolling update must not wait on it) and says it is not the leader.
  const readyz = await fetch(`http://127.0.0.1:${standby.metricsPort}/readyz`);
  t.is(readyz.status, 200);
  t.false(((await readyz.json()) as { leader: boolean }).leader);
  const gauge = async (op: RunningOperator): Promise<string | undefined> =>
    (await (await fetch(`http://127.0.0.1:${op.metricsPort}/metrics`)).text()).split('\n').find((l) => l.startsWith('vonnegut_operator_leader '));
  t.is(await gauge(leader!), 'vonnegut_operator_leader 1');
  t.is(await gauge(standby), 'vonnegut_operator_leader 0');
});

test.serial('fake API server: when the leader stops renewing, the standby takes over after the lease duration and reconciles', async (t) => {
  const api = new FakeApiServer();
  await api.start();
  t.teardown(() => api.stop());
  const ops = await replicas(t, api);
  await waitFor('a leader', () => ops.a.isLeader() || ops.b.isLeader(), DEADLINE_MS);
  const [leader, standby, standbyId] = ops.a.isLeader() ? [ops.a, ops.b, 'op-b'] : [ops.b, ops.a, 'op-a'];
  // As a crash: the leader stops without releasing the Lease.
  await leader.stop({ release: false });
  const stoppedAt = Date.now();
  await waitFor('standby leads', () => standby.isLeader(), DEADLINE_MS);
  t.true(Date.now() - stoppedAt >= 4000, 'the standby waited for the lease to lapse');
  t.like(leaseSpec(api), { holderIdentity: standbyId, leaseTransitions: 1 });
  const mark = api.requests.length;
  putChain(api, 'after');
  await waitFor('new leader reconciled', () => api.get(...STS, NS, 'after-0'), DEADLINE_MS);
  t.true(writesSince(api, mark) > 0);
});

test.serial('fake API server: a clean stop releases the lease, and the standby takes it without waiting out the duration', async (t) => {
  const api = new FakeApiServer();
  await api.start();
  t.teardown(() => api.stop());
  const ops = await replicas(t, api);
  await waitFor('a leader', () => ops.a.isLeader() || ops.b.isLeader(), DEADLINE_MS);
  const [leader, standby] = ops.a.isLeader() ? [ops.a, ops.b] : [ops.b, ops.a];
  await leader.stop();
  t.is(leaseSpec(api)!.holderIdentity, '', 'released');
  await waitFor('standby leads', () => standby.isLeader(), DEADLINE_MS);
});

test.serial('fake API server: a leader that cannot renew gives up leadership after its renew deadline (before the lease lapses); a stale write gets 409 and changes nothing', async (t) => {
  const api = new FakeApiServer();
  await api.start();
  t.teardown(() => api.stop());
  const lost: string[] = [];
  const ops = await replicas(t, api, lost);
  await waitFor('a leader', () => ops.a.isLeader() || ops.b.isLeader(), DEADLINE_MS);
  const [leader, leaderId] = ops.a.isLeader() ? [ops.a, 'op-a'] : [ops.b, 'op-b'];
  // A write carrying an old resourceVersion is refused: the compare-and-set every round relies on.
  const lease = api.get(...LEASE, OP_NS, 'vonnegut-operator')!;
  await waitFor('lease renewed since', () => api.get(...LEASE, OP_NS, 'vonnegut-operator')!.metadata.resourceVersion !== lease.metadata.resourceVersion, DEADLINE_MS);
  const stale = await fetch(`http://127.0.0.1:${api.port}/apis/coordination.k8s.io/v1/namespaces/${OP_NS}/leases/vonnegut-operator`, {
    method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...lease, spec: { ...(lease.spec as object), holderIdentity: 'intruder' } }),
  });
  t.is(stale.status, 409);
  t.not(leaseSpec(api)!.holderIdentity, 'intruder');
  // Every lease update fails from now on: the leader gives up after its renew deadline.
  api.fail('PUT', /\/leases\/vonnegut-operator/, 500, 1_000_000);
  await waitFor('leadership lost', () => lost.includes(leaderId), DEADLINE_MS);
  t.false(leader.isLeader());
});
