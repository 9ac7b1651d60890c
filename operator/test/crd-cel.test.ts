// The CRD's x-kubernetes-validations run through a real CEL engine (@bufbuild/cel) as the API server
// runs them: rules bound to their schema node, transition rules only on update, schema defaults filled.
import test from 'ava';
import { SECURITY_RULES } from '../src/crd/security.ts';
import { STORAGE_IMMUTABLE } from '../src/crd/schema.ts';
import type { SecuritySpec, VonnegutChainSpec } from '../src/crd/types.ts';
import { vonnegutChainValidator } from './helpers/cel.ts';

const chain = (spec: Partial<VonnegutChainSpec>): unknown => ({
  apiVersion: 'vonnegut.io/v1alpha1', kind: 'VonnegutChain', metadata: { name: 'logs', namespace: 'ns1' }, spec: { replicas: 3, chains: 2, ...spec },
});
const refusedStorage = [`spec.storage: ${STORAGE_IMMUTABLE.message}`];

test('storage is immutable: size or class changes are refused, everything else may change', (t) => {
  const before = chain({ storage: { size: '10Gi', storageClassName: 'fast' } });
  t.deepEqual(vonnegutChainValidator(before, undefined), [], 'create');
  t.deepEqual(vonnegutChainValidator(chain({ storage: { size: '10Gi', storageClassName: 'fast' }, replicas: 5, node: { logLevel: 'debug' } }), before), []);
  t.deepEqual(vonnegutChainValidator(chain({ storage: { size: '20Gi', storageClassName: 'fast' } }), before), refusedStorage);
  t.deepEqual(vonnegutChainValidator(chain({ storage: { size: '10Gi', storageClassName: 'slow' } }), before), refusedStorage);
  t.deepEqual(vonnegutChainValidator(chain({ storage: { size: '10Gi' } }), before), refusedStorage, 'dropping the class is a change');
});

test('storage defaults count: omitting storage equals the default 10Gi, and adding a different size later is refused', (t) => {
  const bare = chain({});
  t.deepEqual(vonnegutChainValidator(chain({ storage: { size: '10Gi' } }), bare), []);
  t.deepEqual(vonnegutChainValidator(chain({ storage: { size: '50Gi' } }), bare), refusedStorage);
});

test('the spec-level rule needs chains or chainNames', (t) => {
  const spec = { replicas: 3 };
  t.deepEqual(vonnegutChainValidator({ apiVersion: 'vonnegut.io/v1alpha1', kind: 'VonnegutChain', metadata: { name: 'x' }, spec }, undefined), ['spec: set chains or chainNames']);
});

test('every security rule, evaluated as CEL, agrees with its TypeScript predicate', (t) => {
  const users = { usersSecret: { name: 'u', key: 'k' }, interBrokerUser: 'broker' };
  const samples: SecuritySpec[] = [
    {}, { protocol: 'SSL' }, { protocol: 'SSL', tls: { secretName: 't' } }, { tls: { secretName: 't' } },
    { protocol: 'SASL_SSL', sasl: users }, { protocol: 'SASL_SSL', sasl: users, tls: { secretName: 't' } }, { protocol: 'SASL_PLAINTEXT' },
    { sasl: users }, { acls: { configMap: { name: 'a', key: 'b' }, secret: { name: 'a', key: 'b' } } }, { superUsers: ['User:x', 'bad'] },
  ];
  for (const s of samples) {
    const cel = vonnegutChainValidator(chain({ security: s }), undefined).map((m) => m.replace(/^spec\.security: /, ''));
    const ts = SECURITY_RULES.filter((r) => !r.holds({ protocol: 'PLAINTEXT', ...s })).map((r) => r.message);
    t.deepEqual(cel, ts, JSON.stringify(s));
  }
});
