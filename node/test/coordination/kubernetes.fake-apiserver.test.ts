/**
 * The Kubernetes coordination store against the repo's fake API server (a stand-in: no real API server
 * runs here), over real HTTP through @kubernetes/client-node. The fake answers stale resourceVersions
 * with 409 Conflict, invalid objects with 422 and missing ones with 404, as the real one does.
 */
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { KubeConfig } from '@kubernetes/client-node';
import { FakeApiServer } from '../../../operator/test/helpers/fake-apiserver.ts';
import { waitFor } from '../../../e2e/lib/tools.ts';
import { KubernetesStore, podNamespace } from '../../src/coordination/kubernetes.ts';
import { k8sConfigName, k8sMemberName } from '../../src/coordination/keys.ts';
import { CoordinationError } from '../../src/coordination/store.ts';

const NS = 'vg-ns';
const INFO = { host: '127.0.0.9', port: 9092 };
const TTL_MS = 4_000;
const LEASE = ['coordination.k8s.io/v1', 'Lease'] as const;

async function setup(t: ExecutionContext): Promise<{ api: FakeApiServer; open: (opts?: { callTimeoutMs?: number }) => KubernetesStore }> {
  const api = new FakeApiServer();
  await api.start();
  const stores: KubernetesStore[] = [];
  t.teardown(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await api.stop();
  });
  const open = (opts: { callTimeoutMs?: number } = {}): KubernetesStore => {
    const s = new KubernetesStore({ kubeConfig: api.kubeConfig(), namespace: NS, watchPollMs: 100, ...opts });
    stores.push(s);
    return s;
  };
  return { api, open };
}

test('the fake API server answers Lease writes as the real one: 201, 409 AlreadyExists, 409 Conflict, 422, 404', async (t) => {
  const { api } = await setup(t);
  const base = `http://127.0.0.1:${api.port}/apis/coordination.k8s.io/v1/namespaces/${NS}/leases`;
  const send = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: { metadata?: { resourceVersion?: string }; reason?: string } }> => {
    const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, json: (await res.json()) as { metadata?: { resourceVersion?: string }; reason?: string } };
  };
  const lease = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ apiVersion: LEASE[0], kind: LEASE[1], metadata: { name: 'x', ...extra }, spec: { holderIdentity: 'a', leaseDurationSeconds: 5 } });
  const created = await send('POST', base, lease());
  t.is(created.status, 201);
  t.is((await send('POST', base, lease())).json.reason, 'AlreadyExists');
  const rv = created.json.metadata!.resourceVersion!;
  const replaced = await send('PUT', `${base}/x`, lease({ resourceVersion: rv }));
  t.is(replaced.status, 200);
  const stale = await send('PUT', `${base}/x`, lease({ resourceVersion: rv }));
  t.deepEqual([stale.status, stale.json.reason], [409, 'Conflict']);
  t.is((await send('PUT', `${base}/x`, { ...lease(), spec: { leaseDurationSeconds: 0 } })).status, 422);
  t.is((await send('POST', base, { ...lease(), metadata: { name: 'Not_A_Name' } })).status, 422);
  t.is((await send('PUT', `${base}/missing`, { ...lease(), metadata: { name: 'missing' } })).status, 404);
  t.is((await send('GET', `${base}/missing`)).status, 404);
  t.is(api.get(...LEASE, NS, 'x')!.metadata.resourceVersion, replaced.json.metadata!.resourceVersion, 'nothing was written by the refused requests');
});

test('a configuration is created only if absent, as a Lease in the namespace', async (t) => {
  const { api, open } = await setup(t);
  const s = open();
  t.is(await s.getConfig('c1'), null);
  const first = await s.compareAndSetConfig('c1', { epoch: 1, members: ['a', 'b', 'c'] }, null);
  t.truthy(first);
  t.is(await s.compareAndSetConfig('c1', { epoch: 1, members: ['x'] }, null), null);
  t.deepEqual(await s.getConfig('c1'), first);
  t.is(api.get(...LEASE, NS, k8sConfigName('c1'))!.metadata.resourceVersion, first!.version);
});

test('two writers on the same resourceVersion: exactly one wins, the stale one gets null', async (t) => {
  const { open } = await setup(t);
  const [a, b] = [open(), open()];
  await a.compareAndSetConfig('race', { epoch: 1, members: ['n0', 'n1', 'n2'] }, null);
  for (let round = 0; round < 5; round++) {
    const seen = (await a.getConfig('race'))!;
    const epoch = seen.value.epoch + 1;
    const [ra, rb] = await Promise.all([
      a.compareAndSetConfig('race', { epoch, members: ['n1', 'n2'] }, seen.version),
      b.compareAndSetConfig('race', { epoch, members: ['n0', 'n2'] }, seen.version),
    ]);
    t.is([ra, rb].filter((r) => r !== null).length, 1, `round ${round}: exactly one writer wins`);
    t.deepEqual(await b.getConfig('race'), ra ?? rb);
    t.is(await a.compareAndSetConfig('race', { epoch: epoch + 1, members: ['n9'] }, seen.version), null);
  }
});

