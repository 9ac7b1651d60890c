// Least privilege, derived from the code: the operator and the sidecar run their real code against
// the loopback fake API server through the scenarios that exercise every call they make (create,
// status, scale up, a drained scale-down that deletes; settings push, drain and status annotations).
// Every request is mapped to the RBAC permission the real API server would check, and the chart's
// rendered ClusterRoles must grant exactly that set: nothing the code needs is missing, and nothing
// the code does not use is granted, except the one grant no request shows (`bind`, explained below).
import test from 'ava';
import { FakeApiServer, type RequestRecord } from './helpers/fake-apiserver.ts';
import { FakeNode } from './helpers/fake-node.ts';
import { waitFor } from './helpers/wait.ts';
import { startTestOperator } from './helpers/operator.ts';
import { helmMissingInCi, helmTest, render, skipNote } from './helpers/helm.ts';
import { grantedPermissions, requiredPermissions, type PolicyRule } from './helpers/rbac.ts';
import type { ManifestLike } from './helpers/validate.ts';
import { runSidecar } from '../src/sidecar/main.ts';
import { KubernetesStore } from '../../node/src/coordination/kubernetes.ts';
import { silentLogger } from '../src/logger.ts';
import { LeaderElector } from '../src/leader.ts';
import { putDrainedPods, vgc } from './helpers/fixtures.ts';

if (helmMissingInCi) test('helm is available in CI', (t) => t.fail(helmMissingInCi));

const NS = 'ns1';
const STS = ['apps/v1', 'StatefulSet'] as const;
const VGC = ['vonnegut.io/v1alpha1', 'VonnegutChain'] as const;
/** Deadlines, not sleeps: generous because two scenarios and helm share a loaded machine. */
const DEADLINE_MS = 30_000;

type Role = ManifestLike & { kind: string; metadata: { name: string }; rules: PolicyRule[] };

async function roles(values?: object): Promise<{ operator: Role; sidecar: Role; leaderElection: Role }> {
  const docs = (await render(values)) as Role[];
  const operator = docs.find((d) => (d.kind === 'ClusterRole' || d.kind === 'Role') && d.metadata.name === 'rel-vonnegut')!;
  const sidecar = docs.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'rel-vonnegut-sidecar')!;
  const leaderElection = docs.find((d) => d.kind === 'Role' && d.metadata.name === 'rel-vonnegut-leader-election')!;
  return { operator, sidecar, leaderElection };
}

const needed = (requests: RequestRecord[]): Set<string> => new Set(requests.flatMap(requiredPermissions));
const sorted = (s: Iterable<string>): string[] => [...s].sort();
/** What the requests need and the role lacks, and what the role grants and no request needs. */
const compare = (granted: Set<string>, need: Set<string>): { missing: string[]; unused: string[] } => ({
  missing: sorted([...need].filter((p) => !granted.has(p))),
  unused: sorted([...granted].filter((p) => !need.has(p))),
});
const EXACT = { missing: [], unused: [] };

/** Every call the operator makes: informers, apply of each child kind, status, deletes on scale-down. */
async function operatorRequests(watchNamespace?: string): Promise<RequestRecord[]> {
  const api = new FakeApiServer();
  await api.start();
  const op = await startTestOperator(api, { watchNamespace, sidecarClusterRole: 'rel-vonnegut-sidecar' });
  try {
    const put = (chains: number): void => {
      const existing = api.get(...VGC, NS, 'logs');
      api.put({ apiVersion: VGC[0], kind: VGC[1], metadata: existing?.metadata ?? { name: 'logs', namespace: NS }, spec: { replicas: 3, chains } });
    };
    put(3);
    await waitFor('3 sts', () => api.list(...STS, NS).length === 3, DEADLINE_MS);
    await waitFor('status', () => (api.get(...VGC, NS, 'logs')?.status as { chainCount?: number } | undefined)?.chainCount === 3, DEADLINE_MS);
    put(2);
    putDrainedPods(api, NS, 'logs', 'logs-2', 3);
    await waitFor('drained chain deleted', () => api.list(...STS, NS).length === 2, DEADLINE_MS);
    await op.controller.queue.idle();
    return [...api.requests];
  } finally {
    await op.stop();
    await api.stop();
  }
}

/**
 * Every call a node makes with `--coordinator kubernetes` (its pod shares the sidecar's ServiceAccount):
 * the KubernetesStore through each operation of the CoordinationStore interface.
 */
