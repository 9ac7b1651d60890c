/**
 * TLS and SASL end to end: a real node with SASL_SSL, certificates from the real openssl binary, and
 * real clients (kcat/librdkafka, kafkajs, the native client, and raw wire requests for exact error codes).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeSaslAuthenticateResponse, encodeSaslAuthenticateRequest } from '../node/src/protocol/apis/sasl-authenticate.ts';
import { decodeSaslHandshakeResponse, encodeSaslHandshakeRequest } from '../node/src/protocol/apis/sasl-handshake.ts';
import { decodeApiVersionsResponse, encodeApiVersionsRequest } from '../node/src/protocol/apis/api-versions.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { encodePlain } from '../node/src/security/sasl/plain.ts';
import { dial } from '../node/src/security/dial.ts';
import { FrameDecoder, encodeFrame } from '../node/src/protocol/frame.ts';
import { writeRequestHeader } from '../node/src/protocol/header.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import { decodeMetadataResponse, encodeMetadataRequest } from '../node/src/protocol/apis/metadata.ts';
import { Reader } from '../node/src/protocol/reader.ts';
import { makeCa, makeServerCert, type TestCa } from './lib/certs.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasTools = requireTool('openssl') && requireTool('kcat');
const serial = hasTools ? test.serial : test.skip;

const PASSWORDS = { alice: 'alice-pw-3f9c1e', broker: 'broker-pw-77aa01' };
let ca: TestCa;
let cert: { cert: string; key: string };
let usersFile: string;
let node: NodeProcess;

test.before(async () => {
  if (!hasTools) return;
  ca = await makeCa();
  cert = await makeServerCert(ca, 'server', ['IP:127.0.0.1', 'DNS:localhost']);
  usersFile = path.join(ca.dir, 'users.json');
  fs.writeFileSync(usersFile, JSON.stringify({ users: Object.entries(PASSWORDS).map(([name, password]) => ({ name, password })) }));
  node = await startNodeProcess({
    args: ['--log-level', 'debug', '--security-protocol', 'SASL_SSL', '--tls-cert-file', cert.cert, '--tls-key-file', cert.key, '--tls-ca-file', ca.caCert, '--sasl-users-file', usersFile],
  });
});

test.after.always(async () => {
  await node?.destroy();
  if (ca) fs.rmSync(ca.dir, { recursive: true, force: true });
});

const kcatSecurity = (mechanism: string, user: string, password: string): string[] => [
  '-X', 'security.protocol=SASL_SSL', '-X', `sasl.mechanisms=${mechanism}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${password}`, '-X', `ssl.ca.location=${ca.caCert}`,
];

/** A TLS connection verified against the test CA, not yet authenticated. */
async function tlsWire(): Promise<KafkaWire> {
  return KafkaWire.fromSocket(await dial(node.host, node.port, { tls: { ca: fs.readFileSync(ca.caCert) } }));
}

