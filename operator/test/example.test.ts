import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parse, parseAllDocuments } from 'yaml';
import { buildContext } from '../src/builders/index.ts';
import { InvalidSpecError } from '../src/crd/defaults.ts';
import { specSchema, type JSONSchema } from '../src/crd/schema.ts';
import { securityProblems } from '../src/crd/security.ts';
import { AclAuthorizer, parseAclFile, parseSuperUsers } from '../../node/src/security/acl.ts';
import type { VonnegutChain } from '../src/crd/types.ts';
import { validateManifest } from './helpers/validate.ts';
import { desiredObjects } from '../src/builders/index.ts';

/** Checks the constraints this CRD's schema uses (types, enums, minimums, required, unknown fields). */
function check(schema: JSONSchema, value: unknown, path: string, errors: string[]): void {
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  if (schema.type === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${path}.${r} is required`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      if (!sub) errors.push(`${path}.${k} is not in the schema`);
      else check(sub, v, `${path}.${k}`, errors);
    }
  } else if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((v, i) => schema.items && check(schema.items, v, `${path}[${i}]`, errors));
  } else if (schema.type === 'integer' && Number.isInteger(value)) {
    if (schema.minimum !== undefined && (value as number) < schema.minimum) errors.push(`${path} below ${schema.minimum}`);
  } else if (schema.type === 'string' && typeof value === 'string') {
    if (schema.enum && !schema.enum.includes(value)) errors.push(`${path} not in ${schema.enum.join('|')}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${path} does not match ${schema.pattern}`);
  } else if (schema.type !== undefined) {
    errors.push(`${path} is not ${schema.type}`);
  }
}

test('examples/vonnegutchain.yaml: 3 chains x 3 replicas, valid against the CRD schema, builds valid objects', async (t) => {
  const doc = parse(await readFile(new URL('../../examples/vonnegutchain.yaml', import.meta.url), 'utf8')) as VonnegutChain;
  const errors: string[] = [];
  check(specSchema, doc.spec, 'spec', errors);
  t.deepEqual(errors, []);
  t.is(doc.spec.chains, 3);
  t.is(doc.spec.replicas, 3);
  const ctx = buildContext({ ...doc, metadata: { ...doc.metadata, namespace: 'default', uid: 'u' } }, { defaultImage: 'v:1', clusterDomain: 'cluster.local', sidecarClusterRole: 'r' });
  if (ctx instanceof InvalidSpecError) return t.fail(ctx.message);
  for (const obj of desiredObjects(ctx)) t.notThrows(() => validateManifest(obj));
});

test('the example checker rejects a bad spec (the check is not vacuous)', (t) => {
  const errors: string[] = [];
  check(specSchema, { replicas: 0, node: { logLevel: 'loud' }, bogus: 1 }, 'spec', errors);
  t.is(errors.length, 3);
});

test('examples/vonnegutchain-secured.yaml: SASL_SSL chain valid against the CRD and its rules; certificate, ACLs and chain agree', async (t) => {
  type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown>; data?: Record<string, string> };
  const docs = parseAllDocuments(await readFile(new URL('../../examples/vonnegutchain-secured.yaml', import.meta.url), 'utf8')).map((d) => d.toJSON() as Doc);
  t.deepEqual(docs.map((d) => d.kind), ['Certificate', 'ConfigMap', 'VonnegutChain']);
  const [cert, acls, chain] = docs as [Doc & { spec: { secretName: string; dnsNames: string[]; usages: string[] } }, Doc, Doc & VonnegutChain];
  const errors: string[] = [];
  check(specSchema, chain.spec, 'spec', errors);
  t.deepEqual(errors, []);
  const security = chain.spec.security!;
  t.deepEqual(securityProblems({ protocol: 'PLAINTEXT', ...security }), []);
  t.is(security.protocol, 'SASL_SSL');
  // The chain names the objects this file creates.
  t.is(security.tls?.secretName, cert.spec.secretName);
  t.is(security.acls?.configMap?.name, acls.metadata.name);
  t.truthy(acls.data?.[security.acls!.configMap!.key]);
  t.notThrows(() => validateManifest(acls));
  // The node's own parser accepts the ACL file, and it says what the comments promise.
  const authorizer = new AclAuthorizer(parseAclFile(acls.data![security.acls!.configMap!.key]!), security.superUsers);
  const topic = (resourceName: string, operation: 'read' | 'write') => ({ operation, resourceType: 'topic' as const, resourceName });
  t.true(authorizer.allows('User:orders-app', topic('orders.payments', 'write')));
  t.true(authorizer.allows('User:orders-app', topic('orders.payments', 'read')));
  t.false(authorizer.allows('User:orders-app', topic('orders.audit', 'write')), 'deny wins');
  t.false(authorizer.allows('User:orders-app', topic('billing', 'read')), 'everything not allowed is denied');
  t.true(authorizer.allows('User:admin', topic('billing', 'write')), 'super user');
  // Nodes are clients of each other too.
  t.true(cert.spec.usages.includes('server auth') && cert.spec.usages.includes('client auth'));
  const ctx = buildContext({ ...chain, metadata: { ...chain.metadata, uid: 'u' } }, { defaultImage: 'v:1', clusterDomain: 'cluster.local', sidecarClusterRole: 'r' });
  if (ctx instanceof InvalidSpecError) return t.fail(ctx.message);
  const objects = desiredObjects(ctx);
  for (const obj of objects) t.notThrows(() => validateManifest(obj));
  // The certificate covers every name a client or a peer connects to: each chain's bootstrap name and
  // each pod's advertised host.
  const covers = (host: string): boolean => cert.spec.dnsNames.some((n) => n === host || (n.startsWith('*.') && host.slice(host.indexOf('.') + 1) === n.slice(2)));
  for (const c of ctx.spec.chains) {
    t.true(covers(`${c.name}.vonnegut.svc.cluster.local`), `bootstrap ${c.name}`);
    for (let i = 0; i < ctx.spec.replicas; i++) t.true(covers(`${c.name}-${i}.${c.name}.vonnegut.svc.cluster.local`), `pod ${c.name}-${i}`);
  }
  // ...and those are the hosts the nodes advertise.
  const sts = objects.find((o) => o.kind === 'StatefulSet') as { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
  const env = sts.spec.template.spec.containers[0]!.env;
  t.is(env.find((e) => e.name === 'VONNEGUT_ADVERTISED_HOST')?.value, '$(POD_NAME).secure-0.vonnegut.svc.cluster.local');
  // The node parses the super users the operator passes.
  t.deepEqual(parseSuperUsers(env.find((e) => e.name === 'VONNEGUT_SUPER_USERS')?.value), ['User:admin']);
});
