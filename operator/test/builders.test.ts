import test from 'ava';
import type { V1EnvVar, V1StatefulSet } from '@kubernetes/client-node';
import { buildContext, desiredObjects, type BuildOptions } from '../src/builders/index.ts';
import type { BuildContext } from '../src/builders/context.ts';
import { headlessService } from '../src/builders/service.ts';
import { statefulSet } from '../src/builders/statefulset.ts';
import { podDisruptionBudget } from '../src/builders/pdb.ts';
import { settingsConfigMap } from '../src/builders/settings.ts';
import { objectHash } from '../src/apply.ts';
import { InvalidSpecError } from '../src/crd/defaults.ts';
import type { VonnegutChainSpec } from '../src/crd/types.ts';
import { vgc } from './helpers/fixtures.ts';
import { validateManifest } from './helpers/validate.ts';

const opts: BuildOptions = { defaultImage: 'vonnegut:test', clusterDomain: 'cluster.local', sidecarClusterRole: 'vonnegut-sidecar' };

function ctxFor(spec: Partial<VonnegutChainSpec> = {}, name = 'logs'): BuildContext {
  const ctx = buildContext(vgc(name, spec), opts);
  if (ctx instanceof InvalidSpecError) throw ctx;
  return ctx;
}

function envOf(sts: V1StatefulSet, container = 'vonnegut'): Map<string, V1EnvVar> {
  const c = sts.spec?.template.spec?.containers.find((x) => x.name === container);
  return new Map((c?.env ?? []).map((e) => [e.name, e]));
}

test('chain names are <resource>-<index> for a count and <resource>-<name> for chainNames', (t) => {
  t.deepEqual(ctxFor({ chains: 3 }).spec.chains.map((c) => c.name), ['logs-0', 'logs-1', 'logs-2']);
  t.deepEqual(ctxFor({ chainNames: ['east', 'west'] }).spec.chains.map((c) => c.name), ['logs-east', 'logs-west']);
});

test('invalid specs are typed errors, not exceptions', (t) => {
  const dup = buildContext(vgc('logs', { chainNames: ['a', 'a'] }), opts);
  t.true(dup instanceof InvalidSpecError);
  const long = buildContext(vgc('x'.repeat(51), { chains: 2 }), opts);
  t.true(long instanceof InvalidSpecError);
  t.regex((long as InvalidSpecError).message, /longer than 52/);
});

test('headless service: clusterIP None, publishes not-ready pods, port named kafka for SRV', (t) => {
  const svc = headlessService(ctxFor(), 'logs-1');
  t.is(svc.metadata?.name, 'logs-1');
  t.is(svc.metadata?.namespace, 'ns1');
  t.is(svc.spec?.clusterIP, 'None');
  t.true(svc.spec?.publishNotReadyAddresses);
  t.deepEqual(svc.spec?.ports?.map((p) => [p.name, p.port]), [['kafka', 9092], ['admin', 9644]]);
  t.deepEqual(svc.spec?.selector, { 'vonnegut.io/cluster': 'logs', 'vonnegut.io/chain': 'logs-1' });
  t.deepEqual(svc.metadata?.ownerReferences, [
    { apiVersion: 'vonnegut.io/v1alpha1', kind: 'VonnegutChain', name: 'logs', uid: 'uid-logs', controller: true, blockOwnerDeletion: true },
  ]);
});

test('statefulset: parallel pods, rolling update, data claim, probes on the admin port', (t) => {
  const sts = statefulSet(ctxFor({ storage: { size: '5Gi', storageClassName: 'fast' } }), 'logs-0');
  const spec = sts.spec!;
  t.is(sts.metadata?.name, 'logs-0');
  t.is(spec.serviceName, 'logs-0');
  t.is(spec.replicas, 3);
  t.is(spec.podManagementPolicy, 'Parallel');
  t.is(spec.updateStrategy?.type, 'RollingUpdate');
  t.deepEqual(spec.selector.matchLabels, { 'vonnegut.io/cluster': 'logs', 'vonnegut.io/chain': 'logs-0' });
  const claim = spec.volumeClaimTemplates?.[0];
  t.is(claim?.metadata?.name, 'data');
  t.is(claim?.spec?.storageClassName, 'fast');
  t.deepEqual(claim?.spec?.resources?.requests, { storage: '5Gi' });
  const [node, sidecar] = spec.template.spec!.containers;
  t.is(node?.name, 'vonnegut');
  t.deepEqual(node?.args, ['serve']);
  t.deepEqual(node?.readinessProbe?.httpGet, { path: '/readyz', port: 'admin' });
  t.deepEqual(node?.livenessProbe?.httpGet, { path: '/healthz', port: 'admin' });
  t.deepEqual(node?.volumeMounts?.find((m) => m.name === 'data')?.mountPath, '/var/lib/vonnegut');
  t.is(sidecar?.name, 'sidecar');
  t.deepEqual(sidecar?.args, ['sidecar']);
  t.is(spec.template.spec?.serviceAccountName, 'logs-sidecar');
  t.true(spec.template.spec?.securityContext?.runAsNonRoot);
  t.true(node?.securityContext?.readOnlyRootFilesystem);
  // Pod labels must match the selector or the API server rejects the StatefulSet.
  for (const [k, v] of Object.entries(spec.selector.matchLabels ?? {})) t.is(spec.template.metadata?.labels?.[k], v);
});

