/**
 * Per-principal ACLs on a real node over real TCP, with kcat (librdkafka) and raw Kafka requests.
 * PLAINTEXT: every connection is User:ANONYMOUS, so the ACL file alone decides. The file is rewritten
 * while the node runs; every expectation after a rewrite polls (with a deadline) until it holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { openLog } from '../node/src/index.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import type { AclEntry } from '../node/src/security/acl.ts';
import * as req from './lib/acl-requests.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { helloOverTcp } from './lib/link-hello.ts';
import { NodeProcess } from './lib/node-process.ts';
import { createTopicAt } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasKcat = requireTool('kcat');
const kcatTest = hasKcat ? test.serial : test.skip;

const TOPIC_AUTHORIZATION_FAILED = ErrorCode.TOPIC_AUTHORIZATION_FAILED.code;
const GROUP_AUTHORIZATION_FAILED = ErrorCode.GROUP_AUTHORIZATION_FAILED.code;
const CLUSTER_AUTHORIZATION_FAILED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code;
/** A topic that exists before the node starts and that no ACL ever opens to User:ANONYMOUS. */
const SECRET = 'secret-ledger';

let node: NodeProcess;
let aclFile: string;

/** Writes the ACL file the way a Kubernetes volume updates it: a new file renamed over the old one. */
function writeAcls(acls: Partial<AclEntry>[] | string): void {
  const text = typeof acls === 'string' ? acls : JSON.stringify({ acls });
  fs.writeFileSync(`${aclFile}.tmp`, text);
  fs.renameSync(`${aclFile}.tmp`, aclFile);
}

