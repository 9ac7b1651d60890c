// Settings without restarts, and replica scale-down gated on drain: the real operator and real sidecars
// against the loopback fake API server. Live settings go to real `vonnegut serve` processes (their
// admin API); the drain test's leaving member is a fake node (helpers/fake-node.ts) whose drain the
// test finishes when it wants to.
import test, { type ExecutionContext } from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeApiServer, type Obj } from './helpers/fake-apiserver.ts';
import { FakeNode } from './helpers/fake-node.ts';
import { waitFor } from './helpers/wait.ts';
import { startTestOperator } from './helpers/operator.ts';
import { NodeProcess } from '../../e2e/lib/node-process.ts';
import { objectHash } from '../src/apply.ts';
import { runSidecar, type RunningSidecar } from '../src/sidecar/main.ts';
import { configOf } from '../src/sidecar/sidecar.ts';
import { parseReport } from '../src/sidecar/report.ts';
import { silentLogger } from '../src/logger.ts';
import type { VonnegutChain, VonnegutChainSpec } from '../src/crd/types.ts';

const NS = 'ns1';
const VGC = ['vonnegut.io/v1alpha1', 'VonnegutChain'] as const;
const STS = ['apps/v1', 'StatefulSet'] as const;
const DEADLINE_MS = 60_000;

type Sts = Obj & { spec: { replicas: number; template: unknown } };
const sts = (api: FakeApiServer, name: string): Sts | undefined => api.get(...STS, NS, name) as Sts | undefined;

function putChain(api: FakeApiServer, spec: VonnegutChainSpec): VonnegutChain {
  const existing = api.get(...VGC, NS, 'logs');
  return api.put({ apiVersion: VGC[0], kind: VGC[1], metadata: existing?.metadata ?? { name: 'logs', namespace: NS }, spec }) as unknown as VonnegutChain;
}

async function startApiAndOperator(t: ExecutionContext): Promise<FakeApiServer> {
  const api = new FakeApiServer();
  await api.start();
  const op = await startTestOperator(api);
  t.teardown(async () => { await op.stop(); await api.stop(); });
  return api;
}

function sidecar(t: ExecutionContext, api: FakeApiServer, pod: string, adminPort: number, adminTokenFile?: string): Promise<RunningSidecar> {
  return runSidecar({
    namespace: NS, podName: pod, resource: 'logs', chain: 'logs-0', adminUrl: `http://127.0.0.1:${adminPort}`,
    ...(adminTokenFile ? { adminTokenFile } : {}), intervalMs: 100, kubeConfig: api.kubeConfig(), logger: silentLogger(),
  }).then((s) => { t.teardown(() => s.stop()); return s; });
}

