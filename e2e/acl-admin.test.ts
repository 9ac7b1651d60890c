/**
 * The ACL admin APIs (CreateAcls / DescribeAcls / DeleteAcls, KIP-140) with kafkajs's admin client
 * against real SASL_PLAINTEXT nodes: ACLs created by a super user take effect on the next request of
 * another principal, combine with the ACL file (a deny from the API beats an allow from the file),
 * describe and delete by filters (LITERAL, PREFIXED, MATCH, ANY), survive kill -9, need Alter/Describe on
 * the cluster, answer SECURITY_DISABLED without an authorizer, and are the same on both nodes of a
 * cluster of two chains (created, described and deleted with raw requests at the node that is not the
 * controller, since kafkajs sends every ACL request to the controller).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import kafkajs, { Kafka, logLevel, type Admin, type AclEntry as KafkajsAcl } from 'kafkajs';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import {
  AclOperationCode as Op, AclPatternType as Pat, AclPermission as Perm, AclResourceType as Res, type AclBinding, type AclFilter,
  decodeCreateAclsResponse, decodeDeleteAclsResponse, decodeDescribeAclsResponse, encodeCreateAclsRequest, encodeDeleteAclsRequest, encodeDescribeAclsRequest,
} from '../node/src/protocol/apis/acls.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { dial } from '../node/src/security/dial.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { freePort } from './lib/ports.ts';
import { waitFor } from './lib/tools.ts';

// kafkajs is CommonJS; its enums are not detected as named ESM exports.
const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
const MECHANISM = 'scram-sha-256';
const PASSWORDS = { admin: 'admin-pw-41d0', alice: 'alice-pw-0c7e', bob: 'bob-pw-93aa', broker: 'broker-pw-5f12' } as const;
type User = keyof typeof PASSWORDS;
/** The file allows alice everything on `orders*` topics; bob has nothing; admin is a super user. */
const FILE_ACLS = [{ principal: 'User:alice', resourceType: 'topic', resourceName: 'orders', patternType: 'prefixed', operations: ['all'], permission: 'allow' }];

let dir: string;
const nodes: NodeProcess[] = [];

function secured(name: string): string[] {
  const d = path.join(dir, name);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'users.json'), JSON.stringify({ users: Object.entries(PASSWORDS).map(([n, password]) => ({ name: n, password })) }));
  fs.writeFileSync(path.join(d, 'acl.json'), JSON.stringify({ acls: FILE_ACLS }));
  return ['--security-protocol', 'SASL_PLAINTEXT', '--sasl-users-file', path.join(d, 'users.json'), '--acl-file', path.join(d, 'acl.json'), '--super-users', 'User:admin'];
}

test.before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-acl-admin-'));
});
test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, args: string[], port?: number): Promise<NodeProcess> {
  const n = await startNodeProcess({ dataDir: path.join(dir, name, 'data'), ...(port ? { port } : {}), args });
  nodes.push(n);
  return n;
}

