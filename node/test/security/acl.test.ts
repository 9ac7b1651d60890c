import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { AclAuthorizer, AclFileError, ALLOW_ALL, parseAclFile, parseSuperUsers, type Access, type AclEntry } from '../../src/security/acl.ts';
import { WatchedAclFile, loadAclFile } from '../../src/security/acl-file.ts';
import type { Logger } from '../../src/logging.ts';

function entry(e: Partial<AclEntry> & Pick<AclEntry, 'principal' | 'operations' | 'permission'>): AclEntry {
  return { resourceType: 'topic', resourceName: 'orders', patternType: 'literal', ...e };
}

const topic = (operation: Access['operation'], resourceName: string): Access => ({ operation, resourceType: 'topic', resourceName });
const group = (operation: Access['operation'], resourceName: string): Access => ({ operation, resourceType: 'group', resourceName });
const cluster = (operation: Access['operation']): Access => ({ operation, resourceType: 'cluster', resourceName: 'kafka-cluster' });

const ACLS: AclEntry[] = [
  entry({ principal: 'User:alice', operations: ['read', 'write'], permission: 'allow' }),
  entry({ principal: 'User:alice', resourceName: 'logs-', patternType: 'prefixed', operations: ['all'], permission: 'allow' }),
  entry({ principal: 'User:alice', resourceName: 'logs-secret', operations: ['read'], permission: 'deny' }),
  entry({ principal: 'User:*', resourceName: 'public', operations: ['read'], permission: 'allow' }),
  entry({ principal: 'User:carol', resourceName: '*', operations: ['describe'], permission: 'allow' }),
  entry({ principal: 'User:carol', resourceName: 'hidden', operations: ['all'], permission: 'deny' }),
  entry({ principal: 'User:alice', resourceType: 'group', resourceName: 'billing', operations: ['read'], permission: 'allow' }),
  entry({ principal: 'User:dave', resourceType: 'cluster', resourceName: 'kafka-cluster', operations: ['create'], permission: 'allow' }),
  entry({ principal: 'User:*', resourceName: 'public', operations: ['write'], permission: 'deny' }),
];

const CASES: [string, string, Access, boolean][] = [
  ['literal allow', 'User:alice', topic('write', 'orders'), true],
  ['literal allow, other operation', 'User:alice', topic('delete', 'orders'), false],
  ['read implies describe', 'User:alice', topic('describe', 'orders'), true],
  ['literal does not match a longer name', 'User:alice', topic('read', 'orders2'), false],
  ['another principal', 'User:bob', topic('read', 'orders'), false],
  ['no ACLs at all: denied by default', 'User:ANONYMOUS', topic('describe', 'orders'), false],
  ['prefixed all', 'User:alice', topic('delete', 'logs-app'), true],
  ['prefixed does not match the bare stem', 'User:alice', topic('read', 'logs'), false],
  ['deny wins over a prefixed allow', 'User:alice', topic('read', 'logs-secret'), false],
  ['a read deny does not deny write', 'User:alice', topic('write', 'logs-secret'), true],
  ['a read deny does not deny describe (Kafka: denies do not imply)', 'User:alice', topic('describe', 'logs-secret'), true],
  ['User:* allows everyone', 'User:bob', topic('read', 'public'), true],
  ['User:* deny applies to everyone', 'User:alice', topic('write', 'public'), false],
  ['wildcard resource name', 'User:carol', topic('describe', 'anything'), true],
  ['describe does not imply read', 'User:carol', topic('read', 'anything'), false],
  ['deny all beats a wildcard allow', 'User:carol', topic('describe', 'hidden'), false],
  ['group ACLs are their own type', 'User:alice', group('read', 'billing'), true],
  ['a topic ACL never grants a group of the same name', 'User:alice', group('read', 'orders'), false],
  ['cluster create', 'User:dave', cluster('create'), true],
  ['cluster create is not topic create', 'User:dave', topic('create', 'x'), false],
  ['super user bypasses everything, denies included', 'User:admin', topic('write', 'public'), true],
  ['super user on groups and the cluster', 'User:admin', cluster('alter'), true],
];

