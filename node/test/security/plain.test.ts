import test from 'ava';
import { PlainServer, encodePlain, parsePlain } from '../../src/security/sasl/plain.ts';
import { BAD_CREDENTIALS, SaslAuthError } from '../../src/security/sasl/mechanism.ts';

const nul = (...parts: string[]) => Buffer.from(parts.join('\0'));

test('PLAIN message parses with and without an authorization id', (t) => {
  t.deepEqual(parsePlain(nul('', 'alice', 's3cret')), { authzid: '', username: 'alice', password: 's3cret' });
  t.deepEqual(parsePlain(nul('alice', 'alice', 'pä ss')), { authzid: 'alice', username: 'alice', password: 'pä ss' });
  t.deepEqual(parsePlain(encodePlain('bob', 'pw')), { authzid: '', username: 'bob', password: 'pw' });
});

test('malformed PLAIN messages are refused without echoing the password', (t) => {
  for (const msg of [Buffer.alloc(0), Buffer.from('alice'), nul('alice', 'pw'), nul('', '', 'pw'), nul('', 'alice', ''), nul('', 'a', 'b', 'c'), nul('', 'alice', 'x'.repeat(256))]) {
    const err = t.throws(() => parsePlain(msg), { instanceOf: SaslAuthError });
    t.false(err!.message.includes('pw'));
  }
});

test('PLAIN server accepts the right password once and refuses another user\'s authorization id', (t) => {
  const verify = (u: string, p: string) => u === 'alice' && p === 's3cret';
  const ok = new PlainServer(verify).step(nul('', 'alice', 's3cret'));
  t.deepEqual(ok, { response: Buffer.alloc(0), done: true, user: 'alice' });
  t.throws(() => new PlainServer(verify).step(nul('', 'alice', 'wrong')), { instanceOf: SaslAuthError, message: BAD_CREDENTIALS });
  t.throws(() => new PlainServer(verify).step(nul('', 'mallory', 's3cret')), { instanceOf: SaslAuthError, message: BAD_CREDENTIALS });
  t.throws(() => new PlainServer(verify).step(nul('admin', 'alice', 's3cret')), { instanceOf: SaslAuthError });
  const once = new PlainServer(verify);
  once.step(nul('', 'alice', 's3cret'));
  t.throws(() => once.step(nul('', 'alice', 's3cret')), { instanceOf: SaslAuthError });
});
