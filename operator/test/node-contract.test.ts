// The env the operator gives the node container, read by the node's own settings parser
// (node/src/config.ts), so a renamed or misspelt variable fails here rather than in a cluster.
import test from 'ava';
import type { V1EnvVar } from '@kubernetes/client-node';
import { ENV, resolveServeConfig } from '../../node/src/config.ts';
import { buildContext, type BuildOptions } from '../src/builders/index.ts';
import { statefulSet } from '../src/builders/statefulset.ts';
import { InvalidSpecError } from '../src/crd/defaults.ts';
import type { VonnegutChainSpec } from '../src/crd/types.ts';
import { vgc } from './helpers/fixtures.ts';

/** Agreed `vonnegut serve` security settings (issue 9) the node may not read yet. */
const AGREED_SECURITY_ENV = [
  'VONNEGUT_SECURITY_PROTOCOL', 'VONNEGUT_TLS_CERT_FILE', 'VONNEGUT_TLS_KEY_FILE', 'VONNEGUT_TLS_CA_FILE',
  'VONNEGUT_SASL_MECHANISMS', 'VONNEGUT_SASL_USERS_FILE', 'VONNEGUT_SASL_INTER_BROKER_USER', 'VONNEGUT_ACL_FILE', 'VONNEGUT_SUPER_USERS',
];

const opts: BuildOptions = { defaultImage: 'vonnegut:test', clusterDomain: 'cluster.local', sidecarClusterRole: 'r' };

/** The container env as the kubelet resolves it for pod `pod`: fieldRefs filled, $(VAR) expanded from earlier entries. */
function podEnv(env: V1EnvVar[], pod: string, namespace: string): Record<string, string> {
  const out: Record<string, string> = {};
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
  return podEnv(statefulSet(ctx, 'logs-1').spec!.template.spec!.containers[0]!.env ?? [], 'logs-1-2', 'ns1');
}

const secured: Partial<VonnegutChainSpec> = {
  node: { segmentBytes: 2097152, retentionBytes: 1 << 30, retentionMs: 60000, logLevel: 'debug' },
  security: {
    protocol: 'SASL_SSL', tls: { secretName: 't' },
    sasl: { usersSecret: { name: 'u', key: 'users.json' }, interBrokerUser: 'broker' },
    acls: { secret: { name: 'a', key: 'acls.json' } }, superUsers: ['User:admin'],
  },
};

test('every VONNEGUT_* variable the operator sets is one `vonnegut serve` reads, or an agreed security setting', (t) => {
  const read = new Set<string>(Object.values(ENV));
  const names = Object.keys(nodeEnvOf(secured)).filter((n) => n.startsWith('VONNEGUT_'));
  t.deepEqual(names.filter((n) => !read.has(n) && !AGREED_SECURITY_ENV.includes(n)), []);
  const pending = names.filter((n) => !read.has(n));
  if (pending.length > 0) t.log(`agreed, not yet read by node/src/config.ts: ${pending.join(', ')}`);
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
});
