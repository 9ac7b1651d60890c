// spec.security's cross-field rules. Each exists twice from one table (operator/src/crd/security.ts):
// as CEL in the CRD, which the API server evaluates, and as a TypeScript predicate in resolveSpec.
// No CEL engine is installed here, so these tests run the TypeScript side and check that the CRD
// carries the CEL side with the same message. The CEL text itself is compiled and evaluated only by a
// real API server, which no test in this suite runs.
import test from 'ava';
import { buildCrd } from '../src/crd/crd.ts';
import { InvalidSpecError, resolveSpec } from '../src/crd/defaults.ts';
import { SECURITY_RULES, securityProblems } from '../src/crd/security.ts';
import { specSchema } from '../src/crd/schema.ts';
import type { SecuritySpec } from '../src/crd/types.ts';
import { vgc } from './helpers/fixtures.ts';

const users = { usersSecret: { name: 'users', key: 'users.json' }, interBrokerUser: 'broker' };
const rule = (prefix: string): string => SECURITY_RULES.find((r) => r.message.startsWith(prefix))!.message;

test('the CRD carries every security rule as CEL on spec.security, with the message resolveSpec reports', (t) => {
  const schema = buildCrd().spec.versions[0]!.schema.openAPIV3Schema.properties?.spec?.properties?.security;
  t.deepEqual(schema?.['x-kubernetes-validations'], SECURITY_RULES.map(({ rule: r, message }) => ({ rule: r, message })));
  t.is(specSchema.properties?.security?.properties?.protocol?.default, 'PLAINTEXT');
  t.deepEqual(specSchema.properties?.security?.properties?.tls?.required, ['secretName']);
  t.deepEqual(specSchema.properties?.security?.properties?.sasl?.required, ['usersSecret', 'interBrokerUser']);
  // The CEL cost estimator rejects a CRD whose rules iterate unbounded lists or strings.
  t.truthy(specSchema.properties?.security?.properties?.superUsers?.maxItems);
  t.truthy(specSchema.properties?.security?.properties?.superUsers?.items?.maxLength);
});

const valid: [string, SecuritySpec][] = [
  ['plaintext by default', {}],
  ['plaintext with ACLs and super users', { acls: { configMap: { name: 'a', key: 'acls' } }, superUsers: ['User:ANONYMOUS'] }],
  ['SSL', { protocol: 'SSL', tls: { secretName: 'tls' } }],
  ['SASL_PLAINTEXT', { protocol: 'SASL_PLAINTEXT', sasl: users }],
  ['SASL_SSL with everything', { protocol: 'SASL_SSL', tls: { secretName: 'tls' }, sasl: { ...users, mechanisms: ['PLAIN'] }, acls: { secret: { name: 'a', key: 'k' } }, superUsers: ['User:admin'] }],
];

const invalid: [string, SecuritySpec, string][] = [
  ['SSL without tls', { protocol: 'SSL' }, rule('security.tls.secretName is required')],
  ['SASL_SSL without tls', { protocol: 'SASL_SSL', sasl: users }, rule('security.tls.secretName is required')],
  ['tls with PLAINTEXT', { tls: { secretName: 'tls' } }, rule('security.tls is set')],
  ['tls with SASL_PLAINTEXT', { protocol: 'SASL_PLAINTEXT', sasl: users, tls: { secretName: 'tls' } }, rule('security.tls is set')],
  ['SASL_PLAINTEXT without sasl', { protocol: 'SASL_PLAINTEXT' }, rule('security.sasl (usersSecret')],
  ['sasl with SSL', { protocol: 'SSL', tls: { secretName: 'tls' }, sasl: users }, rule('security.sasl is set')],
  ['two ACL sources', { acls: { configMap: { name: 'a', key: 'k' }, secret: { name: 'a', key: 'k' } } }, rule('security.acls')],
  ['no ACL source', { acls: {} }, rule('security.acls')],
  ['a super user without User:', { superUsers: ['admin'] }, rule('security.superUsers')],
  ['a comma inside a super user', { superUsers: ['User:a,User:b'] }, rule('security.superUsers')],
];

test('security specs that are complete pass every rule', (t) => {
  for (const [what, s] of valid) t.deepEqual(securityProblems({ protocol: 'PLAINTEXT', ...s }), [], what);
});

test('SSL without tls.secretName, SASL without users, settings the protocol ignores, two ACL sources and bad principals are each rejected by resolveSpec with the rule message', (t) => {
  for (const [what, s, message] of invalid) {
    const resolved = resolveSpec(vgc('logs', { chains: 1, security: s }), { defaultImage: 'v:1' });
    t.true(resolved instanceof InvalidSpecError, what);
    t.is((resolved as InvalidSpecError).message, message, what);
  }
});
