/**
 * ACLs on a 3-node SASL_PLAINTEXT chain found through a real dnsmasq: the inter-broker user has no ACL
 * of its own and still replicates (it bypasses ACLs), a client allowed on one topic produces with
 * acks=all through every member, and a client without ACLs is refused at every member. An ACL created
 * through CreateAcls at the head reaches every member along the chain: listed and enforced at the tail.
 * A SCRAM credential made with AlterUserScramCredentials at the tail (forwarded to the head) logs in at
 * every member.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import {
  AclOperationCode as Op, AclPatternType as Pat, AclPermission as Perm, AclResourceType as Res, type AclBinding,
  decodeCreateAclsResponse, decodeDescribeAclsResponse, encodeCreateAclsRequest, encodeDescribeAclsRequest,
} from '../node/src/protocol/apis/acls.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { ScramMechanismCode, decodeAlterUserScramCredentialsResponse, encodeAlterUserScramCredentialsRequest } from '../node/src/protocol/apis/scram-credentials.ts';
import { saltedPassword } from '../node/src/security/sasl/scram.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { dial } from '../node/src/security/dial.ts';
import { ChainCluster } from './lib/chain-cluster.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasTools = requireTool('kcat') && requireTool('dnsmasq');
const serial = hasTools ? test.serial : test.skip;

const SUBNET = 84;
const MECHANISM = 'SCRAM-SHA-256';
const PASSWORDS = { broker: 'broker-pw-0a4b', alice: 'alice-pw-9e21', bob: 'bob-pw-77c3' } as const;
let dir: string;
let chain: ChainCluster;

test.before(async () => {
  if (!hasTools) return;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-acl-chain-'));
  const users = path.join(dir, 'users.json');
  const acls = path.join(dir, 'acl.json');
  fs.writeFileSync(users, JSON.stringify({ users: Object.entries(PASSWORDS).map(([name, password]) => ({ name, password })) }));
  fs.writeFileSync(acls, JSON.stringify({ acls: [
    { principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', patternType: 'literal', operations: ['read', 'write', 'create'], permission: 'allow' },
  ] }));
  chain = new ChainCluster('aclchain', 3, SUBNET, undefined, [
    '--security-protocol', 'SASL_PLAINTEXT', '--sasl-users-file', users, '--sasl-inter-broker-user', 'broker', '--acl-file', acls,
  ]);
  // start() waits until the head reports the chain writable: both links formed by the inter-broker user.
  await chain.start(3);
});
test.after.always(async () => {
  await chain?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function as<T>(user: keyof typeof PASSWORDS, member: number, fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const node = chain.nodes[member]!;
  const wire = KafkaWire.fromSocket(await dial(node.host, node.port, { sasl: { mechanism: MECHANISM, username: user, password: PASSWORDS[user] } }));
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

serial('with ACLs on, alice produces acks=all through the chain with kcat and every member commits; bob is refused at every member', async (t) => {
  const kcat = ['-b', chain.nodes[0]!.address, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${MECHANISM}`, '-X', 'sasl.username=alice', '-X', `sasl.password=${PASSWORDS.alice}`];
  const values = Array.from({ length: 100 }, (_, i) => `order-${i}`);
  const p = await run('kcat', [...kcat, '-P', '-t', 'orders', '-X', 'request.required.acks=-1'], { input: values.join('\n') + '\n' });
  t.is(p.code, 0, p.stderr);
  for (let i = 0; i < 3; i++) {
    await waitFor(`member ${i} committed`, async () => ((await chain.hwm(i, 'orders')) === values.length ? true : undefined), 20_000);
  }
  const c = await run('kcat', [...kcat, '-C', '-t', 'orders', '-o', 'beginning', '-e', '-q']);
  t.is(c.code, 0, c.stderr);
  t.deepEqual(c.stdout.toString().trimEnd().split('\n'), values);

  for (let i = 0; i < 3; i++) {
    await as('bob', i, async (w) => {
      t.is((await w.fetch('orders', 0, 0)).errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, `bob fetches at member ${i}`);
      t.is((await w.produce('orders', 0, encodeRecordBatch({ records: [{ value: 'bob' }] }), -1)).errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, `bob produces at member ${i}`);
    });
    // Alice reads the committed records at every member, the tail included.
    await as('alice', i, async (w) => t.is((await w.fetch('orders', 0, 0)).errorCode, 0, `alice fetches at member ${i}`));
  }
  t.is(await chain.hwm(2, 'orders'), values.length, 'nothing of bob reached the tail');
});

serial('an ACL created at the head with CreateAcls is listed by DescribeAcls and enforced at every member, the tail included', async (t) => {
  // The inter-broker user is a super user here: it may alter the cluster's ACLs.
  const deny: AclBinding = { resourceType: Res.TOPIC, resourceName: 'orders', patternType: Pat.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Perm.DENY };
  const created = await as('broker', 0, async (w) => decodeCreateAclsResponse(await w.send(ApiKey.CreateAcls, 1, (x) => encodeCreateAclsRequest(x, 1, { creations: [deny] })), 1));
  t.deepEqual(created.results.map((r) => r.errorCode), [0]);
  for (let i = 0; i < 3; i++) {
    const listed = await waitFor(`DescribeAcls at member ${i}`, () => as('broker', i, async (w) => {
      const res = decodeDescribeAclsResponse(await w.send(ApiKey.DescribeAcls, 1, (x) => encodeDescribeAclsRequest(x, 1, {
        resourceType: Res.TOPIC, resourceName: 'orders', patternType: Pat.MATCH, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY,
      })), 1);
      return res.resources.length > 0 ? res.resources : undefined;
    }), 30_000);
    t.deepEqual(listed, [{ resourceType: Res.TOPIC, resourceName: 'orders', patternType: Pat.LITERAL, acls: [{ principal: 'User:alice', host: '*', operation: Op.READ, permissionType: Perm.DENY }] }]);
    await as('alice', i, async (w) => t.is((await w.fetch('orders', 0, 0)).errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, `alice's reads are denied at member ${i}`));
  }
});

serial('a SCRAM credential made at the tail with AlterUserScramCredentials logs in at every member', async (t) => {
  const salt = Buffer.from('carol-salt-81');
  const upsertion = { name: 'carol', mechanism: ScramMechanismCode.SCRAM_SHA_256, iterations: 4096, salt, saltedPassword: saltedPassword('SCRAM-SHA-256', 'carol-pw', salt, 4096) };
  const r = await as('broker', 2, async (w) => decodeAlterUserScramCredentialsResponse(await w.send(ApiKey.AlterUserScramCredentials, 0, (x) => encodeAlterUserScramCredentialsRequest(x, 0, { deletions: [], upsertions: [upsertion] })), 0));
  t.deepEqual(r.results, [{ user: 'carol', errorCode: 0, errorMessage: null }]);
  for (let i = 0; i < 3; i++) {
    const node = chain.nodes[i]!;
    await waitFor(`carol logs in at member ${i}`, async () => {
      const socket = await dial(node.host, node.port, { sasl: { mechanism: MECHANISM, username: 'carol', password: 'carol-pw' } }).catch(() => undefined);
      socket?.destroy();
      return socket ? true : undefined;
    }, 30_000);
    t.pass(`carol logged in at member ${i}`);
  }
});
