/**
 * A 3-node chain with SASL_SSL on every link: members find each other through a real dnsmasq, dial
 * their successors over TLS (verified against the test CA) and authenticate as the inter-broker user.
 * A client user may produce and consume but not open a replication link.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { dial } from '../node/src/security/dial.ts';
import { createClient } from '../node/src/client/index.ts';
import { ChainCluster } from './lib/chain-cluster.ts';
import { sendHello } from './lib/link-hello.ts';
import { makeCa, makeServerCert, type TestCa } from './lib/certs.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasTools = requireTool('openssl') && requireTool('kcat') && requireTool('dnsmasq');
const serial = hasTools ? test.serial : test.skip;

const SUBNET = 77;
const PASSWORDS = { broker: 'broker-pw-5d1e', alice: 'alice-pw-c0ffee' };
let ca: TestCa;
let caPem: Buffer;
let chain: ChainCluster;

test.before(async () => {
  if (!hasTools) return;
  ca = await makeCa();
  caPem = fs.readFileSync(ca.caCert);
  const sans = ['IP:127.0.0.1', ...Array.from({ length: 5 }, (_, i) => `IP:127.0.${SUBNET}.${10 + i}`)];
  const cert = await makeServerCert(ca, 'chain', sans);
  const users = path.join(ca.dir, 'users.json');
  fs.writeFileSync(users, JSON.stringify({ users: Object.entries(PASSWORDS).map(([name, password]) => ({ name, password })) }));
  chain = new ChainCluster('secure', 3, SUBNET, undefined, [
    '--security-protocol', 'SASL_SSL', '--tls-cert-file', cert.cert, '--tls-key-file', cert.key, '--tls-ca-file', ca.caCert,
    '--sasl-users-file', users, '--sasl-inter-broker-user', 'broker', '--sasl-mechanisms', 'SCRAM-SHA-512,SCRAM-SHA-256',
  ]);
  // start() waits until the head reports the chain writable: both links formed over SASL_SSL.
  await chain.start(3);
});

test.after.always(async () => {
  await chain?.destroy();
  if (ca) fs.rmSync(ca.dir, { recursive: true, force: true });
});

serial('a SASL_SSL chain replicates: acks=-1 produces complete and every member commits them', async (t) => {
  const client = await createClient({
    endpoints: chain.nodes[0]!.address,
    tls: { ca: caPem },
    sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: PASSWORDS.alice },
  });
  t.teardown(() => client.close());
  const values = Array.from({ length: 200 }, (_, i) => `secure-${i}`);
  for (let i = 0; i < values.length; i += 50) await client.produce('secure-orders', values.slice(i, i + 50), { acks: -1 });
  for (let i = 0; i < 3; i++) {
    await waitFor(`member ${i} committed`, async () => ((await chain.hwm(i, 'secure-orders')) === values.length ? true : undefined), 20_000);
  }
  const c = await run('kcat', [
    '-b', chain.nodes[0]!.address, '-X', 'security.protocol=SASL_SSL', '-X', 'sasl.mechanisms=SCRAM-SHA-512', '-X', 'sasl.username=alice',
    '-X', `sasl.password=${PASSWORDS.alice}`, '-X', `ssl.ca.location=${ca.caCert}`, '-C', '-t', 'secure-orders', '-o', 'beginning', '-e', '-q',
  ]);
  t.is(c.code, 0, c.stderr);
  t.is(c.stdout.toString(), values.map((v) => `${v}\n`).join(''));
});

serial('a user other than the inter-broker user cannot open a replication link (CLUSTER_AUTHORIZATION_FAILED), nor can anyone before login', async (t) => {
  const tail = chain.nodes[2]!;
  const asAlice = await dial(tail.host, tail.port, { tls: { ca: caPem }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: PASSWORDS.alice } });
  const refusal = await sendHello(asAlice, 'secure-2', 'secure-9');
  t.is(refusal?.type, 'error');
  t.is(refusal?.type === 'error' ? refusal.errorCode : undefined, ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code);

  const anonymous = await dial(tail.host, tail.port, { tls: { ca: caPem } });
  t.is(await sendHello(anonymous, 'secure-2', 'secure-9'), null, 'closed without a link message');

  // The real link is untouched: the chain still takes writes.
  const status = await chain.status(0);
  t.true(status.writable);
  t.deepEqual(status.members, ['secure-0', 'secure-1', 'secure-2']);
});

serial('the chain refuses to start members with SASL but no inter-broker user, naming the flag', async (t) => {
  const r = await run(process.execPath, ['--import', 'tsx', 'node/src/main.ts', 'serve', '--discovery', 'static:127.0.0.1:1', '--security-protocol', 'SASL_SSL', '--tls-cert-file', 'x', '--tls-key-file', 'y', '--sasl-users-file', 'z'], { timeoutMs: 30_000 });
  t.is(r.code, 2);
  t.regex(r.stderr, /--sasl-inter-broker-user/);
});
