/**
 * ACLs per SASL principal on a real node (SASL_PLAINTEXT, SCRAM-SHA-256) with kcat and raw requests
 * sent on connections authenticated through the node's own dialer: alice has ACLs on `orders` and her
 * group, bob has none, admin is a super user.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import type { AclEntry } from '../node/src/security/acl.ts';
import { dial } from '../node/src/security/dial.ts';
import * as req from './lib/acl-requests.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import type { NodeProcess } from './lib/node-process.ts';
import { startSaslAclNode, type SaslAclNode } from './lib/sasl-acl-node.ts';
import { requireTool, run } from './lib/tools.ts';

const hasKcat = requireTool('kcat');
const kcatTest = hasKcat ? test.serial : test.skip;

const MECHANISM = 'SCRAM-SHA-256';
const PASSWORDS = { alice: 'alice-pw-81c2', bob: 'bob-pw-5d07', admin: 'admin-pw-e3a9' } as const;
type User = keyof typeof PASSWORDS;
const ACLS: AclEntry[] = [
  { principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', patternType: 'literal', operations: ['read', 'write', 'create'], permission: 'allow' },
  { principal: 'User:alice', resourceType: 'group', resourceName: 'orders-readers', patternType: 'literal', operations: ['read'], permission: 'allow' },
];

let served: SaslAclNode | undefined;
let node: NodeProcess;

test.before(async () => {
  served = await startSaslAclNode('vg-acl-sasl', PASSWORDS, ACLS);
  node = served.node;
});
test.after.always(async () => {
  await served?.destroy();
});

const kcatAs = (user: User): string[] => [
  '-b', node.address, '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${MECHANISM}`, '-X', `sasl.username=${user}`, '-X', `sasl.password=${PASSWORDS[user]}`,
];

/** Runs `fn` on a connection authenticated as `user`. */
async function as<T>(user: User, fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const wire = KafkaWire.fromSocket(await dial(node.host, node.port, { sasl: { mechanism: MECHANISM, username: user, password: PASSWORDS[user] } }));
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

const produce = (w: KafkaWire, topic: string, value: string) => w.produce(topic, 0, encodeRecordBatch({ records: [{ value }] }), -1);

function logBytes(topic: string): number {
  const d = path.join(node.dataDir, `${topic}-0`);
  return fs.readdirSync(d).filter((f) => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(d, f)).size, 0);
}

kcatTest('alice, allowed on orders, produces and consumes with kcat, in her consumer group too', async (t) => {
  const p = await run('kcat', [...kcatAs('alice'), '-P', '-t', 'orders', '-X', 'request.required.acks=-1'], { input: 'o1\no2\no3\n' });
  t.is(p.code, 0, p.stderr);
  const c = await run('kcat', [...kcatAs('alice'), '-C', '-t', 'orders', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
  t.is(c.code, 0, c.stderr);
  t.is(c.stdout.toString(), '0 o1\n1 o2\n2 o3\n');
  // The balanced consumer: FindCoordinator, JoinGroup, SyncGroup, OffsetFetch, Fetch, OffsetCommit as alice.
  const g = await run('kcat', [...kcatAs('alice'), '-G', 'orders-readers', '-X', 'auto.offset.reset=earliest', '-e', '-q', '-f', '%o %s\n', 'orders'], { timeoutMs: 60_000 });
  t.is(g.code, 0, g.stderr);
  t.is(g.stdout.toString(), '0 o1\n1 o2\n2 o3\n');
  t.notRegex(g.stderr, /authorization/i);
});

test.serial('bob, without ACLs, is refused: TOPIC_AUTHORIZATION_FAILED on produce with nothing stored, GROUP_AUTHORIZATION_FAILED on join', async (t) => {
  await as('alice', async (w) => t.is((await produce(w, 'orders', 'from alice')).errorCode, 0));
  const before = logBytes('orders');
  await as('bob', async (w) => {
    const r = await produce(w, 'orders', 'from bob');
    t.is(r.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);
    t.is((await w.fetch('orders', 0, 0)).errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);
    t.is(await req.joinGroup(w, 'orders-readers'), ErrorCode.GROUP_AUTHORIZATION_FAILED.code);
    t.is(await req.joinGroup(w, 'bobs-own'), ErrorCode.GROUP_AUTHORIZATION_FAILED.code);
    t.is(await req.initProducerId(w), ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code);
    t.is(await req.createTopic(w, 'bob-topic'), ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);
    t.deepEqual((await req.metadata(w, null)).topics.map((x) => x.name), [], 'orders is hidden from bob');
  });
  t.is(logBytes('orders'), before, 'the .log is unchanged');
  t.false(fs.existsSync(path.join(node.dataDir, 'bob-topic-0')));
  // Alice's ACLs are hers alone: she sees orders, joins her group, and may not touch anything else.
  await as('alice', async (w) => {
    t.deepEqual((await req.metadata(w, null)).topics.map((x) => x.name), ['orders']);
    t.is(await req.joinGroup(w, 'orders-readers'), ErrorCode.MEMBER_ID_REQUIRED.code, 'admitted: the first join asks for a member id');
    t.is(await req.joinGroup(w, 'bobs-own'), ErrorCode.GROUP_AUTHORIZATION_FAILED.code);
    t.is(await req.deleteTopic(w, 'orders'), ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);
  });
  t.regex(node.stderr, /denied by ACLs[^\n]*User:bob/);
});

kcatTest('bob through kcat: produce fails with Topic authorization failed, the group consumer is refused at FindCoordinator', async (t) => {
  const before = logBytes('orders');
  const p = await run('kcat', [...kcatAs('bob'), '-P', '-t', 'orders', '-X', 'message.timeout.ms=5000'], { input: 'nope\n' });
  t.not(p.code, 0);
  t.regex(p.stderr, /Topic authorization failed/i);
  t.is(logBytes('orders'), before);
  const g = await run('kcat', [...kcatAs('bob'), '-G', 'orders-readers', '-e', 'orders'], { timeoutMs: 30_000 });
  t.not(g.code, 0);
  // librdkafka prints the broker's error message for FindCoordinator (code 30) rather than the code's name.
  t.regex(g.stderr, /FindCoordinator[^\n]*not authorized to describe group orders-readers/);
});

test.serial('a super user does everything with no ACL of its own; a wrong password is still refused', async (t) => {
  await as('admin', async (w) => {
    t.is(await req.createTopic(w, 'admin-made'), 0);
    t.is((await produce(w, 'admin-made', 'by admin')).errorCode, 0);
    t.is((await produce(w, 'orders', 'by admin')).errorCode, 0);
    t.is((await w.fetch('orders', 0, 0)).errorCode, 0);
    t.is(await req.joinGroup(w, 'orders-readers'), ErrorCode.MEMBER_ID_REQUIRED.code);
    t.deepEqual(await req.commitOffsets(w, 'admins', ['orders'], 1), { orders: 0 });
    t.is(await req.initProducerId(w), 0);
    t.deepEqual((await req.metadata(w, null)).topics.map((x) => x.name).sort(), ['admin-made', 'orders']);
    t.is(await req.deleteTopic(w, 'admin-made'), 0);
  });
  await t.throwsAsync(dial(node.host, node.port, { sasl: { mechanism: MECHANISM, username: 'admin', password: 'not-it' } }));
});