for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']) {
  serial(`kcat over SASL_SSL with ${mechanism} produces and consumes 500 messages byte-identical`, async (t) => {
    const topic = `sec-${mechanism.toLowerCase()}`;
    const lines = Array.from({ length: 500 }, (_, i) => `k${i}\tv${i}-${crypto.randomBytes(i % 40).toString('hex')}`).join('\n') + '\n';
    const sec = kcatSecurity(mechanism, 'alice', PASSWORDS.alice);
    const p = await run('kcat', ['-b', node.address, ...sec, '-P', '-t', topic, '-K', '\t', '-X', 'request.required.acks=-1'], { input: lines });
    t.is(p.code, 0, p.stderr);
    const c = await run('kcat', ['-b', node.address, ...sec, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n']);
    t.is(c.code, 0, c.stderr);
    t.is(c.stdout.toString(), lines);
  });
}

serial('a wrong password is refused: kcat fails, a raw client gets SASL_AUTHENTICATION_FAILED (58) and the connection closes', async (t) => {
  const k = await run('kcat', ['-b', node.address, ...kcatSecurity('SCRAM-SHA-512', 'alice', 'not-the-password'), '-L', '-m', '5'], { timeoutMs: 30_000 });
  t.not(k.code, 0);
  t.regex(k.stderr, /Authentication failed|SASL authentication error/i);

  const wire = await tlsWire();
  const hs = decodeSaslHandshakeResponse(await wire.send(ApiKey.SaslHandshake, 1, (w) => encodeSaslHandshakeRequest(w, 1, { mechanism: 'PLAIN' })), 1);
  t.is(hs.errorCode, 0);
  const auth = decodeSaslAuthenticateResponse(await wire.send(ApiKey.SaslAuthenticate, 2, (w) => encodeSaslAuthenticateRequest(w, 2, { authBytes: encodePlain('alice', 'wrong') })), 2);
  t.is(auth.errorCode, ErrorCode.SASL_AUTHENTICATION_FAILED.code);
  t.truthy(auth.errorMessage);
  t.false(auth.errorMessage!.includes('wrong'));
  await wire.closed;
  t.true(wire.isClosed);
});

serial('an unknown mechanism gets UNSUPPORTED_SASL_MECHANISM (33) with the enabled list, and a request before login closes the connection', async (t) => {
  const wire = await tlsWire();
  const av = decodeApiVersionsResponse(await wire.send(ApiKey.ApiVersions, 3, (w) => encodeApiVersionsRequest(w, 3, { clientSoftwareName: 'e2e', clientSoftwareVersion: '1' })), 3);
  t.deepEqual(av.apiKeys.filter((k) => k.apiKey === ApiKey.SaslHandshake || k.apiKey === ApiKey.SaslAuthenticate), [
    { apiKey: ApiKey.SaslHandshake, minVersion: 0, maxVersion: 1 },
    { apiKey: ApiKey.SaslAuthenticate, minVersion: 0, maxVersion: 2 },
  ]);
  const hs = decodeSaslHandshakeResponse(await wire.send(ApiKey.SaslHandshake, 1, (w) => encodeSaslHandshakeRequest(w, 1, { mechanism: 'GSSAPI' })), 1);
  t.is(hs.errorCode, ErrorCode.UNSUPPORTED_SASL_MECHANISM.code);
  t.deepEqual(hs.mechanisms, ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']);
  await wire.closed;

  const early = await tlsWire();
  await t.throwsAsync(early.send(ApiKey.Metadata, 1, (w) => w.int32(-1)), { message: /closed/ });
  t.true(early.isClosed);
});

serial('a plaintext Kafka client on the TLS port gets no Kafka response and is disconnected', async (t) => {
  const socket = net.connect({ host: node.host, port: node.port });
  await new Promise((resolve) => socket.once('connect', resolve));
  const received: Buffer[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  const closed = new Promise((resolve) => socket.on('close', resolve));
  socket.on('error', () => {});
  // ApiVersions v0, correlation id 0x5eed, client id "raw".
  const body = Buffer.from('0012000000005eed0003726177', 'hex');
  socket.write(encodeFrame(body));
  await closed;
  const bytes = Buffer.concat(received);
  t.false(bytes.length >= 8 && bytes.readInt32BE(4) === 0x5eed, 'no Kafka response with our correlation id');
  const k = await run('kcat', ['-b', node.address, '-L', '-m', '5'], { timeoutMs: 30_000 });
  t.not(k.code, 0, 'kcat without TLS gets no metadata');
});

serial('kafkajs with ssl and SASL/SCRAM-SHA-512 produces and consumes', async (t) => {
  const kafka = new Kafka({
    clientId: 'e2e-sec', brokers: [node.address], logLevel: logLevel.NOTHING,
    ssl: { ca: [fs.readFileSync(ca.caCert, 'utf8')] },
    sasl: { mechanism: 'scram-sha-512', username: 'alice', password: PASSWORDS.alice },
    retry: { retries: 5, initialRetryTime: 100 },
  });
  const producer = kafka.producer();
  await producer.connect();
  const values = Array.from({ length: 50 }, (_, i) => `kafkajs-${i}`);
  await producer.send({ topic: 'sec-kafkajs', acks: -1, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'sec-group' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'sec-kafkajs', fromBeginning: true });
  const got: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
  await waitFor('all messages consumed', () => (got.length >= values.length ? true : undefined), 30_000);
  await consumer.disconnect();
  t.deepEqual(got, values);
});

serial('a replaced certificate is served to new connections without a restart; a broken one keeps the old', async (t) => {
  const fingerprint = async (): Promise<string> => {
    const s = tls.connect({ host: node.host, port: node.port, ca: fs.readFileSync(ca.caCert) });
    await new Promise((resolve, reject) => s.once('secureConnect', resolve).once('error', reject));
    const fp = s.getPeerX509Certificate()!.fingerprint256;
    s.destroy();
    return fp;
  };
  const before = await fingerprint();
  t.is(before, new crypto.X509Certificate(fs.readFileSync(cert.cert)).fingerprint256);
  const next = await makeServerCert(ca, 'server-next', ['IP:127.0.0.1', 'DNS:localhost']);
  // Key first, then certificate: in between the pair does not match, and the node keeps the old one.
  fs.copyFileSync(next.key, cert.key);
  fs.copyFileSync(next.cert, cert.cert);
  const expected = new crypto.X509Certificate(fs.readFileSync(next.cert)).fingerprint256;
  await waitFor('new certificate served', async () => ((await fingerprint()) === expected ? true : undefined), 20_000);
  t.not(expected, before);

  const logged = node.stderr.length;
  fs.writeFileSync(cert.cert, '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
  await waitFor('reload error logged', () => (node.stderr.slice(logged).includes('TLS files not reloaded') ? true : undefined), 20_000);
  t.is(await fingerprint(), expected, 'the last good certificate is still served');
  fs.copyFileSync(next.cert, cert.cert);
});

serial('no password or private key appears in the node\'s logs (debug level)', async (t) => {
  // Something worth logging first: a failed login with a password, and a successful one.
  await run('kcat', ['-b', node.address, ...kcatSecurity('PLAIN', 'alice', 'leaked-if-logged-91'), '-L', '-m', '5'], { timeoutMs: 30_000 });
  await run('kcat', ['-b', node.address, ...kcatSecurity('PLAIN', 'alice', PASSWORDS.alice), '-L', '-m', '5'], { timeoutMs: 30_000 });
  const logs = node.stderr;
  t.true(logs.includes('vonnegut node started'));
  for (const secret of [...Object.values(PASSWORDS), 'leaked-if-logged-91']) t.false(logs.includes(secret), `log contains ${secret}`);
  const keyBody = fs.readFileSync(cert.key, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----'));
  for (const line of keyBody) t.false(logs.includes(line), 'log contains key material');
});

/** Frames from a socket, one at a time; null once the socket has closed. */
function frameReader(socket: net.Socket): () => Promise<Buffer | null> {
  const decoder = new FrameDecoder();
  const frames: Buffer[] = [];
  let closed = false;
  let wake: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    frames.push(...decoder.push(d));
    wake?.();
  });
  socket.on('close', () => {
    closed = true;
    wake?.();
  });
  socket.on('error', () => {});
  return async () => {
    while (frames.length === 0 && !closed) await new Promise<void>((r) => (wake = r));
    return frames.shift() ?? null;
  };
}

function request(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  const w = new Writer(128);
  writeRequestHeader(w, 1, { apiKey, apiVersion: version, correlationId, clientId: 'e2e-v0' });
  body(w);
  return encodeFrame(w.toBuffer());
}

serial('SaslHandshake v0: a bare PLAIN token logs in and requests follow; a bad bare token closes the connection', async (t) => {
  const good = await dial(node.host, node.port, { tls: { ca: fs.readFileSync(ca.caCert) } });
  const next = frameReader(good);
  good.write(request(ApiKey.SaslHandshake, 0, 1, (w) => encodeSaslHandshakeRequest(w, 0, { mechanism: 'PLAIN' })));
  const hs = new Reader((await next())!);
  t.is(hs.int32(), 1);
  t.is(decodeSaslHandshakeResponse(hs, 0).errorCode, 0);
  good.write(encodeFrame(encodePlain('alice', PASSWORDS.alice)));
  t.deepEqual(await next(), Buffer.alloc(0), 'an empty bare token answers a good PLAIN login');
  good.write(request(ApiKey.Metadata, 1, 2, (w) => encodeMetadataRequest(w, 1, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })));
  const md = new Reader((await next())!);
  t.is(md.int32(), 2);
  t.true(decodeMetadataResponse(md, 1).brokers.length > 0);
  good.destroy();

  const bad = await dial(node.host, node.port, { tls: { ca: fs.readFileSync(ca.caCert) } });
  const nextBad = frameReader(bad);
  bad.write(request(ApiKey.SaslHandshake, 0, 1, (w) => encodeSaslHandshakeRequest(w, 0, { mechanism: 'PLAIN' })));
  t.truthy(await nextBad());
  bad.write(encodeFrame(encodePlain('alice', 'wrong')));
  t.is(await nextBad(), null, 'closed without an answer, as Kafka does for v0');
});

serial('SSL without SASL: kcat trusting the CA reads metadata; trusting another CA it refuses the certificate', async (t) => {
  const sslNode = await startNodeProcess({ args: ['--security-protocol', 'SSL', '--tls-cert-file', cert.cert, '--tls-key-file', cert.key] });
  t.teardown(() => sslNode.destroy());
  const ok = await run('kcat', ['-b', sslNode.address, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${ca.caCert}`, '-L', '-m', '10'], { timeoutMs: 30_000 });
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout.toString(), /1 brokers/);
  const otherCa = await makeCa();
  t.teardown(() => fs.rmSync(otherCa.dir, { recursive: true, force: true }));
  const untrusted = await run('kcat', ['-b', sslNode.address, '-X', 'security.protocol=SSL', '-X', `ssl.ca.location=${otherCa.caCert}`, '-L', '-m', '5'], { timeoutMs: 30_000 });
  t.not(untrusted.code, 0);
  t.regex(untrusted.stderr, /certificate verify failed|SSL handshake failed/i);
});

serial('the vonnegut CLI produces and consumes over SASL_SSL, and a wrong password exits 1 with SASL_AUTHENTICATION_FAILED (58)', async (t) => {
  const main = path.resolve('node/src/main.ts');
  const cli = (args: string[], password: string, input?: string) => run(process.execPath, ['--import', 'tsx', main, ...args], {
    input, timeoutMs: 60_000,
    env: { VONNEGUT_BOOTSTRAP: node.address, VONNEGUT_TLS_CA_FILE: ca.caCert, VONNEGUT_SASL_USERNAME: 'alice', VONNEGUT_SASL_PASSWORD: password },
  });
  const lines = Array.from({ length: 100 }, (_, i) => `cli-secure-${i}`);
  const p = await cli(['produce', 'sec-cli', '--sasl-mechanism', 'SCRAM-SHA-256'], PASSWORDS.alice, `${lines.join('\n')}\n`);
  t.is(p.code, 0, p.stderr);
  const c = await cli(['consume', 'sec-cli', '--from-beginning', '--max-messages', '100'], PASSWORDS.alice);
  t.is(c.code, 0, c.stderr);
  t.deepEqual(c.stdout.toString().split('\n').slice(0, -1), lines);
  const bad = await cli(['consume', 'sec-cli', '--from-beginning', '--max-messages', '1'], 'wrong-password-x');
  t.is(bad.code, 1);
  t.regex(bad.stderr, /SASL_AUTHENTICATION_FAILED, code 58/);
  t.false(bad.stderr.includes('wrong-password-x'));
});
