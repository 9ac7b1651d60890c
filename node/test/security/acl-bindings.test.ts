/**
 * The ACL admin APIs' pure part: Kafka's validation of a new binding, Kafka's filter matching (ANY,
 * MATCH, LITERAL, PREFIXED, null fields), the metadata-log records, and how API ACLs combine with the
 * file's in one decision (a deny in either wins; super users bypass both).
 */
import test from 'ava';
import { decodeRecordBatches } from '../../src/protocol/record-batch.ts';
import { AclOperationCode as Op, AclPatternType as Pat, AclPermission as Perm, AclResourceType as Res, type AclBinding, type AclFilter } from '../../src/protocol/apis/acls.ts';
import { AclBindings, aclKey, aclRecords, bindingProblem, entryOf, filterMatches, filterProblem } from '../../src/security/acl-bindings.ts';
import { AclAuthorizer, UnionAuthorizer } from '../../src/security/acl.ts';

const b = (over: Partial<AclBinding> = {}): AclBinding => ({ resourceType: Res.TOPIC, resourceName: 'orders', patternType: Pat.LITERAL, principal: 'User:bob', host: '*', operation: Op.WRITE, permissionType: Perm.ALLOW, ...over });
const ANY: AclFilter = { resourceType: Res.ANY, resourceName: null, patternType: Pat.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY };

test('new bindings are validated as Kafka does: no ANY/UNKNOWN codes, LITERAL or PREFIXED only, a name and a Type:name principal', (t) => {
  t.is(bindingProblem(b()), null);
  t.regex(bindingProblem(b({ resourceType: Res.ANY }))!, /resource type/);
  t.regex(bindingProblem(b({ resourceType: 42 }))!, /resource type/);
  t.regex(bindingProblem(b({ patternType: Pat.MATCH }))!, /pattern type/);
  t.regex(bindingProblem(b({ operation: Op.ANY }))!, /operation/);
  t.regex(bindingProblem(b({ permissionType: Perm.ANY }))!, /permission/);
  t.regex(bindingProblem(b({ resourceName: '' }))!, /empty/);
  t.regex(bindingProblem(b({ principal: 'bob' }))!, /principal/);
  t.is(filterProblem(ANY), null);
  t.regex(filterProblem({ ...ANY, patternType: Pat.UNKNOWN })!, /pattern/);
  t.regex(filterProblem({ ...ANY, operation: Op.UNKNOWN })!, /operation/);
});

test('filters match as Kafka\'s AclBindingFilter: ANY, MATCH (literal, * and prefixes of the name), exact pattern types and fields', (t) => {
  const literal = b();
  const wildcard = b({ resourceName: '*' });
  const prefixed = b({ resourceName: 'ord', patternType: Pat.PREFIXED });
  const other = b({ resourceName: 'payments' });
  const all = [literal, wildcard, prefixed, other];
  const match = (f: Partial<AclFilter>) => all.filter((x) => filterMatches({ ...ANY, ...f }, x));
  t.deepEqual(match({}), all);
  t.deepEqual(match({ resourceName: 'orders', patternType: Pat.MATCH }), [literal, wildcard, prefixed]);
  t.deepEqual(match({ resourceName: 'orders', patternType: Pat.ANY }), [literal], 'ANY with a name: that exact name only');
  t.deepEqual(match({ resourceName: 'ord', patternType: Pat.PREFIXED }), [prefixed]);
  t.deepEqual(match({ patternType: Pat.LITERAL }), [literal, wildcard, other]);
  t.deepEqual(match({ resourceType: Res.GROUP }), []);
  t.deepEqual(match({ principal: 'User:alice' }), []);
  t.deepEqual(match({ host: '10.0.0.1' }), []);
  t.deepEqual(match({ operation: Op.READ }), []);
  t.deepEqual(match({ permissionType: Perm.DENY }), []);
  t.deepEqual(match({ permissionType: Perm.ALLOW, operation: Op.WRITE, host: '*', principal: 'User:bob' }), all);
});

test('bindings round-trip through metadata-log records; a tombstone removes one; equal bindings share a key', (t) => {
  const set = new AclBindings();
  t.false(set.authorizer.allows('User:bob', { operation: 'write', resourceType: 'topic', resourceName: 'orders' }), 'unread: denies everything');
  const apply = (batch: Buffer) => {
    for (const batchOf of decodeRecordBatches(batch)) for (const r of batchOf.records) set.apply(r.key!.toString(), r.value);
  };
  set.loaded = true;
  apply(aclRecords([b(), b({ resourceName: 'payments' }), b()], true));
  t.is(set.all().length, 2);
  t.true(set.has(b()));
  t.is(aclKey(b()), aclKey({ ...b() }));
  t.true(set.authorizer.allows('User:bob', { operation: 'write', resourceType: 'topic', resourceName: 'orders' }));
  apply(aclRecords([b()], false));
  t.false(set.has(b()));
  t.false(set.authorizer.allows('User:bob', { operation: 'write', resourceType: 'topic', resourceName: 'orders' }), 'deleted: no longer allows');
});

test('entries: config operations map to describe/alter, transactional ids are enforced, token operations decide nothing, hosts are kept', (t) => {
  t.deepEqual(entryOf(b({ operation: Op.DESCRIBE_CONFIGS }))?.operations, ['describe']);
  t.deepEqual(entryOf(b({ operation: Op.ALTER_CONFIGS, permissionType: Perm.DENY }))?.permission, 'deny');
  t.is(entryOf(b({ resourceType: Res.TRANSACTIONAL_ID }))?.resourceType, 'transactional_id');
  t.is(entryOf(b({ operation: Op.CREATE_TOKENS })), null);
  t.is(entryOf(b({ host: '10.0.0.1' }))?.host, '10.0.0.1');
});

test('file and API ACLs combine: a deny in either wins, an allow in either allows, super users bypass both, hosts are matched', (t) => {
  const file = new AclAuthorizer([{ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', patternType: 'prefixed', operations: ['all'], permission: 'allow' }], ['User:admin']);
  const api = new AclBindings();
  api.loaded = true;
  for (const x of [
    b({ principal: 'User:alice', resourceName: 'orders-secret', patternType: Pat.PREFIXED, operation: Op.ALL, permissionType: Perm.DENY }),
    b({ principal: 'User:bob' }),
    b({ principal: 'User:carol', host: '10.0.0.7' }),
    b({ principal: 'User:admin', operation: Op.ALL, permissionType: Perm.DENY }),
  ]) api.apply(aclKey(x), Buffer.from(JSON.stringify(x)));
  const union = new UnionAuthorizer(() => file, () => api.authorizer);
  const write = (resourceName: string, host?: string) => ({ operation: 'write' as const, resourceType: 'topic' as const, resourceName, ...(host ? { host } : {}) });
  t.true(union.allows('User:alice', write('orders')), 'file allow');
  t.false(union.allows('User:alice', write('orders-secret-1')), 'API deny beats file allow');
  t.true(union.allows('User:bob', write('orders')), 'API allow alone');
  t.false(union.allows('User:bob', write('payments')));
  t.true(union.allows('User:carol', write('orders', '10.0.0.7')), 'host matches');
  t.false(union.allows('User:carol', write('orders', '10.0.0.8')), 'other host');
  t.true(union.allows('User:admin', write('orders')), 'super user bypasses an API deny');
  t.true(union.allowsAny('User:bob', 'write', 'topic'));
  t.false(union.allowsAny('User:dave', 'write', 'topic'));
});