async function nodeRequests(): Promise<RequestRecord[]> {
  const api = new FakeApiServer();
  await api.start();
  // Deadlines generous: the machine is shared, and a timeout here would only hide requests.
  const store = new KubernetesStore({ kubeConfig: api.kubeConfig(), namespace: NS, watchPollMs: 20, callTimeoutMs: DEADLINE_MS });
  try {
    const first = await store.compareAndSetConfig('logs-1', { epoch: 1, members: ['logs-1-0'] }, null);
    await store.compareAndSetConfig('logs-1', { epoch: 2, members: ['logs-1-0', 'logs-1-1'] }, first!.version);
    await store.getConfig('logs-1');
    const info = { host: '127.0.0.1', port: 9092 };
    await store.renewLease('logs-1', 'logs-1-0', info, 10_000);
    await store.renewLease('logs-1', 'logs-1-0', info, 10_000);
    await store.liveMembers('logs-1');
    let changed = false;
    const stop = store.watch('logs-1', () => { changed = true; });
    await store.releaseLease('logs-1', 'logs-1-0');
    await waitFor('watch saw the release', () => changed, DEADLINE_MS);
    stop();
    return [...api.requests];
  } finally {
    await store.close();
    await api.stop();
  }
}

/** Every call the sidecar makes: watch its resource, write its report Lease, through a drain. */
async function sidecarRequests(): Promise<RequestRecord[]> {
  const api = new FakeApiServer();
  await api.start();
  const node = new FakeNode();
  await node.start();
  const chain = vgc('logs', { chains: 2 });
  api.put({ apiVersion: chain.apiVersion, kind: chain.kind, metadata: { name: 'logs', namespace: NS }, spec: chain.spec });
  const sidecar = await runSidecar({
    namespace: NS, podName: 'logs-1-2', resource: 'logs', chain: 'logs-1', adminUrl: `http://127.0.0.1:${node.port}`,
    intervalMs: 25, kubeConfig: api.kubeConfig(), logger: silentLogger(),
  });
  try {
    const annotation = (): string | undefined => api.get('coordination.k8s.io/v1', 'Lease', NS, 'logs-1-2.status')?.metadata.annotations?.['vonnegut.io/status'];
    await waitFor('first report', () => annotation(), DEADLINE_MS);
    const cur = api.get(...VGC, NS, 'logs')!;
    api.put({ ...cur, spec: { ...(cur.spec as object), chains: 1 } });
    await waitFor('drained', () => annotation()?.includes('"drained":true'), DEADLINE_MS);
    return [...api.requests];
  } finally {
    await sidecar.stop();
    await node.stop();
    await api.stop();
  }
}

// The operator creates a RoleBinding to the sidecar ClusterRole. The API server lets it only if it
// holds every permission of that role or `bind` on it; `bind` on that one name is the narrower grant,
// and it is checked inside the RoleBinding create, so no request of its own shows it.
const BIND_SIDECAR_ROLE = 'bind rbac.authorization.k8s.io/clusterroles';

helmTest(`operator ClusterRole grants exactly the permissions the operator's requests need, plus bind on the sidecar role${skipNote}`, async (t) => {
  const [{ operator }, requests] = await Promise.all([roles(), operatorRequests()]);
  const need = needed(requests);
  // The scenario reached every kind of call, or the comparison below would prove little.
  for (const p of ['watch apps/statefulsets', 'create apps/statefulsets', 'delete apps/statefulsets', 'patch vonnegut.io/vonnegutchains/status', 'get vonnegut.io/vonnegutchains', 'create rbac.authorization.k8s.io/rolebindings', 'watch coordination.k8s.io/leases']) {
    t.true(need.has(p), `scenario made a request needing ${p}`);
  }
  const granted = grantedPermissions(operator.rules);
  t.deepEqual(compare(granted.any, need), EXACT);
  t.deepEqual([...granted.named.entries()], [[BIND_SIDECAR_ROLE, ['rel-vonnegut-sidecar']]]);
  for (const r of operator.rules) t.false([...r.verbs, ...r.resources, ...r.apiGroups].includes('*'), 'no wildcards');
});

helmTest(`namespaced operator Role (watchNamespace) grants exactly what the operator's requests in that namespace need${skipNote}`, async (t) => {
  const [{ operator }, requests] = await Promise.all([roles({ watchNamespace: NS }), operatorRequests(NS)]);
  t.is(operator.kind, 'Role');
  t.deepEqual(compare(grantedPermissions(operator.rules).any, needed(requests)), EXACT);
});