function logBytes(topic: string): number {
  const dir = path.join(node.dataDir, `${topic}-0`);
  if (!fs.existsSync(dir)) return -1;
  return fs.readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

async function withWire<T>(fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const wire = await KafkaWire.connect(node.address);
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

const produceRaw = (topic: string, value = 'v') => withWire((w) => w.produce(topic, 0, encodeRecordBatch({ records: [{ value }] }), 1));

const metadata = (topics: string[] | null, allowAutoTopicCreation = false) => withWire((w) => req.metadata(w, topics, allowAutoTopicCreation));
const joinGroup = (groupId: string) => withWire((w) => req.joinGroup(w, groupId));
const initProducerId = () => withWire((w) => req.initProducerId(w));
const commitOffsets = (groupId: string, topics: string[], offset: number) => withWire((w) => req.commitOffsets(w, groupId, topics, offset));
const fetchOffsets = (groupId: string, topics: string[] | null) => withWire((w) => req.fetchOffsets(w, groupId, topics));
const createTopic = (name: string) => withWire((w) => req.createTopic(w, name));
const deleteTopic = (name: string) => withWire((w) => req.deleteTopic(w, name));

test.before(async () => {
  node = new NodeProcess();
  // The secret topic exists with one record before the node starts (written through the embedded library).
  const log = await openLog({ dataDir: node.dataDir });
  log.createTopic(SECRET);
  log.write(SECRET, ['ledger entry 0']);
  log.close();
  aclFile = path.join(node.dataDir, '..', `${path.basename(node.dataDir)}-acl.json`);
  writeAcls([]);
  node.spec.args = ['--acl-file', aclFile];
  await node.start();
});
test.after.always(async () => {
  await node?.destroy();
  if (aclFile) fs.rmSync(aclFile, { force: true });
});

test.serial('User:ANONYMOUS without ACLs: Produce is TOPIC_AUTHORIZATION_FAILED and the .log on disk is unchanged', async (t) => {
  const before = logBytes(SECRET);
  t.true(before > 0);
  const r = await produceRaw(SECRET, 'must never be stored');
  t.is(r.errorCode, TOPIC_AUTHORIZATION_FAILED);
  t.is(r.baseOffset, -1);
  t.is(logBytes(SECRET), before);
  // Reads and offset lookups are refused the same way, per partition.
  t.is((await withWire((w) => w.fetch(SECRET, 0, 0))).errorCode, TOPIC_AUTHORIZATION_FAILED);
  t.is((await withWire((w) => w.listOffset(SECRET, 0, -1))).errorCode, TOPIC_AUTHORIZATION_FAILED);
  // Metadata: left out of the all-topics listing, refused when asked for by name.
  t.deepEqual((await metadata(null)).topics.map((x) => x.name), []);
  t.is((await metadata([SECRET])).topics[0]!.errorCode, TOPIC_AUTHORIZATION_FAILED);
  // Nothing new may be created, by any path, and nothing reaches the disk.
  t.is((await metadata(['new-topic'], true)).topics[0]!.errorCode, TOPIC_AUTHORIZATION_FAILED);
  t.is((await produceRaw('new-topic')).errorCode, TOPIC_AUTHORIZATION_FAILED);
  t.is(await createTopic('new-topic'), TOPIC_AUTHORIZATION_FAILED);
  t.false(fs.existsSync(path.join(node.dataDir, 'new-topic-0')));
  t.is(await deleteTopic(SECRET), TOPIC_AUTHORIZATION_FAILED);
  t.true(logBytes(SECRET) > 0);
  t.is(await joinGroup('any-group'), GROUP_AUTHORIZATION_FAILED);
  t.is(await initProducerId(), CLUSTER_AUTHORIZATION_FAILED);
  t.regex(node.stderr, /denied by ACLs.*User:ANONYMOUS/);
});

kcatTest('User:ANONYMOUS without ACLs: kcat produce fails with Topic authorization failed and kcat -L does not list the topic', async (t) => {
  const before = logBytes(SECRET);
  const p = await run('kcat', ['-b', node.address, '-P', '-t', SECRET, '-X', 'message.timeout.ms=5000'], { input: 'from kcat\n' });
  t.not(p.code, 0);
  t.regex(p.stderr, /Topic authorization failed/i);
  t.is(logBytes(SECRET), before);
  const l = await run('kcat', ['-b', node.address, '-L']);
  t.is(l.code, 0, l.stderr);
  t.notRegex(l.stdout.toString(), new RegExp(SECRET));
  t.regex(l.stdout.toString(), /0 topics/);
});

kcatTest('an ACL file rewritten to allow a prefix applies without a restart: kcat produces and consumes there', async (t) => {
  const pid = node.child!.pid;
  writeAcls([{ principal: 'User:ANONYMOUS', resourceType: 'topic', resourceName: 'app-', patternType: 'prefixed', operations: ['read', 'write', 'create'], permission: 'allow' }]);
  await waitFor('the new ACLs to apply', async () => ((await produceRaw('app-events', 'first')).errorCode === 0 ? true : undefined));
  const p = await run('kcat', ['-b', node.address, '-P', '-t', 'app-events', '-X', 'message.timeout.ms=10000'], { input: 'second\nthird\n' });
  t.is(p.code, 0, p.stderr);
  const c = await run('kcat', ['-b', node.address, '-C', '-t', 'app-events', '-o', 'beginning', '-e', '-q', '-f', '%o %s\n']);
  t.is(c.code, 0, c.stderr);
  t.is(c.stdout.toString(), '0 first\n1 second\n2 third\n');
  t.is(node.child!.pid, pid, 'the same process: no restart');
  // Only the prefix opened: the secret topic is still refused and hidden.
  t.is((await produceRaw(SECRET)).errorCode, TOPIC_AUTHORIZATION_FAILED);
  t.deepEqual((await metadata(null)).topics.map((x) => x.name), ['app-events']);
  // Write on some topic is what an idempotent producer needs (Kafka's KIP-679).
  t.is(await initProducerId(), 0);
});

test.serial('a replication link needs ClusterAction on the cluster: refused with 31 without it, judged by the chain with it', async (t) => {
  writeAcls([]);
  const refused = await waitFor('the empty ACLs to apply', async () => {
    const m = await helloOverTcp(node.address, 'anyone');
    return m?.type === 'error' && m.errorCode === CLUSTER_AUTHORIZATION_FAILED ? m : undefined;
  });
  t.regex(refused.type === 'error' ? refused.message : '', /ClusterAction/);
  writeAcls([{ principal: 'User:ANONYMOUS', resourceType: 'cluster', resourceName: 'kafka-cluster', patternType: 'literal', operations: ['cluster_action'], permission: 'allow' }]);
  // Allowed through the ACLs, the Hello meets the chain's own check: a solo node has no predecessor.
  const judged = await waitFor('the grant to apply', async () => {
    const m = await helloOverTcp(node.address, 'anyone');
    return m?.type === 'error' && m.errorCode !== CLUSTER_AUTHORIZATION_FAILED ? m : undefined;
  });
  t.is(judged.type === 'error' ? judged.errorCode : -1, ErrorCode.NOT_LEADER_OR_FOLLOWER.code);
});

test.serial('deny overrides allow, and an invalid rewrite keeps the ACLs in force', async (t) => {
  const allowPrefix: Partial<AclEntry> = { principal: 'User:ANONYMOUS', resourceType: 'topic', resourceName: 'app-', patternType: 'prefixed', operations: ['all'], permission: 'allow' };
  writeAcls([allowPrefix]);
  await waitFor('app-frozen to accept writes', async () => ((await produceRaw('app-frozen', 'before deny')).errorCode === 0 ? true : undefined));
  writeAcls([allowPrefix, { principal: 'User:*', resourceType: 'topic', resourceName: 'app-frozen', patternType: 'literal', operations: ['write'], permission: 'deny' }]);
  await waitFor('the deny to apply', async () => ((await produceRaw('app-frozen', 'after deny')).errorCode === TOPIC_AUTHORIZATION_FAILED ? true : undefined));
  const frozen = logBytes('app-frozen');
  t.is((await produceRaw('app-frozen', 'still denied')).errorCode, TOPIC_AUTHORIZATION_FAILED);
  t.is(logBytes('app-frozen'), frozen);
  // The deny names write only: reading the topic and writing its neighbours still work.
  t.is((await withWire((w) => w.fetch('app-frozen', 0, 0))).errorCode, 0);
  t.is((await produceRaw('app-events', 'neighbour')).errorCode, 0);

  writeAcls('{"acls": [{"principal": "User:ANONYMOUS", "operations": ["read"');
  await waitFor('the rejected change to be logged', () => (/ACL file change rejected/.test(node.stderr) ? true : undefined));
  t.is((await produceRaw('app-frozen')).errorCode, TOPIC_AUTHORIZATION_FAILED, 'the deny is still in force');
  t.is((await produceRaw('app-events', 'still allowed')).errorCode, 0, 'the allow is still in force');
  t.is(node.child?.exitCode, null);
});

test.serial('offsets: Read on the group admits commits, but only for topics the principal may read; OffsetFetch hides the rest', async (t) => {
  const group = (name: string, operations: string[]): Partial<AclEntry> => ({ principal: 'User:ANONYMOUS', resourceType: 'group', resourceName: name, patternType: 'literal', operations: operations as AclEntry['operations'], permission: 'allow' });
  const topics: Partial<AclEntry> = { principal: 'User:ANONYMOUS', resourceType: 'topic', resourceName: 'app-', patternType: 'prefixed', operations: ['read', 'write', 'create'], permission: 'allow' };
  writeAcls([topics, group('app-readers', ['read']), group('describe-only', ['describe'])]);
  // Offsets are stored only for partitions that exist; Create on `app-` lets this principal make them.
  for (const topic of ['app-events', 'app-hidden']) {
    await waitFor(`${topic} created`, async () => ([0, ErrorCode.TOPIC_ALREADY_EXISTS.code].includes(await createTopicAt(node.address, topic, 1)) ? true : undefined));
  }
  await waitFor('the group ACL to apply', async () => ((await commitOffsets('app-readers', ['app-events'], 1))['app-events'] === 0 ? true : undefined));
  // Read on the group, no Read on the secret topic: that topic's commit is refused and not stored.
  t.deepEqual(await commitOffsets('app-readers', ['app-events', SECRET], 2), { 'app-events': 0, [SECRET]: TOPIC_AUTHORIZATION_FAILED });
  const asked = await fetchOffsets('app-readers', ['app-events', SECRET]);
  t.is(asked.errorCode, 0);
  t.deepEqual(asked.topics, { 'app-events': [2, 0], [SECRET]: [-1, TOPIC_AUTHORIZATION_FAILED] });
  // An offset committed while allowed disappears from the all-topics answer once its topic is denied.
  t.deepEqual(await commitOffsets('app-readers', ['app-hidden'], 5), { 'app-hidden': 0 });
  t.deepEqual((await fetchOffsets('app-readers', null)).topics, { 'app-events': [2, 0], 'app-hidden': [5, 0] });
  const denyHidden: Partial<AclEntry> = { principal: 'User:ANONYMOUS', resourceType: 'topic', resourceName: 'app-hidden', patternType: 'literal', operations: ['all'], permission: 'deny' };
  writeAcls([topics, denyHidden, group('app-readers', ['read']), group('describe-only', ['describe'])]);
  await waitFor('the deny to apply', async () => ((await commitOffsets('app-readers', ['app-hidden'], 6))['app-hidden'] === TOPIC_AUTHORIZATION_FAILED ? true : undefined));
  t.deepEqual((await fetchOffsets('app-readers', null)).topics, { 'app-events': [2, 0] });
  // Describe on a group lets its offsets be read but not committed; no ACL on a group refuses both.
  t.deepEqual(await commitOffsets('describe-only', ['app-events'], 1), { 'app-events': GROUP_AUTHORIZATION_FAILED });
  t.is((await fetchOffsets('describe-only', ['app-events'])).errorCode, 0);
  t.deepEqual(await commitOffsets('no-acl', ['app-events'], 1), { 'app-events': GROUP_AUTHORIZATION_FAILED });
  t.is((await fetchOffsets('no-acl', ['app-events'])).errorCode, GROUP_AUTHORIZATION_FAILED);
  t.is(await joinGroup('describe-only'), GROUP_AUTHORIZATION_FAILED, 'joining needs Read');
});

test.serial('a node whose ACL file is invalid at startup refuses to start and says which entry is wrong', async (t) => {
  const bad = path.join(path.dirname(aclFile), `${path.basename(aclFile)}-bad.json`);
  fs.writeFileSync(bad, JSON.stringify({ acls: [{ principal: 'User:a', resourceType: 'topic', resourceName: 'x', operations: ['read'], permission: 'allow' }, { principal: 'alice', resourceType: 'topic', resourceName: 'x', operations: ['read'], permission: 'allow' }] }));
  t.teardown(() => fs.rmSync(bad, { force: true }));
  const other = new NodeProcess({ args: ['--acl-file', bad] });
  t.teardown(() => other.destroy());
  const err = await t.throwsAsync(other.start());
  t.regex(err!.message, /acls\[1\]\.principal must be "User:<name>"/);
});
