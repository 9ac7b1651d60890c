import test from 'ava';
import { resolveServeConfig } from '../../src/config.ts';

test('--acl-file and --super-users reach the node config; the environment is the fallback', (t) => {
  const { config } = resolveServeConfig({ aclFile: '/etc/vonnegut/acl.json', superUsers: 'User:admin,User:ops' }, {});
  t.is(config.aclFile, '/etc/vonnegut/acl.json');
  t.deepEqual(config.superUsers, ['User:admin', 'User:ops']);
  const fromEnv = resolveServeConfig({}, { VONNEGUT_ACL_FILE: '/acl.json', VONNEGUT_SUPER_USERS: 'User:root' }).config;
  t.is(fromEnv.aclFile, '/acl.json');
  t.deepEqual(fromEnv.superUsers, ['User:root']);
});

test('no --acl-file: no authorizer settings at all', (t) => {
  const { config } = resolveServeConfig({}, {});
  t.is(config.aclFile, undefined);
  t.is(config.superUsers, undefined);
});

test('a super user that is not a User: principal is a startup error', (t) => {
  t.throws(() => resolveServeConfig({ superUsers: 'admin' }, {}), { message: /super users must be "User:<name>"/ });
});