for (const [name, principal, access, expected] of CASES) {
  test(`authorize: ${name}`, (t) => {
    const acl = new AclAuthorizer(ACLS, ['User:admin']);
    t.is(acl.allows(principal, access), expected, `${principal} ${access.operation} ${access.resourceType}:${access.resourceName}`);
  });
}

test('allowsAny: an allow on any topic counts unless a deny on every topic (*) cancels it', (t) => {
  const acl = new AclAuthorizer([
    entry({ principal: 'User:alice', operations: ['write'], permission: 'allow' }),
    entry({ principal: 'User:bob', operations: ['write'], permission: 'allow' }),
    entry({ principal: 'User:bob', resourceName: '*', operations: ['all'], permission: 'deny' }),
    entry({ principal: 'User:carol', operations: ['read'], permission: 'allow' }),
  ]);
  t.true(acl.allowsAny('User:alice', 'write', 'topic'));
  t.false(acl.allowsAny('User:bob', 'write', 'topic'));
  t.false(acl.allowsAny('User:carol', 'write', 'topic'));
  t.false(acl.allowsAny('User:alice', 'write', 'group'));
});

test('without an ACL file everything is allowed', (t) => {
  t.false(ALLOW_ALL.enabled);
  t.true(ALLOW_ALL.allows('User:ANONYMOUS', topic('delete', 'x')));
  t.true(ALLOW_ALL.allowsAny('User:ANONYMOUS', 'write', 'topic'));
});

test('parse: a full entry, defaults, case-insensitive keywords', (t) => {
  const parsed = parseAclFile(JSON.stringify({ acls: [
    { principal: 'User:alice', resourceType: 'TOPIC', resourceName: 'orders', operations: ['Read', 'write'], permission: 'ALLOW' },
    { principal: 'User:*', resourceType: 'group', resourceName: 'g-', patternType: 'prefixed', operations: ['all'], permission: 'deny' },
  ] }));
  t.deepEqual(parsed, [
    { principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', patternType: 'literal', operations: ['read', 'write'], permission: 'allow' },
    { principal: 'User:*', resourceType: 'group', resourceName: 'g-', patternType: 'prefixed', operations: ['all'], permission: 'deny' },
  ]);
  t.deepEqual(parseAclFile('{"acls": []}'), []);
});

const ok = { principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', operations: ['read'], permission: 'allow' };
const BAD: [string, string, RegExp][] = [
  ['not JSON', '{"acls": [', /not valid JSON/],
  ['no acls list', '{"rules": []}', /expected \{"acls": \[\.\.\.\]\}/],
  ['an entry that is not an object', JSON.stringify({ acls: [ok, 'x'] }), /acls\[1\] must be an object/],
  ['principal without User:', JSON.stringify({ acls: [ok, { ...ok, principal: 'alice' }] }), /acls\[1\]\.principal must be "User:<name>"/],
  ['unknown resource type', JSON.stringify({ acls: [{ ...ok, resourceType: 'delegation_token' }] }), /acls\[0\]\.resourceType must be one of topic, group, cluster, transactional_id/],
  ['empty resource name', JSON.stringify({ acls: [{ ...ok, resourceName: '' }] }), /acls\[0\]\.resourceName must be a non-empty string/],
  ['unknown pattern type', JSON.stringify({ acls: [{ ...ok, patternType: 'match' }] }), /acls\[0\]\.patternType must be one of literal, prefixed/],
  ['no operations', JSON.stringify({ acls: [{ ...ok, operations: [] }] }), /acls\[0\]\.operations must be a non-empty list/],
  ['unknown operation', JSON.stringify({ acls: [ok, ok, { ...ok, operations: ['read', 'publish'] }] }), /acls\[2\]\.operations\[1\] must be one of/],
  ['unknown permission', JSON.stringify({ acls: [{ ...ok, permission: 'maybe' }] }), /acls\[0\]\.permission must be one of allow, deny/],
  ['a misspelt field is not silently ignored', JSON.stringify({ acls: [{ ...ok, permision: 'deny' }] }), /acls\[0\] has unknown field "permision"/],
];

for (const [name, text, message] of BAD) {
  test(`parse refuses ${name} with a message naming the entry`, (t) => {
    const err = t.throws(() => parseAclFile(text), { instanceOf: AclFileError });
    t.regex(err!.message, message);
  });
}

test('super users list: principals only', (t) => {
  t.deepEqual(parseSuperUsers('User:admin, User:ops,'), ['User:admin', 'User:ops']);
  t.deepEqual(parseSuperUsers(undefined), []);
  t.throws(() => parseSuperUsers('admin'), { message: /User:<name>/ });
});

function captureLogger(): Logger & { errors: string[]; infos: string[] } {
  const errors: string[] = [];
  const infos: string[] = [];
  const log = {
    errors,
    infos,
    error: (m: string, meta?: Record<string, unknown>) => errors.push(`${m} ${JSON.stringify(meta)}`),
    warn: () => {},
    info: (m: string) => infos.push(m),
    debug: () => {},
    child: () => log,
  };
  return log;
}

test('the ACL file: an unreadable or invalid file at startup is an error naming the file', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-acl-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'acl.json');
  t.throws(() => loadAclFile(file, []), { instanceOf: AclFileError, message: /cannot read ACL file .*acl\.json/ });
  fs.writeFileSync(file, JSON.stringify({ acls: [{ ...ok, operations: ['fly'] }] }));
  t.throws(() => loadAclFile(file, []), { instanceOf: AclFileError, message: /acl\.json: acls\[0\]\.operations\[0\]/ });
});