/** Runs `fn` with a kafkajs admin client logged in as `user`. */
async function adminAs<T>(node: NodeProcess, user: User, fn: (a: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({ brokers: [node.address], clientId: 'acl-admin-test', logLevel: logLevel.NOTHING, sasl: { mechanism: MECHANISM, username: user, password: PASSWORDS[user] }, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Produces one record as `user` on a raw SASL connection; returns the partition's error code. */
async function produceAs(node: NodeProcess, user: User, topic: string): Promise<number> {
  const wire = KafkaWire.fromSocket(await dial(node.host, node.port, { sasl: { mechanism: 'SCRAM-SHA-256', username: user, password: PASSWORDS[user] } }));
  try {
    return (await wire.produce(topic, 0, encodeRecordBatch({ records: [{ value: `from ${user}` }] }), -1)).errorCode;
  } finally {
    wire.close();
  }
}

const acl = (over: Partial<KafkajsAcl> & Pick<KafkajsAcl, 'resourceName' | 'principal'>): KafkajsAcl => ({
  resourceType: AclResourceTypes.TOPIC, resourcePatternType: ResourcePatternTypes.LITERAL, host: '*',
  operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW, ...over,
});
const BOB_WRITES_ORDERS = acl({ resourceName: 'orders', principal: 'User:bob' });
const DENY_ALICE_SECRET = acl({ resourceName: 'orders-secret', resourcePatternType: ResourcePatternTypes.PREFIXED, principal: 'User:alice', operation: AclOperationTypes.ALL, permissionType: AclPermissionTypes.DENY });

/** Every binding DescribeAcls returns for a filter, flattened and sorted. */
async function described(node: NodeProcess, filter: Parameters<Admin['describeAcls']>[0]): Promise<string[]> {
  const res = await adminAs(node, 'admin', (a) => a.describeAcls(filter));
  return res.resources.flatMap((r) => r.acls.map((x) => `${r.resourceType}/${r.resourceName}/${r.resourcePatternType}/${x.principal}/${x.host}/${x.operation}/${x.permissionType}`)).sort();
}
const line = (a: KafkajsAcl): string => `${a.resourceType}/${a.resourceName}/${a.resourcePatternType}/${a.principal}/${a.host}/${a.operation}/${a.permissionType}`;
const ANY_FILTER = { resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY } as const;

test.serial('created ACLs take effect on another principal\'s next request, describe by filters, survive kill -9, and delete', async (t) => {
  const node = await start('single', secured('single'));
  await adminAs(node, 'admin', (a) => a.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }, { topic: 'orders-secret-1', numPartitions: 1 }] }));
  t.is(await produceAs(node, 'bob', 'orders'), ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, 'bob has no ACL yet');
  t.is(await produceAs(node, 'alice', 'orders-secret-1'), 0, 'the file allows alice on orders*');

  await adminAs(node, 'admin', (a) => a.createAcls({ acl: [BOB_WRITES_ORDERS, DENY_ALICE_SECRET] }));
  t.is(await produceAs(node, 'bob', 'orders'), 0, 'the API allow lets bob write at once');
  t.is(await produceAs(node, 'alice', 'orders-secret-1'), ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, 'the API deny beats the file allow');
  t.is(await produceAs(node, 'alice', 'orders'), 0, 'the prefixed deny does not reach orders');

  t.deepEqual(await described(node, ANY_FILTER), [line(BOB_WRITES_ORDERS), line(DENY_ALICE_SECRET)].sort(), 'ANY lists both');
  t.deepEqual(await described(node, { ...ANY_FILTER, resourceType: AclResourceTypes.TOPIC, resourceName: 'orders-secret-1', resourcePatternType: ResourcePatternTypes.MATCH }), [line(DENY_ALICE_SECRET)], 'MATCH finds the prefix that applies to a name');
  t.deepEqual(await described(node, { ...ANY_FILTER, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL }), [line(BOB_WRITES_ORDERS)], 'LITERAL');
  t.deepEqual(await described(node, { ...ANY_FILTER, resourcePatternType: ResourcePatternTypes.PREFIXED }), [line(DENY_ALICE_SECRET)], 'PREFIXED');
  t.deepEqual(await described(node, { ...ANY_FILTER, principal: 'User:bob', permissionType: AclPermissionTypes.ALLOW }), [line(BOB_WRITES_ORDERS)], 'principal and permission');
  t.deepEqual(await described(node, { ...ANY_FILTER, operation: AclOperationTypes.READ }), [], 'operation');

  // Bob may write orders but not alter the cluster: CreateAcls and DescribeAcls are refused.
  await t.throwsAsync(adminAs(node, 'bob', (a) => a.createAcls({ acl: [acl({ resourceName: 'x', principal: 'User:bob' })] })), { message: /Cluster authorization failed|CLUSTER_AUTHORIZATION_FAILED|not allowed/i });
  await t.throwsAsync(adminAs(node, 'bob', (a) => a.describeAcls(ANY_FILTER)), { message: /Cluster authorization failed|CLUSTER_AUTHORIZATION_FAILED|not allowed/i });

  await node.kill('SIGKILL');
  await node.start();
  t.deepEqual(await described(node, ANY_FILTER), [line(BOB_WRITES_ORDERS), line(DENY_ALICE_SECRET)].sort(), 'both survive kill -9');
  t.is(await produceAs(node, 'bob', 'orders'), 0, 'and are enforced after the restart');
  t.is(await produceAs(node, 'alice', 'orders-secret-1'), ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);

  const deleted = await adminAs(node, 'admin', (a) => a.deleteAcls({ filters: [{ ...ANY_FILTER, principal: 'User:bob' }] }));
  t.deepEqual(deleted.filterResponses.map((f) => [f.errorCode, f.matchingAcls.map((m) => m.principal)]), [[0, ['User:bob']]]);
  t.is(await produceAs(node, 'bob', 'orders'), ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, 'deleted: bob is refused again');
  t.deepEqual(await described(node, ANY_FILTER), [line(DENY_ALICE_SECRET)]);
});

