// The env the operator gives the node container, read by the node's own settings parser
// (node/src/config.ts), so a renamed or misspelt variable fails here rather than in a cluster.
import test from 'ava';
import type { V1EnvVar } from '@kubernetes/client-node';
import { ENV, resolveServeConfig } from '../../node/src/config.ts';
import { SECURITY_PROTOCOLS as NODE_PROTOCOLS } from '../../node/src/security/node-security.ts';
import { SASL_MECHANISMS as NODE_MECHANISMS } from '../../node/src/security/sasl/mechanism.ts';
import { buildContext, type BuildOptions } from '../src/builders/index.ts';
import { statefulSet } from '../src/builders/statefulset.ts';
import { settingsConfigMap } from '../src/builders/settings.ts';
import { InvalidSpecError } from '../src/crd/defaults.ts';
import { SASL_MECHANISMS, SECURITY_PROTOCOLS, type VonnegutChainSpec } from '../src/crd/types.ts';
import { vgc } from './helpers/fixtures.ts';

const opts: BuildOptions = { defaultImage: 'vonnegut:test', clusterDomain: 'cluster.local', sidecarClusterRole: 'r' };

/**
 * The container env as the kubelet resolves it for pod `pod`: envFrom's ConfigMap first (explicit env
 * wins over it), then fieldRefs filled and $(VAR) expanded from earlier entries.
 */
function podEnv(env: V1EnvVar[], pod: string, namespace: string, fromConfigMap: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = { ...fromConfigMap };
  for (const e of env) {
    if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') out[e.name] = pod;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') out[e.name] = namespace;
    else out[e.name] = (e.value ?? '').replace(/\$\((\w+)\)/g, (m, v: string) => out[v] ?? m);
  }
  return out;
}

function nodeEnvOf(spec: Partial<VonnegutChainSpec>): Record<string, string> {
  const ctx = buildContext(vgc('logs', spec), opts);
  if (ctx instanceof InvalidSpecError) throw ctx;
  const container = statefulSet(ctx, 'logs-1').spec!.template.spec!.containers[0]!;
  const settings = settingsConfigMap(ctx);
  // The node container takes exactly the settings ConfigMap the operator applies.
  if (container.envFrom?.[0]?.configMapRef?.name !== settings.metadata?.name) throw new Error('node container lacks envFrom of the settings ConfigMap');
  return podEnv(container.env ?? [], 'logs-1-2', 'ns1', settings.data);
}

const secured: Partial<VonnegutChainSpec> = {
  node: { segmentBytes: 2097152, retentionBytes: 1 << 30, retentionMs: 60000, logLevel: 'debug' },
  security: {
    protocol: 'SASL_SSL', tls: { secretName: 't' },
    sasl: { mechanisms: ['SCRAM-SHA-512'], usersSecret: { name: 'u', key: 'users.json' }, interBrokerUser: 'broker' },
    acls: { secret: { name: 'a', key: 'acls.json' } }, superUsers: ['User:admin'],
  },
};

test('every VONNEGUT_* variable the operator sets is one `vonnegut serve` reads', (t) => {
  const read = new Set<string>(Object.values(ENV));
  for (const spec of [{}, secured]) {
    const names = Object.keys(nodeEnvOf(spec)).filter((n) => n.startsWith('VONNEGUT_'));
    t.true(names.length > 10);
    t.deepEqual(names.filter((n) => !read.has(n)), []);
  }
});

test('the node parses the env the operator builds into the intended settings', (t) => {
  const { config, logLevel } = resolveServeConfig({}, nodeEnvOf(secured));
  t.is(logLevel, 'debug');
  t.is(config.host, '0.0.0.0');
  t.is(config.port, 9092);
  t.is(config.adminHost, '0.0.0.0');
  t.is(config.adminPort, 9644);
  t.is(config.replicas, 3);
  t.is(config.dataDir, '/var/lib/vonnegut');
  t.is(config.chain, 'logs-1');
  t.is(config.nodeName, 'logs-1-2');
  t.is(config.advertisedHost, 'logs-1-2.logs-1.ns1.svc.cluster.local');
  t.is(config.discovery, 'srv:_kafka._tcp.logs-1.ns1.svc.cluster.local');
  t.is(config.cluster?.split(',').length, 3);
  t.is(config.segmentBytes, 2097152);
  t.is(config.retentionBytes, 1 << 30);
  t.is(config.retentionMs, 60000);
  t.is(config.aclFile, '/etc/vonnegut/acl/acls.json');
  t.deepEqual(config.superUsers, ['User:admin']);
  t.is(config.securityProtocol, 'SASL_SSL');
  t.is(config.tlsCertFile, '/etc/vonnegut/tls/tls.crt');
  t.is(config.tlsKeyFile, '/etc/vonnegut/tls/tls.key');
  t.is(config.tlsCaFile, '/etc/vonnegut/tls/ca.crt');
  t.is(config.saslUsersFile, '/etc/vonnegut/sasl/users.json');
  t.is(config.saslInterBrokerUser, 'broker');
  t.deepEqual(config.saslMechanisms, ['SCRAM-SHA-512']);
});

test('every security spec the CRD accepts gives the node settings it accepts (the node checks them at startup)', (t) => {
  const accepted: Partial<VonnegutChainSpec>['security'][] = [
    { protocol: 'PLAINTEXT' },
    { protocol: 'SSL', tls: { secretName: 't' } },
    { protocol: 'SASL_PLAINTEXT', sasl: { usersSecret: { name: 'u', key: 'k' }, interBrokerUser: 'b' } },
    { protocol: 'SASL_SSL', tls: { secretName: 't' }, sasl: { mechanisms: ['PLAIN', 'SCRAM-SHA-256'], usersSecret: { name: 'u', key: 'k' }, interBrokerUser: 'b' } },
  ];
  for (const security of accepted) {
    t.notThrows(() => resolveServeConfig({}, nodeEnvOf({ security })), security?.protocol);
  }
});

test('the CRD offers exactly the security protocols and SASL mechanisms the node implements', (t) => {
  t.deepEqual([...SECURITY_PROTOCOLS].sort(), [...NODE_PROTOCOLS].sort());
  t.deepEqual([...SASL_MECHANISMS].sort(), [...NODE_MECHANISMS].sort());
});