helmTest(`member ClusterRole (the pod's ServiceAccount, sidecar and node) grants exactly what their requests need, and no pod writes${skipNote}`, async (t) => {
  const [{ sidecar }, sidecarNeeds, nodeNeeds] = await Promise.all([roles(), sidecarRequests(), nodeRequests()]);
  t.deepEqual(sorted(needed(sidecarNeeds)), ['create coordination.k8s.io/leases', 'list vonnegut.io/vonnegutchains', 'update coordination.k8s.io/leases', 'watch vonnegut.io/vonnegutchains']);
  t.deepEqual(sorted(needed(nodeNeeds)), ['create coordination.k8s.io/leases', 'delete coordination.k8s.io/leases', 'get coordination.k8s.io/leases', 'list coordination.k8s.io/leases', 'update coordination.k8s.io/leases']);
  const need = needed([...sidecarNeeds, ...nodeNeeds]);
  t.false([...need].some((p) => p.includes('/pods')), 'nothing touches pods');
  const granted = grantedPermissions(sidecar.rules);
  t.deepEqual(compare(granted.any, need), EXACT);
  t.is(granted.named.size, 0);
});

/** Every call of leader election: two candidates campaign, one leads and renews, then releases. */
async function leaderElectionRequests(): Promise<RequestRecord[]> {
  const api = new FakeApiServer();
  await api.start();
  const config = { namespace: 'vonnegut-system', name: 'vonnegut-operator', leaseDurationMs: 8000, renewDeadlineMs: 6000, retryPeriodMs: 200 };
  const callbacks = { onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
  const electors = ['op-a', 'op-b'].map((identity) => new LeaderElector(api.kubeConfig(), { ...config, identity }, silentLogger(), callbacks));
  try {
    for (const e of electors) e.start();
    const leader = await waitFor('a leader', () => electors.find((e) => e.isLeader()), DEADLINE_MS);
    const rv = api.get('coordination.k8s.io/v1', 'Lease', config.namespace, config.name)!.metadata.resourceVersion;
    await waitFor('renewed', () => api.get('coordination.k8s.io/v1', 'Lease', config.namespace, config.name)!.metadata.resourceVersion !== rv, DEADLINE_MS);
    await leader.stop();
    await waitFor('taken over', () => electors.some((e) => e !== leader && e.isLeader()), DEADLINE_MS);
    return [...api.requests];
  } finally {
    await Promise.all(electors.map((e) => e.stop({ release: false })));
    await api.stop();
  }
}

helmTest(`leader-election Role (release namespace) grants exactly what the elector's requests need${skipNote}`, async (t) => {
  const [{ leaderElection }, requests] = await Promise.all([roles(), leaderElectionRequests()]);
  t.is((leaderElection as Role & { metadata: { namespace?: string } }).metadata.namespace, 'vonnegut-system');
  t.true(requests.every((r) => r.path.includes('/namespaces/vonnegut-system/leases')), 'only the one namespace');
  const granted = grantedPermissions(leaderElection.rules);
  t.deepEqual(compare(granted.any, needed(requests)), EXACT);
  t.deepEqual(sorted(granted.any), ['create coordination.k8s.io/leases', 'get coordination.k8s.io/leases', 'update coordination.k8s.io/leases']);
});

test('requiredPermissions maps requests as the API server authorizes them', (t) => {
  const req = (method: string, path: string, query = '', contentType = ''): Pick<RequestRecord, 'method' | 'path' | 'query' | 'contentType'> => ({ method, path, query: new URLSearchParams(query), contentType });
  t.deepEqual(requiredPermissions(req('GET', '/apis/apps/v1')), []);
  t.deepEqual(requiredPermissions(req('GET', '/apis/apps/v1/statefulsets', 'watch=true&resourceVersion=1')), ['watch apps/statefulsets']);
  t.deepEqual(requiredPermissions(req('GET', '/api/v1/namespaces/a/pods')), ['list /pods']);
  t.deepEqual(requiredPermissions(req('GET', '/apis/vonnegut.io/v1alpha1/namespaces/a/vonnegutchains/x')), ['get vonnegut.io/vonnegutchains']);
  t.deepEqual(requiredPermissions(req('PATCH', '/apis/vonnegut.io/v1alpha1/namespaces/a/vonnegutchains/x/status', '', 'application/merge-patch+json')), ['patch vonnegut.io/vonnegutchains/status']);
  t.deepEqual(requiredPermissions(req('PATCH', '/api/v1/namespaces/a/services/s', 'fieldManager=m', 'application/apply-patch+yaml')), ['patch /services', 'create /services']);
  t.deepEqual(requiredPermissions(req('DELETE', '/apis/policy/v1/namespaces/a/poddisruptionbudgets/p')), ['delete policy/poddisruptionbudgets']);
});
