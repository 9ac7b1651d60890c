/**
 * The secured example (examples/vonnegutchain-secured.yaml) as the operator builds it, run on loopback:
 * three real nodes start with exactly the env the StatefulSet builder gives the node container, and with
 * its Secret and ConfigMap volumes written out as the kubelet would mount them (in a temporary root,
 * since /etc is not ours here). Only the topology comes from flags instead (addresses, discovery through
 * a real dnsmasq): pod DNS names do not exist on loopback, and flags take precedence over env.
 * The chain forms its links over SASL_SSL as the inter-broker user, kcat reaches it with SCRAM over
 * TLS, the ACLs of the example's ConfigMap hold, and no password reaches a log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { parseAllDocuments } from 'yaml';
import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { buildContext } from '../operator/src/builders/index.ts';
import { statefulSet } from '../operator/src/builders/statefulset.ts';
import { InvalidSpecError } from '../operator/src/crd/defaults.ts';
import type { VonnegutChain } from '../operator/src/crd/types.ts';
import { portFreeOn } from './lib/chain-cluster.ts';
import { makeCa, makeServerCert, type TestCa } from './lib/certs.ts';
import { DnsServer } from './lib/dns.ts';
import { NodeProcess } from './lib/node-process.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasTools = requireTool('openssl') && requireTool('kcat') && requireTool('dnsmasq');
const serial = hasTools ? test.serial : test.skip;

const SUBNET = 79;
const CHAIN = 'secure-0';
const PASSWORDS = { broker: 'broker-pw-71ab', admin: 'admin-pw-9f3c', 'orders-app': 'orders-pw-42d0' };
/** Env the kubelet would give the node but that names pod DNS or pod ports; replaced by flags here. */
// VONNEGUT_COORDINATOR is topology too: on Kubernetes membership lives in Leases behind the API server,
// which loopback has none of, so these nodes run the fixed-order mode (failover.test.ts covers the
// coordinator with a real etcd, the coordination tests the Kubernetes store against the fake API server).
const TOPOLOGY_ENV = new Set([
  'VONNEGUT_COORDINATOR', 'POD_NAME', 'POD_NAMESPACE', 'VONNEGUT_DATA_DIR', 'VONNEGUT_HOST', 'VONNEGUT_PORT', 'VONNEGUT_ADVERTISED_HOST', 'VONNEGUT_ADVERTISED_PORT',
  'VONNEGUT_NODE_NAME', 'VONNEGUT_CHAIN', 'VONNEGUT_DISCOVERY', 'VONNEGUT_CLUSTER', 'VONNEGUT_ADMIN_HOST', 'VONNEGUT_ADMIN_PORT',
]);

let ca: TestCa;
let root: string;
let dns: DnsServer;
const nodes: NodeProcess[] = [];
let podEnv: Record<string, string> = {};

type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string> };

/** Writes every Secret/ConfigMap volume of the node container under `root` as the kubelet mounts it. */
function materialize(pod: V1PodSpec, container: V1Container, secrets: Record<string, Record<string, string>>, configMaps: Record<string, Record<string, string>>): string[] {
  const mounted: string[] = [];
  for (const m of container.volumeMounts ?? []) {
    const v = pod.volumes?.find((x) => x.name === m.name);
    if (v?.emptyDir) {
      // An emptyDir starts empty: the directory alone (the node writes its admin token there).
      fs.mkdirSync(path.join(root, m.mountPath), { recursive: true });
      mounted.push(m.mountPath);
      continue;
    }
    const source = v?.secret ? secrets[v.secret.secretName!] : v?.configMap ? configMaps[v.configMap.name!] : undefined;
    if (!v || !source) continue;
    const items = v.secret?.items ?? v.configMap?.items;
    const mode = v.secret?.defaultMode ?? v.configMap?.defaultMode ?? 0o644;
    const dir = path.join(root, m.mountPath);
    fs.mkdirSync(dir, { recursive: true });
    const files = items ? items.map((i) => [i.path, source[i.key]!] as const) : Object.entries(source);
    for (const [file, content] of files) fs.writeFileSync(path.join(dir, file), content, { mode });
    mounted.push(m.mountPath);
  }
  return mounted;
}