test('statefulset env follows the node CLI contract', (t) => {
  const env = envOf(statefulSet(ctxFor({ node: { logLevel: 'debug', segmentBytes: 2097152, retentionMs: 60000 } }), 'logs-2'));
  const value = (k: string): string | undefined => env.get(k)?.value;
  t.is(env.get('POD_NAME')?.valueFrom?.fieldRef?.fieldPath, 'metadata.name');
  t.is(value('VONNEGUT_DATA_DIR'), '/var/lib/vonnegut');
  t.is(value('VONNEGUT_HOST'), '0.0.0.0');
  t.is(value('VONNEGUT_PORT'), '9092');
  t.is(value('VONNEGUT_ADVERTISED_HOST'), '$(POD_NAME).logs-2.ns1.svc.cluster.local');
  t.is(value('VONNEGUT_ADVERTISED_PORT'), '9092');
  t.is(value('VONNEGUT_NODE_NAME'), '$(POD_NAME)');
  t.is(value('VONNEGUT_CHAIN'), 'logs-2');
  t.is(value('VONNEGUT_DISCOVERY'), 'srv:_kafka._tcp.logs-2.ns1.svc.cluster.local');
  t.is(value('VONNEGUT_REPLICAS'), '3');
  t.is(value('VONNEGUT_CLUSTER'), [0, 1, 2].map((i) => `srv:_kafka._tcp.logs-${i}.ns1.svc.cluster.local`).join(','));
  t.is(value('VONNEGUT_ADMIN_PORT'), '9644');
  t.is(value('VONNEGUT_ADMIN_HOST'), '0.0.0.0');
  t.is(value('VONNEGUT_COORDINATOR'), 'kubernetes', 'every pod coordinates through Leases');
  // Live settings are not in the template (builders/settings.ts): they come from the ConfigMap.
  for (const k of ['VONNEGUT_LOG_LEVEL', 'VONNEGUT_SEGMENT_BYTES', 'VONNEGUT_RETENTION_MS', 'VONNEGUT_RETENTION_BYTES']) t.false(env.has(k), k);
  t.false(env.has('VONNEGUT_DNS_SERVER'));
  // $(POD_NAME) is expanded only from variables defined earlier in the list.
  const names = [...env.keys()];
  t.true(names.indexOf('POD_NAME') < names.indexOf('VONNEGUT_ADVERTISED_HOST'));
});

test('live settings: a ConfigMap both containers take with envFrom; changing them leaves the pod template as it was', (t) => {
  const ctx = ctxFor({ node: { logLevel: 'debug', segmentBytes: 2097152, retentionMs: 60000 } });
  const cm = settingsConfigMap(ctx);
  t.is(cm.metadata?.name, 'logs-settings');
  t.deepEqual(cm.data, { VONNEGUT_LOG_LEVEL: 'debug', VONNEGUT_SEGMENT_BYTES: '2097152', VONNEGUT_RETENTION_MS: '60000' });
  const sts = statefulSet(ctx, 'logs-0');
  for (const c of sts.spec!.template.spec!.containers) t.deepEqual(c.envFrom, [{ configMapRef: { name: 'logs-settings' } }], c.name);
  const other = statefulSet(ctxFor({ node: { logLevel: 'warn', retentionBytes: 1 << 30 } }), 'logs-0');
  t.is(objectHash(other.spec!.template), objectHash(sts.spec!.template));
  t.notDeepEqual(settingsConfigMap(ctxFor({ node: { logLevel: 'warn' } })).data, cm.data);
  // The ConfigMap is applied before the StatefulSets whose containers need it to start.
  const kinds = desiredObjects(ctx).map((o) => o.kind);
  t.true(kinds.indexOf('ConfigMap') < kinds.indexOf('StatefulSet'));
});

