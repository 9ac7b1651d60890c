import crypto from 'node:crypto';
import test from 'ava';
import { ScramClient, ScramServer, scramCredential, verifyScramPassword, type ScramCredential } from '../../src/security/sasl/scram.ts';
import { BAD_CREDENTIALS, SaslAuthError } from '../../src/security/sasl/mechanism.ts';

const fakeSaltKey = crypto.randomBytes(32);

// RFC 7677 section 3: user "user", password "pencil".
const RFC7677 = {
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverNonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
};

test('SCRAM-SHA-256 server reproduces the RFC 7677 test vector', (t) => {
  const cred = scramCredential('SCRAM-SHA-256', 'pencil', 4096, RFC7677.salt);
  const server = new ScramServer('SCRAM-SHA-256', (u) => (u === 'user' ? cred : undefined), fakeSaltKey, RFC7677.serverNonce);
  const first = server.step(Buffer.from(RFC7677.clientFirst));
  t.is(first.response.toString(), RFC7677.serverFirst);
  t.false(first.done);
  const final = server.step(Buffer.from(RFC7677.clientFinal));
  t.is(final.response.toString(), RFC7677.serverFinal);
  t.true(final.done);
  t.is(final.done && final.user, 'user');
});

test('SCRAM-SHA-256 client reproduces the RFC 7677 test vector', (t) => {
  const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
  t.is(client.first().toString(), RFC7677.clientFirst);
  t.is(client.final(Buffer.from(RFC7677.serverFirst)).toString(), RFC7677.clientFinal);
  t.notThrows(() => client.verify(Buffer.from(RFC7677.serverFinal)));
  t.throws(() => client.verify(Buffer.from('v=' + Buffer.alloc(32).toString('base64'))), { instanceOf: SaslAuthError });
});

function exchange(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', stored: Record<string, ScramCredential>, user: string, password: string): { user: string } {
  const server = new ScramServer(mechanism, (u) => stored[u], fakeSaltKey);
  const client = new ScramClient(mechanism, user, password);
  const first = server.step(client.first());
  const final = server.step(client.final(first.response));
  client.verify(final.response);
  if (!final.done) throw new Error('not done');
  return { user: final.user };
}

test('SCRAM-SHA-512 client and server agree, and a wrong password fails with the generic message', (t) => {
  const stored = { alice: scramCredential('SCRAM-SHA-512', 'wonderland') };
  t.deepEqual(exchange('SCRAM-SHA-512', stored, 'alice', 'wonderland'), { user: 'alice' });
  t.throws(() => exchange('SCRAM-SHA-512', stored, 'alice', 'wonderlant'), { instanceOf: SaslAuthError, message: BAD_CREDENTIALS });
});

test('SCRAM usernames with , and = are escaped on the wire and matched unescaped', (t) => {
  const stored = { 'a,b=c': scramCredential('SCRAM-SHA-256', 'pw') };
  const client = new ScramClient('SCRAM-SHA-256', 'a,b=c', 'pw', 'nonce');
  t.is(client.first().toString(), 'n,,n=a=2Cb=3Dc,r=nonce');
  t.deepEqual(exchange('SCRAM-SHA-256', stored, 'a,b=c', 'pw'), { user: 'a,b=c' });
});

test('an unknown SCRAM user gets a stable made-up salt and fails only at the proof, like a wrong password', (t) => {
  const server1 = new ScramServer('SCRAM-SHA-256', () => undefined, fakeSaltKey);
  const server2 = new ScramServer('SCRAM-SHA-256', () => undefined, fakeSaltKey);
  const c1 = new ScramClient('SCRAM-SHA-256', 'mallory', 'x');
  const c2 = new ScramClient('SCRAM-SHA-256', 'mallory', 'y');
  const f1 = server1.step(c1.first()).response.toString();
  const f2 = server2.step(c2.first()).response.toString();
  const salt = (s: string) => /s=([^,]+)/.exec(s)?.[1];
  t.truthy(salt(f1));
  t.is(salt(f1), salt(f2));
  t.throws(() => server1.step(c1.final(Buffer.from(f1))), { instanceOf: SaslAuthError, message: BAD_CREDENTIALS });
});

