// The sidecar against a fake node (helpers/fake-node.ts: the node's admin API on loopback) and the
// loopback fake API server.
import test, { type ExecutionContext } from 'ava';
import { FakeApiServer } from './helpers/fake-apiserver.ts';
import { FakeNode } from './helpers/fake-node.ts';
import { waitFor } from './helpers/wait.ts';
import { runSidecar, type RunningSidecar } from '../src/sidecar/main.ts';
import { leaving } from '../src/sidecar/sidecar.ts';
import { parseReport, type SidecarReport } from '../src/sidecar/report.ts';
import { silentLogger } from '../src/logger.ts';
import type { VonnegutChainSpec } from '../src/crd/types.ts';
import { vgc } from './helpers/fixtures.ts';

const NS = 'ns1';

async function setup(t: ExecutionContext, spec: Partial<VonnegutChainSpec>): Promise<{ api: FakeApiServer; node: FakeNode; sidecar: RunningSidecar }> {
  const api = new FakeApiServer();
  await api.start();
  const node = new FakeNode();
  await node.start();
  const chain = vgc('logs', spec);
  api.put({ apiVersion: chain.apiVersion, kind: chain.kind, metadata: { name: 'logs', namespace: NS }, spec: chain.spec });
  const sidecar = await runSidecar({
    namespace: NS, podName: 'logs-1-2', resource: 'logs', chain: 'logs-1', adminUrl: `http://127.0.0.1:${node.port}`,
    intervalMs: 25, kubeConfig: api.kubeConfig(), logger: silentLogger(),
  });
  t.teardown(async () => { await sidecar.stop(); await node.stop(); await api.stop(); });
  return { api, node, sidecar };
}

const report = (api: FakeApiServer): SidecarReport | undefined =>
  parseReport(api.get('coordination.k8s.io/v1', 'Lease', NS, 'logs-1-2.status')?.metadata.annotations?.['vonnegut.io/status']);

test('fake node: pushes log settings, and pushes again when the resource changes', async (t) => {
  const { api, node, sidecar } = await setup(t, { chains: 2, node: { logLevel: 'debug', retentionMs: 60000 } });
  await waitFor('config pushed', () => node.configs.length >= 1);
  t.deepEqual(node.configs[0], { retentionMs: 60000, logLevel: 'debug' });
  const cur = api.get('vonnegut.io/v1alpha1', 'VonnegutChain', NS, 'logs')!;
  api.put({ ...cur, spec: { ...(cur.spec as object), node: { logLevel: 'warn', segmentBytes: 2097152 } } });
  await waitFor('new config pushed', () => node.configs.some((c) => c.logLevel === 'warn'));
  t.deepEqual(node.configs.at(-1), { segmentBytes: 2097152, logLevel: 'warn' });
  // Unchanged settings are not pushed again on later passes.
  const n = node.configs.length;
  await sidecar.tick();
  await sidecar.tick();
  t.is(node.configs.length, n);
});

test('fake node: reports role, members and offsets into its report Lease', async (t) => {
  const { api } = await setup(t, { chains: 2 });
  const r = await waitFor('annotation', () => report(api));
  t.is(r.role, 'tail');
  t.deepEqual(r.members, ['logs-1-0', 'logs-1-1', 'logs-1-2']);
  t.true(r.writable);
  t.is(r.topics, 1);
  t.deepEqual(r.partitions, [{ topic: 'orders', partition: 0, logStartOffset: 0, logEndOffset: 42, highWatermark: 40 }]);
  t.false(r.drained);
});

test('fake node: a scale-down that removes the chain drains the node, then reports drained and empty', async (t) => {
  const { api, node } = await setup(t, { chains: 2 });
  await waitFor('first report', () => report(api));
  t.is(node.drains, 0);
  const cur = api.get('vonnegut.io/v1alpha1', 'VonnegutChain', NS, 'logs')!;
  api.put({ ...cur, spec: { ...(cur.spec as object), chains: 1 } });
  await waitFor('drain requested', () => node.drains === 1);
  await waitFor('reported draining', () => report(api)?.draining);
  const done = await waitFor('reported drained', () => (report(api)?.drained ? report(api) : undefined));
  t.is(done.topics, 0);
  t.is(node.drains, 1, 'drain is requested once');
});

test('fake node: an unreachable admin API is reported as an error, not a crash', async (t) => {
  const { api, node, sidecar } = await setup(t, { chains: 2 });
  await waitFor('first report', () => report(api));
  node.down = true;
  await waitFor('error reported', () => report(api)?.error);
  t.regex(report(api)!.error!, /HTTP 503/);
  node.down = false;
  await sidecar.tick();
  await waitFor('error cleared', () => report(api) && !report(api)!.error);
});

test('leaving: chain removed or ordinal at or above replicas; never on an invalid spec', (t) => {
  t.false(leaving(vgc('logs', { chains: 2 }), 'logs-1', 'logs-1-2'));
  t.true(leaving(vgc('logs', { chains: 1 }), 'logs-1', 'logs-1-2'));
  t.true(leaving(vgc('logs', { chains: 2, replicas: 2 }), 'logs-1', 'logs-1-2'));
  t.false(leaving(vgc('logs', { chainNames: ['a', 'a'] }), 'logs-1', 'logs-1-2'));
});