test('fake API server: a log level and retention change reaches real nodes through their sidecars, and the StatefulSet template hash stays the same', async (t) => {
  const api = await startApiAndOperator(t);
  const spec: VonnegutChainSpec = { chains: 1, replicas: 2, node: { logLevel: 'info', retentionMs: 3_600_000 } };
  putChain(api, spec);
  const settings = await waitFor('settings ConfigMap', () => api.get('v1', 'ConfigMap', NS, 'logs-settings'), DEADLINE_MS);
  await waitFor('StatefulSet', () => sts(api, 'logs-0'), DEADLINE_MS);
  // Each "pod": a real node started with the env the kubelet gives it from the ConfigMap (envFrom),
  // its admin token in a directory only its sidecar shares.
  const pods = ['logs-0-0', 'logs-0-1'];
  const nodes = pods.map(() => {
    const tokenDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-token-'));
    t.teardown(() => fs.rmSync(tokenDir, { recursive: true, force: true }));
    const tokenFile = path.join(tokenDir, 'admin-token');
    return { tokenFile, proc: new NodeProcess({ env: { ...(settings.data as Record<string, string>), VONNEGUT_ADMIN_TOKEN_FILE: tokenFile } }) };
  });
  t.teardown(() => Promise.all(nodes.map((n) => n.proc.destroy())));
  await Promise.all(nodes.map((n) => n.proc.start()));
  const nodeConfig = async (i: number): Promise<{ logLevel?: string; retentionMs?: number }> =>
    (await (await fetch(`http://127.0.0.1:${nodes[i]!.proc.adminPort}/v1/config`)).json()) as { logLevel?: string; retentionMs?: number };
  t.like(await nodeConfig(0), { logLevel: 'info', retentionMs: 3_600_000 }, 'started with the ConfigMap values');
  await Promise.all(pods.map((pod, i) => sidecar(t, api, pod, nodes[i]!.proc.adminPort, nodes[i]!.tokenFile)));

  const before = sts(api, 'logs-0')!;
  const templateHash = objectHash(before.spec.template);
  const changed = putChain(api, { ...spec, node: { logLevel: 'debug', retentionMs: 7_200_000 } });
  for (const i of [0, 1]) {
    await waitFor(`node ${i} runs the new settings`, async () => {
      const c = await nodeConfig(i);
      return c.logLevel === 'debug' && c.retentionMs === 7_200_000;
    }, DEADLINE_MS);
  }
  // The sidecars say which settings their nodes accepted.
  const want = objectHash(configOf(changed));
  await waitFor('reports carry the new settings', () => pods.every((pod) =>
    parseReport(api.get('coordination.k8s.io/v1', 'Lease', NS, `${pod}.status`)?.metadata.annotations?.['vonnegut.io/status'])?.settings === want), DEADLINE_MS);
  // A restarted container gets them too: the ConfigMap follows the resource.
  await waitFor('ConfigMap updated', () => (api.get('v1', 'ConfigMap', NS, 'logs-settings')?.data as Record<string, string> | undefined)?.VONNEGUT_LOG_LEVEL === 'debug', DEADLINE_MS);
  t.is((api.get('v1', 'ConfigMap', NS, 'logs-settings')!.data as Record<string, string>).VONNEGUT_RETENTION_MS, '7200000');
  // No roll: the StatefulSet was not written at all, so its template hash is the one before.
  const after = sts(api, 'logs-0')!;
  t.is(objectHash(after.spec.template), templateHash);
  t.is(after.metadata.resourceVersion, before.metadata.resourceVersion);
  // A setting that needs a restart (the image) does change the template: the StatefulSet rolls it.
  putChain(api, { ...spec, node: { logLevel: 'debug', retentionMs: 7_200_000 }, image: 'vonnegut:2' });
  await waitFor('image rolled out', () => objectHash(sts(api, 'logs-0')!.spec.template) !== templateHash, DEADLINE_MS);
});

test('fake API server: replica scale-down keeps the StatefulSet until the leaving member reports drained, then lowers replicas', async (t) => {
  const api = await startApiAndOperator(t);
  const spec: VonnegutChainSpec = { chains: 1, replicas: 3 };
  putChain(api, spec);
  await waitFor('StatefulSet', () => sts(api, 'logs-0'), DEADLINE_MS);
  // The top member's sidecar, with a fake node whose drain finishes only when the test says so.
  const node = new FakeNode();
  node.status = { ...node.status, nodeName: 'logs-0-2', chain: 'logs-0', members: ['logs-0-0', 'logs-0-1', 'logs-0-2'] };
  node.drainPolls = Number.POSITIVE_INFINITY;
  await node.start();
  t.teardown(() => node.stop());
  await sidecar(t, api, 'logs-0-2', node.port);
  const templateHash = objectHash(sts(api, 'logs-0')!.spec.template);

  putChain(api, { ...spec, replicas: 2 });
  await waitFor('drain requested', () => node.drains === 1, DEADLINE_MS);
  const progressing = (): { reason?: string; message?: string } | undefined =>
    (api.get(...VGC, NS, 'logs') as unknown as VonnegutChain).status?.conditions?.find((c) => c.type === 'Progressing');
  await waitFor('WaitingForDrain', () => progressing()?.reason === 'WaitingForDrain', DEADLINE_MS);
  t.regex(progressing()!.message!, /logs-0-2/);
  // While it drains, the StatefulSet is untouched: replicas and template as before.
  t.is(sts(api, 'logs-0')!.spec.replicas, 3);
  t.is(objectHash(sts(api, 'logs-0')!.spec.template), templateHash);

  node.drainPolls = 0;
  await waitFor('replicas lowered', () => sts(api, 'logs-0')!.spec.replicas === 2, DEADLINE_MS);
  const report = parseReport(api.get('coordination.k8s.io/v1', 'Lease', NS, 'logs-0-2.status')?.metadata.annotations?.['vonnegut.io/status']);
  t.true(report?.drained, 'lowered only after the member reported drained');
  t.is(node.drains, 1);
});