test('custom ports and pod overrides reach the pods; operator labels win over user labels', (t) => {
  const sts = statefulSet(ctxFor({
    port: 19092, adminPort: 19644,
    podTemplate: { labels: { team: 'a', 'vonnegut.io/chain': 'evil' }, annotations: { x: 'y' }, nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k', operator: 'Exists' }] },
  }), 'logs-0');
  const pod = sts.spec!.template;
  t.is(pod.metadata?.labels?.team, 'a');
  t.is(pod.metadata?.labels?.['vonnegut.io/chain'], 'logs-0');
  t.deepEqual(pod.metadata?.annotations, { x: 'y' });
  t.deepEqual(pod.spec?.nodeSelector, { disk: 'ssd' });
  t.is(pod.spec?.tolerations?.length, 1);
  t.deepEqual(pod.spec?.containers[0]?.ports?.map((p) => p.containerPort), [19092, 19644]);
  t.is(envOf(sts, 'sidecar').get('VONNEGUT_ADMIN_URL')?.value, 'http://127.0.0.1:19644');
});

test('pdb allows one member of a chain down', (t) => {
  const pdb = podDisruptionBudget(ctxFor(), 'logs-0');
  t.is(pdb.spec?.maxUnavailable, 1);
  t.deepEqual(pdb.spec?.selector?.matchLabels, { 'vonnegut.io/cluster': 'logs', 'vonnegut.io/chain': 'logs-0' });
});

test('every built object validates against the Kubernetes OpenAPI schemas', (t) => {
  const specs: Partial<VonnegutChainSpec>[] = [
    {},
    { chainNames: ['a', 'b'], replicas: 1, resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } } },
    { podTemplate: { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'vonnegut.io/cluster': 'logs' } } } }] } } } },
  ];
  for (const spec of specs) {
    const objects = desiredObjects(ctxFor(spec));
    t.is(objects.length, 3 + 3 * ctxFor(spec).spec.chains.length);
    for (const obj of objects) t.notThrows(() => validateManifest(obj), `${obj.kind} ${obj.metadata?.name}`);
  }
});

test('the validator rejects a broken statefulset (the check is not vacuous)', (t) => {
  const sts = statefulSet(ctxFor(), 'logs-0') as unknown as { spec: { replicas: unknown } };
  sts.spec.replicas = 'three';
  t.throws(() => validateManifest(sts as never));
});

const secured: Partial<VonnegutChainSpec> = {
  security: {
    protocol: 'SASL_SSL',
    tls: { secretName: 'logs-tls' },
    sasl: { mechanisms: ['SCRAM-SHA-512'], usersSecret: { name: 'logs-users', key: 'users.json' }, interBrokerUser: 'broker' },
    acls: { configMap: { name: 'logs-acls', key: 'acls' } },
    superUsers: ['User:admin', 'User:ops'],
  },
};

test('security: TLS secret, SASL users and ACLs are mounted read-only and the node env points at the files', (t) => {
  const sts = statefulSet(ctxFor(secured), 'logs-0');
  const pod = sts.spec!.template.spec!;
  const env = envOf(sts);
  const value = (k: string): string | undefined => env.get(k)?.value;
  t.is(value('VONNEGUT_SECURITY_PROTOCOL'), 'SASL_SSL');
  t.is(value('VONNEGUT_TLS_CERT_FILE'), '/etc/vonnegut/tls/tls.crt');
  t.is(value('VONNEGUT_TLS_KEY_FILE'), '/etc/vonnegut/tls/tls.key');
  t.is(value('VONNEGUT_TLS_CA_FILE'), '/etc/vonnegut/tls/ca.crt');
  t.is(value('VONNEGUT_SASL_USERS_FILE'), '/etc/vonnegut/sasl/users.json');
  t.is(value('VONNEGUT_SASL_MECHANISMS'), 'SCRAM-SHA-512');
  t.is(value('VONNEGUT_SASL_INTER_BROKER_USER'), 'broker');
  t.is(value('VONNEGUT_ACL_FILE'), '/etc/vonnegut/acl/acls.json');
  t.is(value('VONNEGUT_SUPER_USERS'), 'User:admin,User:ops');
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  t.deepEqual(volumes.get('tls')?.secret, { secretName: 'logs-tls', defaultMode: 0o440 });
  t.deepEqual(volumes.get('sasl-users')?.secret, { secretName: 'logs-users', defaultMode: 0o440, items: [{ key: 'users.json', path: 'users.json' }] });
  t.deepEqual(volumes.get('acl')?.configMap, { name: 'logs-acls', defaultMode: 0o440, items: [{ key: 'acls', path: 'acls.json' }] });
  const [node, sidecar] = pod.containers;
  const mounts = new Map((node?.volumeMounts ?? []).map((m) => [m.name, m]));
  for (const name of ['tls', 'sasl-users', 'acl']) {
    t.true(mounts.get(name)?.readOnly, `${name} mounted read-only`);
    // subPath mounts never see the kubelet's updates, which would defeat certificate rotation.
    t.is(mounts.get(name)?.subPath, undefined);
  }
  // Every file the env names lies in a mounted volume.
  for (const [k, v] of env) {
    if (!k.endsWith('_FILE')) continue;
    t.true([...mounts.values()].some((m) => v.value?.startsWith(`${m.mountPath}/`)), `${k} is under a mount`);
  }
  // The sidecar talks to the node's admin API only: it gets none of the secrets.
  t.deepEqual(sidecar?.volumeMounts?.map((m) => m.name), ['tmp', 'admin-token', 'kube-api-access']);
});

