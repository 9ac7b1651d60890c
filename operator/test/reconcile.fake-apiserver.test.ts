// The operator against a loopback fake API server, over real HTTP through @kubernetes/client-node.
import test, { type ExecutionContext } from 'ava';
import { FakeApiServer, InvalidObjectError, type Obj } from './helpers/fake-apiserver.ts';
import { vonnegutChainValidator } from './helpers/cel.ts';
import { waitFor } from './helpers/wait.ts';
import { startTestOperator } from './helpers/operator.ts';
import { putDrainedPods } from './helpers/fixtures.ts';
import type { RunningOperator } from '../src/main.ts';
import type { VonnegutChain, VonnegutChainSpec, Condition } from '../src/crd/types.ts';

const VGC = ['vonnegut.io/v1alpha1', 'VonnegutChain'] as const;
const STS = ['apps/v1', 'StatefulSet'] as const;
const SVC = ['v1', 'Service'] as const;
const PDB = ['policy/v1', 'PodDisruptionBudget'] as const;
const NS = 'ns1';

interface Env { api: FakeApiServer; op: RunningOperator }

async function setup(t: ExecutionContext, watchNamespace?: string, { cel = false } = {}): Promise<Env> {
  // With cel, admission is a real API server's with the CRD installed: its CEL rules answer 422.
  const api = new FakeApiServer(cel ? { VonnegutChain: vonnegutChainValidator } : {});
  await api.start();
  const op = await startTestOperator(api, { watchNamespace });
  t.teardown(async () => { await op.stop(); await api.stop(); });
  return { api, op };
}

function putChain(api: FakeApiServer, name: string, spec: Partial<VonnegutChainSpec>): Obj {
  const existing = api.get(...VGC, NS, name);
  return api.put({ apiVersion: VGC[0], kind: VGC[1], metadata: { ...(existing?.metadata ?? { name, namespace: NS }) }, spec: { replicas: 3, chains: 2, ...spec } });
}

const chainOf = (api: FakeApiServer, name: string): VonnegutChain | undefined => api.get(...VGC, NS, name) as unknown as VonnegutChain | undefined;
const cond = (api: FakeApiServer, name: string, type: string): Condition | undefined => chainOf(api, name)?.status?.conditions?.find((c) => c.type === type);

/** Waits until the operator has nothing queued and its caches hold every object the fake holds. */
async function settled(env: Env): Promise<void> {
  await waitFor('operator settled', async () => {
    await env.op.controller.queue.idle();
    const cached = env.op.controller.informer({ apiVersion: STS[0], kind: STS[1], plural: '' }).list(NS);
    const stored = env.api.list(...STS, NS);
    const sameRv = stored.every((s) => cached.some((c) => c.metadata?.name === s.metadata.name && c.metadata?.resourceVersion === s.metadata.resourceVersion));
    return sameRv && cached.length === stored.length && env.op.controller.queue.length === 0;
  });
  await env.op.controller.queue.idle();
}

function makeReady(api: FakeApiServer, sts: string, replicas: number): void {
  const obj = api.get(...STS, NS, sts)!;
  api.setStatus(...STS, NS, sts, {
    replicas, readyReplicas: replicas, updatedReplicas: replicas, currentReplicas: replicas,
    currentRevision: 'r1', updateRevision: 'r1', observedGeneration: obj.metadata.generation,
  });
}