test('SCRAM server refuses malformed and tampered messages', (t) => {
  const cred = scramCredential('SCRAM-SHA-256', 'pencil', 4096, RFC7677.salt);
  const lookup = (u: string) => (u === 'user' ? cred : undefined);
  const bad = ['', 'garbage', 'p=tls-unique,,n=user,r=x', 'n,,r=x,n=user', 'n,,n=,r=x', 'n,,n=user,r=x,tokenauth=true', 'n,a=other,n=user,r=x', 'n,,n=us=er,r=x'];
  for (const msg of bad) {
    t.throws(() => new ScramServer('SCRAM-SHA-256', lookup, fakeSaltKey).step(Buffer.from(msg)), { instanceOf: SaslAuthError }, msg);
  }
  // Tampered final messages: wrong channel binding, wrong nonce, missing proof.
  for (const final of [RFC7677.clientFinal.replace('c=biws', 'c=eSws'), RFC7677.clientFinal.replace('k0,p=', 'k1,p='), 'c=biws,r=x']) {
    const server = new ScramServer('SCRAM-SHA-256', lookup, fakeSaltKey, RFC7677.serverNonce);
    server.step(Buffer.from(RFC7677.clientFirst));
    t.throws(() => server.step(Buffer.from(final)), { instanceOf: SaslAuthError }, final);
  }
});

test('SCRAM server accepts librdkafka\'s client-final nonce (its own nonce repeated in front), as Kafka does', (t) => {
  const cred = scramCredential('SCRAM-SHA-256', 'pencil', 4096, RFC7677.salt);
  const server = new ScramServer('SCRAM-SHA-256', (u) => (u === 'user' ? cred : undefined), fakeSaltKey, RFC7677.serverNonce);
  const serverFirst = server.step(Buffer.from(RFC7677.clientFirst)).response.toString();
  // What librdkafka 2.0 builds: r= its nonce followed by the server's whole nonce, with the proof over that.
  const combined = /r=([^,]+)/.exec(serverFirst)![1]!;
  const withoutProof = `c=biws,r=rOprNGfwEbeRWgbNEkqO${combined}`;
  const salted = crypto.pbkdf2Sync('pencil', RFC7677.salt, 4096, 32, 'sha256');
  const clientKey = crypto.createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = crypto.createHash('sha256').update(clientKey).digest();
  const sig = crypto.createHmac('sha256', storedKey).update(`n=user,r=rOprNGfwEbeRWgbNEkqO,${serverFirst},${withoutProof}`).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]!)).toString('base64');
  const final = server.step(Buffer.from(`${withoutProof},p=${proof}`));
  t.true(final.done);
});

test('SCRAM client refuses a server that lowers the iterations or drops its nonce', (t) => {
  for (const serverFirst of ['r=rOprNGfwEbeRWgbNEkqO%hv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1000', 'r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096', 'r=other,s=AA==,i=4096']) {
    const client = new ScramClient('SCRAM-SHA-256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    client.first();
    t.throws(() => client.final(Buffer.from(serverFirst)), { instanceOf: SaslAuthError }, serverFirst);
  }
});

test('each stored credential has its own random salt and verifies only its password', (t) => {
  const a = scramCredential('SCRAM-SHA-512', 'same');
  const b = scramCredential('SCRAM-SHA-512', 'same');
  t.false(a.salt.equals(b.salt));
  t.false(a.storedKey.equals(b.storedKey));
  t.is(a.iterations, 4096);
  t.true(verifyScramPassword('SCRAM-SHA-512', a, 'same'));
  t.false(verifyScramPassword('SCRAM-SHA-512', a, 'Same'));
});