test('the ACL file: a change applies on reload, an invalid change keeps the previous ACLs and logs the reason', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-acl-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'acl.json');
  fs.writeFileSync(file, JSON.stringify({ acls: [ok] }));
  const log = captureLogger();
  const acl = new WatchedAclFile(file, ['User:root'], log, 60_000);
  t.teardown(() => acl.close());
  t.true(acl.allows('User:alice', topic('read', 'orders')));
  t.false(acl.allows('User:bob', topic('read', 'orders')));
  t.true(acl.allows('User:root', topic('delete', 'orders')), 'super users survive reloads');

  fs.writeFileSync(file, JSON.stringify({ acls: [{ ...ok, principal: 'User:bob' }] }));
  acl.reload();
  t.false(acl.allows('User:alice', topic('read', 'orders')));
  t.true(acl.allows('User:bob', topic('read', 'orders')));

  fs.writeFileSync(file, '{"acls": [{"principal": "User:alice"');
  acl.reload();
  t.true(acl.allows('User:bob', topic('read', 'orders')), 'the last valid ACLs stay in force');
  t.is(log.errors.length, 1);
  t.regex(log.errors[0]!, /previous ACLs stay in force.*not valid JSON/);
  t.true(acl.allows('User:root', topic('delete', 'orders')));
});

test('the ACL file: a rewrite is picked up by polling without a reload call', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-acl-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'acl.json');
  fs.writeFileSync(file, JSON.stringify({ acls: [] }));
  const acl = new WatchedAclFile(file, [], captureLogger(), 20);
  t.teardown(() => acl.close());
  t.false(acl.allows('User:alice', topic('read', 'orders')));
  // Replace the file the way a Kubernetes volume does: a new inode renamed over the old path.
  fs.writeFileSync(`${file}.new`, JSON.stringify({ acls: [ok] }));
  fs.renameSync(`${file}.new`, file);
  const deadline = Date.now() + 60_000;
  while (!acl.allows('User:alice', topic('read', 'orders')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.true(acl.allows('User:alice', topic('read', 'orders')));
});