async function metric(op: RunningOperator, line: RegExp): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${op.metricsPort}/metrics`)).text();
  const m = text.split('\n').find((l) => line.test(l));
  return m === undefined ? undefined : Number(m.split(' ').pop());
}

test('create: headless Services, StatefulSets, PDBs and sidecar RBAC applied server-side with owner references', async (t) => {
  const env = await setup(t);
  const { api } = env;
  putChain(api, 'logs', { chains: 2 });
  await waitFor('status written', () => cond(api, 'logs', 'Ready'));
  await settled(env);
  t.deepEqual(api.list(...STS, NS).map((s) => s.metadata.name).sort(), ['logs-0', 'logs-1']);
  t.deepEqual(api.list(...SVC, NS).map((s) => s.metadata.name).sort(), ['logs-0', 'logs-1']);
  t.deepEqual(api.list(...PDB, NS).map((s) => s.metadata.name).sort(), ['logs-0', 'logs-1']);
  t.truthy(api.get('v1', 'ServiceAccount', NS, 'logs-sidecar'));
  t.truthy(api.get('rbac.authorization.k8s.io/v1', 'RoleBinding', NS, 'logs-sidecar'));
  const uid = api.get(...VGC, NS, 'logs')!.metadata.uid;
  for (const o of [...api.list(...STS, NS), ...api.list(...SVC, NS), ...api.list(...PDB, NS)]) {
    t.deepEqual(o.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid]), [['VonnegutChain', 'logs', uid]]);
  }
  const applies = api.requests.filter((r) => r.method === 'PATCH' && !r.path.endsWith('/status'));
  t.is(applies.length, 9);
  for (const a of applies) {
    t.is(a.contentType, 'application/apply-patch+yaml');
    t.is(a.query.get('fieldManager'), 'vonnegut-operator');
    t.is(a.query.get('force'), 'true');
  }
  const svc = api.get(...SVC, NS, 'logs-0') as { spec: { clusterIP: string; publishNotReadyAddresses: boolean; ports: { name: string }[] } } & Obj;
  t.is(svc.spec.clusterIP, 'None');
  t.true(svc.spec.publishNotReadyAddresses);
  t.is(svc.spec.ports[0]!.name, 'kafka');
  const status = chainOf(api, 'logs')!.status!;
  t.is(status.observedGeneration, 1);
  t.is(status.readyChains, '0/2');
  t.is(cond(api, 'logs', 'Ready')?.status, 'False');
  t.is(cond(api, 'logs', 'Progressing')?.status, 'True');
  t.is(cond(api, 'logs', 'Degraded')?.status, 'False');
  t.true(api.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/logs/status') && r.contentType.startsWith('application/merge-patch+json')));
  t.true((await metric(env.op, /^vonnegut_operator_reconciliations_total\{result="success"\}/))! >= 1);
  t.is(await metric(env.op, /^vonnegut_operator_managed_resources\{kind="StatefulSet"\}/), 2);
  t.true((await metric(env.op, /^vonnegut_operator_reconcile_duration_seconds_count/))! >= 1);
});

test('idempotent: a second reconcile of an unchanged resource sends no writes', async (t) => {
  const env = await setup(t);
  const { api, op } = env;
  putChain(api, 'logs', {});
  await waitFor('status written', () => cond(api, 'logs', 'Ready'));
  await settled(env);
  const before = api.requests.length;
  const outcome = await op.controller.reconciler.reconcile(`${NS}/logs`);
  t.is(outcome.kind, 'done');
  t.deepEqual(api.writes(before), []);
  t.deepEqual(outcome.report?.applied, []);
  t.is(outcome.report?.unchanged, 9);
  // Readiness arrives: the status changes once, then reconciles are quiet again.
  makeReady(api, 'logs-0', 3);
  makeReady(api, 'logs-1', 3);
  await waitFor('Ready=True', () => cond(api, 'logs', 'Ready')?.status === 'True');
  t.is(chainOf(api, 'logs')?.status?.readyChains, '2/2');
  t.deepEqual(chainOf(api, 'logs')?.status?.chains?.map((c) => [c.name, c.head, c.tail, c.ready]), [['logs-0', 'logs-0-0', 'logs-0-2', true], ['logs-1', 'logs-1-0', 'logs-1-2', true]]);
  await settled(env);
  const mark = api.requests.length;
  await op.controller.reconciler.reconcile(`${NS}/logs`);
  t.deepEqual(api.writes(mark), []);
});

test('drift: a field changed behind the operator is re-applied', async (t) => {
  const env = await setup(t);
  const { api } = env;
  putChain(api, 'logs', { chains: 1 });
  await waitFor('sts', () => api.get(...STS, NS, 'logs-0'));
  await settled(env);
  const sts = api.get(...STS, NS, 'logs-0')! as Obj & { spec: { replicas: number } };
  api.put({ ...sts, spec: { ...sts.spec, replicas: 1 } });
  await waitFor('replicas restored', () => (api.get(...STS, NS, 'logs-0') as { spec: { replicas: number } }).spec.replicas === 3);
  t.pass();
});

test('spec change: replicas and image reach the StatefulSets; observedGeneration follows', async (t) => {
  const env = await setup(t);
  const { api } = env;
  putChain(api, 'logs', {});
  await waitFor('first status', () => chainOf(api, 'logs')?.status?.observedGeneration === 1);
  await settled(env);
  putChain(api, 'logs', { replicas: 5, image: 'vonnegut:2' });
  type Sts = { spec: { replicas: number; template: { spec: { containers: { name: string; image: string; env: { name: string; value?: string }[] }[] } } } };
  await waitFor('sts updated', () => ['logs-0', 'logs-1'].every((n) => (api.get(...STS, NS, n) as unknown as Sts).spec.replicas === 5));
  for (const n of ['logs-0', 'logs-1']) {
    const s = api.get(...STS, NS, n) as unknown as Sts;
    t.deepEqual(s.spec.template.spec.containers.map((c) => c.image), ['vonnegut:2', 'vonnegut:2']);
    t.is(s.spec.template.spec.containers[0]!.env.find((e) => e.name === 'VONNEGUT_REPLICAS')?.value, '5');
  }
  await waitFor('observedGeneration 2', () => chainOf(api, 'logs')?.status?.observedGeneration === 2);
  t.is(cond(api, 'logs', 'Ready')?.observedGeneration, 2);
});

test('scale up adds chains; scale down is refused until the chain reports drained and empty', async (t) => {
  const env = await setup(t);
  const { api } = env;
  putChain(api, 'logs', { chains: 2 });
  await waitFor('2 sts', () => api.list(...STS, NS).length === 2);
  putChain(api, 'logs', { chains: 3 });
  await waitFor('3 sts', () => api.list(...STS, NS).length === 3);
  // Every node learns about the new chain through VONNEGUT_CLUSTER.
  const clusterEnv = (n: string): string | undefined => (api.get(...STS, NS, n) as unknown as { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }).spec.template.spec.containers[0]!.env.find((e) => e.name === 'VONNEGUT_CLUSTER')?.value;
  await waitFor('cluster env on logs-0', () => clusterEnv('logs-0')?.split(',').length === 3);
  await settled(env);
  putChain(api, 'logs', { chains: 2 });
  await waitFor('ScaleDownRefused', () => cond(api, 'logs', 'Degraded')?.reason === 'ScaleDownRefused');
  t.truthy(api.get(...STS, NS, 'logs-2'));
  t.regex(cond(api, 'logs', 'Degraded')!.message, /logs-2/);
  // The sidecars report: drained, no topics.
  putDrainedPods(api, NS, 'logs', 'logs-2', 3);
  await waitFor('logs-2 removed', () => !api.get(...STS, NS, 'logs-2') && !api.get(...SVC, NS, 'logs-2') && !api.get(...PDB, NS, 'logs-2'));
  await waitFor('Degraded cleared', () => cond(api, 'logs', 'Degraded')?.status === 'False');
  t.truthy(api.get(...STS, NS, 'logs-1'));
});

test('deletion: the operator leaves garbage collection to the API server and recreates nothing', async (t) => {
  const env = await setup(t);
  const { api, op } = env;
  putChain(api, 'logs', {});
  await waitFor('status', () => cond(api, 'logs', 'Ready'));
  await settled(env);
  const mark = api.requests.length;
  api.remove(...VGC, NS, 'logs');
  await waitFor('children gone from cache', () => op.controller.informer({ apiVersion: STS[0], kind: STS[1], plural: '' }).list(NS).length === 0);
  await op.controller.queue.idle();
  t.deepEqual(api.writes(mark).filter((w) => w.method !== 'DELETE'), []);
  t.deepEqual(api.list(...STS, NS), []);
  t.true(api.requests.slice(mark).some((r) => r.method === 'GET' && r.path.endsWith('/vonnegutchains/logs')), 're-read the resource');
  await waitFor('managed gauge', async () => (await metric(op, /^vonnegut_operator_managed_resources\{kind="StatefulSet"\}/)) === 0);
});

test('watch disconnect: informers reconnect from their resourceVersion without relisting', async (t) => {
  const env = await setup(t);
  const { api } = env;
  await waitFor('watches open', () => api.openWatches() === 8);
  const lists = (): number => api.requests.filter((r) => r.method === 'GET' && !r.query.has('watch') && /vonnegutchains$/.test(r.path)).length;
  const listsBefore = lists();
  api.closeWatches();
  await waitFor('watches reopened', () => api.openWatches() === 8);
  putChain(api, 'after', { chains: 1 });
  await waitFor('reacted after reconnect', () => api.get(...STS, NS, 'after-0'));
  t.is(lists(), listsBefore);
  const rewatch = api.requests.filter((r) => r.query.get('watch') === 'true' && /vonnegutchains$/.test(r.path)).pop();
  t.truthy(rewatch?.query.get('resourceVersion'));
});

test('410 Gone: informers relist and repair what changed while their history was compacted', async (t) => {
  const env = await setup(t);
  const { api } = env;
  putChain(api, 'logs', { chains: 1 });
  await waitFor('sts', () => api.get(...STS, NS, 'logs-0'));
  await settled(env);
  const lists = (): number => api.requests.filter((r) => r.method === 'GET' && !r.query.has('watch') && /statefulsets$/.test(r.path)).length;
  const before = lists();
  api.removeSilently(...STS, NS, 'logs-0');
  api.compact();
  api.closeWatches();
  await waitFor('relisted', () => lists() > before);
  await waitFor('statefulset re-applied', () => api.get(...STS, NS, 'logs-0'));
  t.pass();
});

test('API errors become a Degraded condition and clear after a successful retry', async (t) => {
  const env = await setup(t);
  const { api } = env;
  api.fail('PATCH', /statefulsets\/logs-0(\?|$)/, 500, 3);
  putChain(api, 'logs', { chains: 1 });
  await waitFor('Degraded ApiError', () => cond(api, 'logs', 'Degraded')?.reason === 'ApiError');
  t.regex(cond(api, 'logs', 'Degraded')!.message, /apply StatefulSet\/ns1\/logs-0: HTTP 500/);
  t.is(cond(api, 'logs', 'Degraded')!.status, 'True');
  await waitFor('recovered', () => cond(api, 'logs', 'Degraded')?.status === 'False');
  t.truthy(api.get(...STS, NS, 'logs-0'));
  t.true((await metric(env.op, /^vonnegut_operator_reconciliations_total\{result="error"\}/))! >= 1);
});

test('invalid spec: Degraded InvalidSpec, nothing applied, no retry storm', async (t) => {
  const env = await setup(t);
  const { api } = env;
  putChain(api, 'logs', { chainNames: ['a', 'a'] });
  await waitFor('InvalidSpec', () => cond(api, 'logs', 'Degraded')?.reason === 'InvalidSpec');
  await env.op.controller.queue.idle();
  t.deepEqual(api.list(...STS, NS), []);
  t.is(env.op.controller.queue.failureCount(`${NS}/logs`), 0);
});

test('fake API server without CEL: SSL without tls.secretName is Degraded InvalidSpec with the rule message; running chains are left as they are', async (t) => {
  const env = await setup(t);
  const { api } = env;
  putChain(api, 'logs', {});
  await waitFor('2 sts', () => api.list(...STS, NS).length === 2, 30_000);
  await settled(env);
  const before = api.list(...STS, NS).map((s) => s.metadata.resourceVersion);
  putChain(api, 'logs', { security: { protocol: 'SSL' } });
  await waitFor('InvalidSpec', () => cond(api, 'logs', 'Degraded')?.reason === 'InvalidSpec', 30_000);
  t.is(cond(api, 'logs', 'Degraded')?.message, 'security.tls.secretName is required when protocol is SSL or SASL_SSL');
  await env.op.controller.queue.idle();
  t.deepEqual(api.list(...STS, NS).map((s) => s.metadata.resourceVersion), before);
  // Fixed spec: the pods get the secret mounted and the env that points at it.
  putChain(api, 'logs', { security: { protocol: 'SSL', tls: { secretName: 'logs-tls' } } });
  await waitFor('Degraded cleared', () => cond(api, 'logs', 'Degraded')?.status === 'False', 30_000);
  const pod = (api.get(...STS, NS, 'logs-0') as unknown as { spec: { template: { spec: { volumes: { name: string; secret?: { secretName: string } }[]; containers: { env: { name: string; value?: string }[] }[] } } } }).spec.template.spec;
  t.is(pod.volumes.find((v) => v.name === 'tls')?.secret?.secretName, 'logs-tls');
  t.is(pod.containers[0]!.env.find((e) => e.name === 'VONNEGUT_SECURITY_PROTOCOL')?.value, 'SSL');
});

test('a failing watch stops the informer: /readyz turns 503, the informer restarts with backoff, /readyz recovers', async (t) => {
  const env = await setup(t);
  const { api, op } = env;
  const readyz = async (): Promise<number> => (await fetch(`http://127.0.0.1:${op.metricsPort}/readyz`)).status;
  await waitFor('ready', async () => (await readyz()) === 200);
  t.is((await fetch(`http://127.0.0.1:${op.metricsPort}/healthz`)).status, 200);
  api.fail('GET', /statefulsets\?.*watch=true/, 500, 4);
  api.fail('GET', /statefulsets\?(?!.*watch)/, 500, 2);
  api.compact();
  api.closeWatches();
  await waitFor('not ready', async () => (await readyz()) === 503);
  const body = await (await fetch(`http://127.0.0.1:${op.metricsPort}/readyz`)).json() as { informers: Record<string, { ready: boolean }> };
  t.false(body.informers.StatefulSet?.ready);
  await waitFor('ready again', async () => (await readyz()) === 200, 60_000);
  t.true((await metric(op, /^vonnegut_operator_informer_restarts_total\{kind="StatefulSet"\}/))! >= 1);
  // Still working after recovery.
  putChain(api, 'later', { chains: 1 });
  await waitFor('reconciled after restart', () => api.get(...STS, NS, 'later-0'));
});