test.before(async () => {
  if (!hasTools) return;
  const docs = parseAllDocuments(fs.readFileSync(new URL('../examples/vonnegutchain-secured.yaml', import.meta.url), 'utf8')).map((d) => d.toJSON() as Doc);
  const vgc = docs.find((d) => d.kind === 'VonnegutChain') as unknown as VonnegutChain;
  const aclMap = docs.find((d) => d.kind === 'ConfigMap')!;
  const ctx = buildContext({ ...vgc, metadata: { ...vgc.metadata, uid: 'u' } }, { defaultImage: 'v:1', clusterDomain: 'cluster.local', sidecarClusterRole: 'r' });
  if (ctx instanceof InvalidSpecError) throw ctx;
  const pod = statefulSet(ctx, CHAIN).spec!.template.spec!;
  const container = pod.containers.find((c) => c.name === 'vonnegut')!;

  ca = await makeCa();
  const cert = await makeServerCert(ca, 'secure', Array.from({ length: 3 }, (_, i) => `IP:127.0.${SUBNET}.${10 + i}`));
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-kubelet-'));
  const secrets = {
    [vgc.spec.security!.tls!.secretName]: { 'tls.crt': fs.readFileSync(cert.cert, 'utf8'), 'tls.key': fs.readFileSync(cert.key, 'utf8'), 'ca.crt': fs.readFileSync(ca.caCert, 'utf8') },
    [vgc.spec.security!.sasl!.usersSecret.name]: { [vgc.spec.security!.sasl!.usersSecret.key]: JSON.stringify({ users: Object.entries(PASSWORDS).map(([name, password]) => ({ name, password })) }) },
  };
  const mounted = materialize(pod, container, secrets, { [aclMap.metadata.name]: aclMap.data! });
  // The env as built, with file paths moved under the temporary root where the "mounts" are.
  for (const e of container.env ?? []) {
    if (TOPOLOGY_ENV.has(e.name) || e.value === undefined) continue;
    podEnv[e.name] = mounted.some((m) => e.value!.startsWith(`${m}/`)) ? path.join(root, e.value) : e.value;
  }

  dns = new DnsServer();
  const port = await portFreeOn(Array.from({ length: 3 }, (_, i) => `127.0.${SUBNET}.${10 + i}`));
  const srv = `_kafka._tcp.${CHAIN}.test`;
  await dns.setSrv(srv, Array.from({ length: 3 }, (_, i) => ({ target: `${CHAIN}-${i}.${CHAIN}.test`, address: `127.0.${SUBNET}.${10 + i}`, port })));
  for (let i = 0; i < 3; i++) {
    nodes.push(new NodeProcess({
      host: `127.0.${SUBNET}.${10 + i}`, port, adminPort: 0, env: podEnv,
      args: ['--node-name', `${CHAIN}-${i}`, '--chain', CHAIN, '--discovery', `srv:${srv}`, '--dns-server', dns.address, '--discovery-refresh-ms', '300'],
    }));
  }
  await Promise.all(nodes.map((n) => n.start(60_000)));
});

test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
  await dns?.destroy();
  for (const dir of [root, ca?.dir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const kcat = (user: keyof typeof PASSWORDS, mechanism = 'SCRAM-SHA-512'): string[] => [
  '-b', nodes[0]!.address, '-X', 'security.protocol=SASL_SSL', '-X', `sasl.mechanisms=${mechanism}`,
  '-X', `sasl.username=${user}`, '-X', `sasl.password=${PASSWORDS[user]}`, '-X', `ssl.ca.location=${ca.caCert}`,
];

serial('the builder\'s env and mounts bring up a SASL_SSL chain: the head becomes writable through links authenticated as the inter-broker user', async (t) => {
  t.is(podEnv.VONNEGUT_SECURITY_PROTOCOL, 'SASL_SSL');
  t.is(podEnv.VONNEGUT_SASL_INTER_BROKER_USER, 'broker');
  t.true(fs.existsSync(podEnv.VONNEGUT_TLS_CERT_FILE!) && fs.existsSync(podEnv.VONNEGUT_SASL_USERS_FILE!) && fs.existsSync(podEnv.VONNEGUT_ACL_FILE!));
  await waitFor('chain writable', async () => {
    const s = (await (await fetch(`http://127.0.0.1:${nodes[0]!.adminPort}/v1/status`)).json()) as { writable: boolean };
    return s.writable ? true : undefined;
  }, 60_000);
  t.pass();
});

serial('kcat as orders-app (SCRAM-SHA-512 over TLS) produces to and consumes orders.payments, as the example\'s ACLs allow', async (t) => {
  const lines = Array.from({ length: 50 }, (_, i) => `payment-${i}`).join('\n') + '\n';
  const p = await run('kcat', [...kcat('orders-app'), '-P', '-t', 'orders.payments', '-X', 'request.required.acks=-1'], { input: lines });
  t.is(p.code, 0, p.stderr);
  const c = await run('kcat', [...kcat('orders-app'), '-C', '-t', 'orders.payments', '-o', 'beginning', '-e', '-q']);
  t.is(c.code, 0, c.stderr);
  t.is(c.stdout.toString(), lines);
});

serial('the example\'s ACLs deny orders-app orders.audit and billing; the super user admin may write billing', async (t) => {
  const audit = await run('kcat', [...kcat('orders-app'), '-P', '-t', 'orders.audit', '-X', 'request.required.acks=-1', '-X', 'message.timeout.ms=10000'], { input: 'nope\n', timeoutMs: 30_000 });
  t.not(audit.code, 0);
  t.regex(audit.stderr, /authoriz/i);
  const billing = await run('kcat', [...kcat('orders-app'), '-P', '-t', 'billing', '-X', 'request.required.acks=-1', '-X', 'message.timeout.ms=10000'], { input: 'nope\n', timeoutMs: 30_000 });
  t.not(billing.code, 0);
  const admin = await run('kcat', [...kcat('admin'), '-P', '-t', 'billing', '-X', 'request.required.acks=-1'], { input: 'invoice-1\n' });
  t.is(admin.code, 0, admin.stderr);
  const read = await run('kcat', [...kcat('admin'), '-C', '-t', 'billing', '-o', 'beginning', '-e', '-q']);
  t.is(read.stdout.toString(), 'invoice-1\n');
});

serial('only the mechanisms the spec lists are offered: PLAIN is refused', async (t) => {
  const k = await run('kcat', [...kcat('orders-app', 'PLAIN'), '-L', '-m', '5'], { timeoutMs: 30_000 });
  t.not(k.code, 0);
  t.regex(k.stderr, /mechanism|Authentication|SASL/i);
});

serial('no password from the mounted users file appears in any node\'s log', (t) => {
  for (const n of nodes) for (const pw of Object.values(PASSWORDS)) t.false(n.stderr.includes(pw), `a password in the log of ${n.address}`);
});