test('a renewed lease stays live; unrenewed it expires after its TTL and the watch fires', async (t) => {
  const { api, open } = await setup(t);
  const s = open();
  let fired = 0;
  const stop = s.watch('expiry', () => fired++);
  const until = Date.now() + 1.5 * TTL_MS;
  let lastRenew = 0;
  for (;;) {
    lastRenew = Date.now();
    await s.renewLease('expiry', 'm0', INFO, TTL_MS);
    t.deepEqual(await s.liveMembers('expiry'), [{ member: 'm0', info: INFO }]);
    if (Date.now() > until) break;
    await new Promise((r) => setTimeout(r, TTL_MS / 4));
  }
  const spec = api.get(...LEASE, NS, k8sMemberName('expiry', 'm0'))!.spec as { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
  t.is(spec.holderIdentity, 'm0');
  t.is(spec.leaseDurationSeconds, 4);
  t.regex(spec.renewTime, /\.\d{6}Z$/, 'renewTime is a MicroTime');
  await waitFor('the watch to see the member', () => (fired > 0 ? true : undefined), 10_000);
  const before = fired;
  const gone = await waitFor('the lease to expire', async () => ((await s.liveMembers('expiry')).length === 0 ? Date.now() : undefined), 30_000, 50);
  t.true(gone - lastRenew >= TTL_MS, `expired ${gone - lastRenew} ms after the last renewal started`);
  await waitFor('a watch event for the expiry', () => (fired > before ? true : undefined), 10_000);
  stop();
});

test('release drops the lease at once; a renewal recreates a deleted lease and recovers from a conflict', async (t) => {
  const { api, open } = await setup(t);
  const [s, other] = [open(), open()];
  await s.renewLease('rel', 'm0', INFO, 30_000);
  await s.renewLease('rel', 'm1', { host: '127.0.0.8', port: 1 }, 30_000);
  t.deepEqual((await other.liveMembers('rel')).map((m) => m.member), ['m0', 'm1']);
  await s.releaseLease('rel', 'm0');
  t.deepEqual(await other.liveMembers('rel'), [{ member: 'm1', info: { host: '127.0.0.8', port: 1 } }]);
  await s.releaseLease('rel', 'm0');
  // Someone else rewrites m1's Lease: our held resourceVersion is stale (409); deleted: 404.
  const obj = api.get(...LEASE, NS, k8sMemberName('rel', 'm1'))!;
  api.put({ ...obj, metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, touched: 'yes' } } });
  await s.renewLease('rel', 'm1', INFO, 30_000);
  api.remove(...LEASE, NS, k8sMemberName('rel', 'm1'));
  t.deepEqual(await other.liveMembers('rel'), []);
  await s.renewLease('rel', 'm1', INFO, 30_000);
  t.deepEqual(await other.liveMembers('rel'), [{ member: 'm1', info: INFO }]);
});

test('watch fires on a configuration change made by another client', async (t) => {
  const { open } = await setup(t);
  const [s, other] = [open(), open()];
  let fired = 0;
  const stop = s.watch('w', () => fired++);
  await other.compareAndSetConfig('w', { epoch: 1, members: ['a'] }, null);
  await waitFor('a watch event for the change', () => (fired > 0 ? true : undefined), 10_000);
  stop();
  t.pass();
});

test('chain and member names that are not DNS labels still map to valid, distinct objects', async (t) => {
  const { open } = await setup(t);
  const s = open();
  await s.compareAndSetConfig('Orders_EU', { epoch: 1, members: ['node:9092', 'Node/2'] }, null);
  await s.renewLease('Orders_EU', 'node:9092', INFO, 30_000);
  await s.renewLease('Orders_EU', 'Node/2', INFO, 30_000);
  t.deepEqual((await s.getConfig('Orders_EU'))!.value.members, ['node:9092', 'Node/2']);
  t.deepEqual((await s.liveMembers('Orders_EU')).map((m) => m.member), ['Node/2', 'node:9092']);
  t.deepEqual(await s.liveMembers('orders-eu'), []);
});

test('API errors and an API server that never answers reject with CoordinationError in bounded time', async (t) => {
  const { api, open } = await setup(t);
  const s = open();
  api.fail('GET', /leases/, 500, 1);
  await t.throwsAsync(s.getConfig('err'), { instanceOf: CoordinationError });
  api.fail('PUT', /leases/, 403, 1);
  await s.renewLease('err', 'm0', INFO, 30_000);
  await t.throwsAsync(s.renewLease('err', 'm0', INFO, 30_000), { instanceOf: CoordinationError });

  // A server that accepts connections and never answers, as an overloaded or partitioned API server.
  const silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.close();
    silent.unref();
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'x', server: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'x' }],
    contexts: [{ name: 'x', cluster: 'x', user: 'x' }],
    currentContext: 'x',
  });
  const hung = new KubernetesStore({ kubeConfig: kc, namespace: NS, callTimeoutMs: 1_000 });
  t.teardown(() => hung.close());
  for (const [name, call, bound] of [
    ['getConfig', () => hung.getConfig('c'), 1_000],
    ['compareAndSetConfig', () => hung.compareAndSetConfig('c', { epoch: 1, members: ['a'] }, null), 1_000],
    ['renewLease', () => hung.renewLease('c', 'a', INFO, 2_000), 1_000],
    ['liveMembers', () => hung.liveMembers('c'), 1_000],
    ['releaseLease', () => hung.releaseLease('c', 'a'), 1_000],
  ] as const) {
    const started = Date.now();
    await t.throwsAsync((call as () => Promise<unknown>)(), { instanceOf: CoordinationError }, name);
    t.true(Date.now() - started < bound + 3_000, `${name} answered in ${Date.now() - started} ms`);
  }
});

test('the namespace comes from POD_NAMESPACE', (t) => {
  t.is(podNamespace({ POD_NAMESPACE: 'team-a' }), 'team-a');
});