test('namespace scope: watching one namespace ignores resources elsewhere', async (t) => {
  const env = await setup(t, NS);
  const { api } = env;
  t.true(api.requests.some((r) => r.path === '/apis/vonnegut.io/v1alpha1/namespaces/ns1/vonnegutchains'));
  api.put({ apiVersion: VGC[0], kind: VGC[1], metadata: { name: 'other', namespace: 'ns2' }, spec: { replicas: 1, chains: 1 } });
  putChain(api, 'mine', { chains: 1 });
  await waitFor('mine reconciled', () => api.get(...STS, NS, 'mine-0'));
  await env.op.controller.queue.idle();
  t.deepEqual(api.list(...STS, 'ns2'), []);
});

test('storage change: refused by the CRD rule with 422; the StatefulSets keep their claims and the resource stays healthy', async (t) => {
  const env = await setup(t, undefined, { cel: true });
  const { api } = env;
  putChain(api, 'logs', { chains: 1, storage: { size: '10Gi' } });
  await waitFor('sts', () => api.get(...STS, NS, 'logs-0'));
  await settled(env);
  const before = api.get(...VGC, NS, 'logs')!;
  // As `kubectl patch --type merge` would send it, over HTTP.
  const res = await fetch(`http://127.0.0.1:${api.port}/apis/vonnegut.io/v1alpha1/namespaces/${NS}/vonnegutchains/logs`, {
    method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { storage: { size: '20Gi' } } }),
  });
  t.is(res.status, 422);
  t.regex(((await res.json()) as { message: string }).message, /storage \(size, storageClassName\) cannot change/);
  t.throws(() => putChain(api, 'logs', { chains: 1, storage: { size: '10Gi', storageClassName: 'other' } }), { instanceOf: InvalidObjectError });
  t.is(api.get(...VGC, NS, 'logs')!.metadata.resourceVersion, before.metadata.resourceVersion, 'nothing was stored');
  // Other changes still go through, and the claim template is what it was.
  putChain(api, 'logs', { chains: 1, storage: { size: '10Gi' }, replicas: 5 });
  type Sts = { spec: { replicas: number; volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] } };
  await waitFor('replicas 5', () => (api.get(...STS, NS, 'logs-0') as unknown as Sts).spec.replicas === 5);
  t.is((api.get(...STS, NS, 'logs-0') as unknown as Sts).spec.volumeClaimTemplates[0]!.spec.resources.requests.storage, '10Gi');
  await settled(env);
  t.is(cond(api, 'logs', 'Degraded')?.status, 'False');
});