test('security: secret contents never reach the env; env values come only from the spec', (t) => {
  const env = envOf(statefulSet(ctxFor(secured), 'logs-0'));
  for (const e of env.values()) {
    t.is(e.valueFrom?.secretKeyRef, undefined, `${e.name} is not read from a Secret`);
    t.is(e.valueFrom?.configMapKeyRef, undefined, `${e.name} is not read from a ConfigMap`);
  }
});

test('security: an ACL file from a Secret; SSL without SASL sets no SASL env', (t) => {
  const sts = statefulSet(ctxFor({ security: { protocol: 'SSL', tls: { secretName: 'tls' }, acls: { secret: { name: 'acl-secret', key: 'acls.json' } } } }), 'logs-0');
  const env = envOf(sts);
  t.is(env.get('VONNEGUT_SECURITY_PROTOCOL')?.value, 'SSL');
  t.false([...env.keys()].some((k) => k.startsWith('VONNEGUT_SASL_')));
  t.false(env.has('VONNEGUT_SUPER_USERS'));
  t.deepEqual(sts.spec?.template.spec?.volumes?.find((v) => v.name === 'acl')?.secret, { secretName: 'acl-secret', defaultMode: 0o440, items: [{ key: 'acls.json', path: 'acls.json' }] });
});

test('no security section: no security env and no extra volumes, so existing chains do not roll', (t) => {
  const sts = statefulSet(ctxFor(), 'logs-0');
  t.false([...envOf(sts).keys()].some((k) => /^VONNEGUT_(SECURITY|TLS|SASL|ACL|SUPER)_/.test(k)));
  t.deepEqual(sts.spec?.template.spec?.volumes?.map((v) => v.name), ['tmp', 'admin-token', 'kube-api-access']);
});

test('no automounted token: the pod opts out, and the API token is a projected, expiring, read-only volume', (t) => {
  const pod = statefulSet(ctxFor(), 'logs-0').spec!.template.spec!;
  t.false(pod.automountServiceAccountToken);
  const volume = pod.volumes?.find((v) => v.name === 'kube-api-access');
  const token = volume?.projected?.sources?.find((s) => s.serviceAccountToken)?.serviceAccountToken;
  t.truthy(token?.expirationSeconds && token.expirationSeconds <= 3607, 'short-lived, rotated by the kubelet');
  for (const c of pod.containers) {
    const m = c.volumeMounts?.find((x) => x.name === 'kube-api-access');
    t.is(m?.mountPath, '/var/run/secrets/kubernetes.io/serviceaccount', `${c.name}: where client-node's in-cluster config looks`);
    t.true(m?.readOnly);
  }
});

test('pods run as non-root on a read-only root filesystem, without privilege escalation or capabilities', (t) => {
  for (const spec of [{}, secured]) {
    const pod = statefulSet(ctxFor(spec), 'logs-0').spec!.template.spec!;
    t.true(pod.securityContext?.runAsNonRoot);
    t.not(pod.securityContext?.runAsUser, 0);
    t.is(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    for (const c of pod.containers) {
      t.true(c.securityContext?.readOnlyRootFilesystem, `${c.name} read-only root`);
      t.true(c.securityContext?.runAsNonRoot, `${c.name} non-root`);
      t.false(c.securityContext?.allowPrivilegeEscalation, `${c.name} no escalation`);
      t.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
      t.is(c.securityContext?.capabilities?.add, undefined);
      t.is(c.securityContext?.privileged, undefined);
    }
    // Writable paths are volumes only: the data claim and /tmp, nothing from the image.
    for (const m of pod.containers.flatMap((c) => c.volumeMounts ?? [])) {
      t.true(['data', 'tmp', 'admin-token'].includes(m.name) || m.readOnly === true, `${m.name} is writable only if it is data, tmp or the node's admin token`);
    }
  }
});

test('a secured spec builds objects that validate against the Kubernetes OpenAPI schemas', (t) => {
  for (const obj of desiredObjects(ctxFor(secured))) t.notThrows(() => validateManifest(obj), `${obj.kind} ${obj.metadata?.name}`);
});
