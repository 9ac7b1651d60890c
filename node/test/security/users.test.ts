import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { UserStore, UserTable } from '../../src/security/users.ts';
import { silentLogger, type Logger } from '../../src/logging.ts';
import { verifyScramPassword } from '../../src/security/sasl/scram.ts';
import { waitFor } from '../../../e2e/lib/tools.ts';

const doc = (users: { name: string; password: string }[]) => JSON.stringify({ users });

test('users file: SCRAM credentials for both mechanisms, PLAIN checks, inter-broker password kept', (t) => {
  const table = UserTable.parse(doc([{ name: 'alice', password: 'a-pass' }, { name: 'broker', password: 'b-pass' }]), 'test', 'broker');
  t.is(table.size, 2);
  t.true(verifyScramPassword('SCRAM-SHA-256', table.scram('SCRAM-SHA-256', 'alice')!, 'a-pass'));
  t.true(verifyScramPassword('SCRAM-SHA-512', table.scram('SCRAM-SHA-512', 'alice')!, 'a-pass'));
  t.false(table.scram('SCRAM-SHA-256', 'alice')!.salt.equals(table.scram('SCRAM-SHA-256', 'broker')!.salt));
  t.true(table.verifyPlain('alice', 'a-pass'));
  t.false(table.verifyPlain('alice', 'b-pass'));
  t.false(table.verifyPlain('nobody', 'a-pass'));
  t.is(table.interBrokerPassword, 'b-pass');
});

test('a malformed users file is refused with a message that quotes none of it', (t) => {
  const secret = 'hunter2-very-secret';
  for (const text of [`{"users":[{"name":"a","password":"${secret}"`, `{"users":{"name":"a","password":"${secret}"}}`, `{"users":[{"name":"","password":"${secret}"}]}`, `{"users":[{"name":"a","password":"${secret}"},{"name":"a","password":"${secret}"}]}`]) {
    const err = t.throws(() => UserTable.parse(text, '/etc/users.json'));
    t.true(err!.message.includes('/etc/users.json'), err!.message);
    t.false(err!.message.includes(secret), err!.message);
  }
});

test('the users store reloads a changed file and keeps the old users when the new file is broken', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-users-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'users.json');
  fs.writeFileSync(file, doc([{ name: 'broker', password: 'one' }]));
  const errors: string[] = [];
  const log: Logger = { ...silentLogger, error: (m, meta) => errors.push(`${m} ${JSON.stringify(meta)}`), child: () => log };
  const store = new UserStore(file, 'broker', log);
  t.teardown(() => store.close());
  t.true(store.current.verifyPlain('broker', 'one'));
  fs.writeFileSync(file, doc([{ name: 'broker', password: 'two' }, { name: 'carol', password: 'three' }]));
  await waitFor('reload', () => (store.current.has('carol') ? true : undefined), 60_000);
  t.true(store.current.verifyPlain('broker', 'two'));
  t.is(store.current.interBrokerPassword, 'two');
  fs.writeFileSync(file, '{"users":[{"name":"carol","password":"four-secret"}]}');
  await waitFor('error logged', () => (errors.length > 0 ? true : undefined), 60_000);
  t.true(store.current.has('broker'), 'a file without the inter-broker user is not taken');
  t.false(errors.join('\n').includes('four-secret'));
  t.throws(() => new UserStore(file, 'broker', log), { message: /no entry for the inter-broker user/ });
});