test.serial('a node without an authorizer answers the ACL APIs with SECURITY_DISABLED', async (t) => {
  const node = await start('open', []);
  const kafka = new Kafka({ brokers: [node.address], clientId: 'acl-admin-test', logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await t.throwsAsync(admin.createAcls({ acl: [BOB_WRITES_ORDERS] }), { message: /security features are disabled|SECURITY_DISABLED/i });
    await t.throwsAsync(admin.describeAcls(ANY_FILTER), { message: /security features are disabled|SECURITY_DISABLED/i });
  } finally {
    await admin.disconnect();
  }
});

/** Runs `fn` on a raw connection to `node` logged in as `user` (requests go to that node, not to the controller as kafkajs sends them). */
async function wireAs<T>(node: NodeProcess, user: User, fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const wire = KafkaWire.fromSocket(await dial(node.host, node.port, { sasl: { mechanism: 'SCRAM-SHA-256', username: user, password: PASSWORDS[user] } }));
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

const V = 2;
const WIRE_ANY: AclFilter = { resourceType: Res.ANY, resourceName: null, patternType: Pat.ANY, principal: null, host: null, operation: Op.ANY, permissionType: Perm.ANY };
const wireDescribe = async (n: NodeProcess): Promise<string[]> => wireAs(n, 'admin', async (w) => {
  const res = decodeDescribeAclsResponse(await w.send(ApiKey.DescribeAcls, V, (x) => encodeDescribeAclsRequest(x, V, WIRE_ANY)), V);
  if (res.errorCode !== 0) throw new Error(`DescribeAcls at ${n.address}: error ${res.errorCode}`);
  return res.resources.flatMap((r) => r.acls.map((a) => `${r.resourceName}/${r.patternType}/${a.principal}/${a.operation}/${a.permissionType}`));
});

test.serial('two chains: an ACL created at the node that is not the controller is described and enforced at both, and deleted there too', async (t) => {
  const ports = [await freePort(), await freePort()];
  const addr = (i: number) => `127.0.0.1:${ports[i]}`;
  const cluster = `static:a0=${addr(0)},static:b0=${addr(1)}`;
  const members = await Promise.all(['a0', 'b0'].map((name, i) => start(`cluster-${name}`, [
    ...secured(`cluster-${name}`), '--sasl-inter-broker-user', 'broker', '--node-name', name, '--discovery', `static:${name}=${addr(i)}`, '--replicas', '1', '--cluster', cluster,
  ], ports[i])));
  const [a, b] = members as [NodeProcess, NodeProcess];
  const deny: AclBinding = { resourceType: Res.TOPIC, resourceName: 'orders-secret', patternType: Pat.PREFIXED, principal: 'User:alice', host: '*', operation: Op.ALL, permissionType: Perm.DENY };
  // b0 is not the controller (a0, the first chain's head): it forwards the creation there.
  const created = await waitFor('CreateAcls at b0', () => wireAs(b, 'admin', async (w) => {
    const res = decodeCreateAclsResponse(await w.send(ApiKey.CreateAcls, V, (x) => encodeCreateAclsRequest(x, V, { creations: [deny] })), V);
    return res.results[0]?.errorCode === 0 ? res.results : undefined;
  }).catch(() => undefined), 60_000);
  t.is(created.length, 1);
  const expected = ['orders-secret/4/User:alice/2/2'];
  t.deepEqual(await wireDescribe(b), expected, 'b0 answers with it as soon as its CreateAcls answered');
  t.deepEqual(await wireDescribe(a), expected, 'a0 too');
  await adminAs(a, 'admin', (x) => x.createTopics({ topics: [{ topic: 'orders-secret-2', numPartitions: 1 }] }));
  for (const n of [a, b]) {
    const code = await waitFor(`alice refused at ${n.address}`, async () => {
      const c = await produceAs(n, 'alice', 'orders-secret-2');
      return c === ErrorCode.TOPIC_AUTHORIZATION_FAILED.code ? c : undefined;
    }, 60_000);
    t.is(code, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code);
  }
  const deleted = await wireAs(b, 'admin', async (w) => decodeDeleteAclsResponse(await w.send(ApiKey.DeleteAcls, V, (x) => encodeDeleteAclsRequest(x, V, { filters: [WIRE_ANY] })), V));
  t.deepEqual(deleted.filterResults.map((f) => [f.errorCode, f.matchingAcls.length]), [[0, 1]]);
  t.deepEqual(await wireDescribe(b), []);
  t.deepEqual(await waitFor('deletion seen at a0', async () => ((await wireDescribe(a)).length === 0 ? [] : undefined), 30_000), []);
});
