/**
 * SCRAM credentials through KIP-554's admin APIs on a real node (SASL_PLAINTEXT, --acl-file): the super
 * user admin creates carol with a raw AlterUserScramCredentials (salt and salted password computed on
 * the client, as Kafka's clients do), carol then logs in with kafkajs (SCRAM-SHA-256) and produces,
 * DescribeUserScramCredentials shows her mechanism and iterations, the credential survives kill -9, and
 * deleting it stops new logins. bob, a users-file user without cluster ACLs, may do neither API, and the
 * users file wins for its own names.
 */
import crypto from 'node:crypto';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import * as api from '../node/src/protocol/apis/scram-credentials.ts';
import type { AclEntry } from '../node/src/security/acl.ts';
import { dial } from '../node/src/security/dial.ts';
import { saltedPassword } from '../node/src/security/sasl/scram.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import type { NodeProcess } from './lib/node-process.ts';
import { startSaslAclNode, type SaslAclNode } from './lib/sasl-acl-node.ts';

const PASSWORDS = { admin: 'admin-pw-77a1', bob: 'bob-pw-1c93' } as const;
const CAROL_PW = 'carol-pw-4e2b';
const ACLS: AclEntry[] = [
  { principal: 'User:carol', resourceType: 'topic', resourceName: 'carol-', patternType: 'prefixed', operations: ['write', 'create', 'describe'], permission: 'allow' },
];

let served: SaslAclNode | undefined;
let node: NodeProcess;

test.before(async () => {
  served = await startSaslAclNode('vg-scram-admin', PASSWORDS, ACLS);
  node = served.node;
});
test.after.always(async () => {
  await served?.destroy();
});

async function as<T>(user: keyof typeof PASSWORDS, fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const wire = KafkaWire.fromSocket(await dial(node.host, node.port, { sasl: { mechanism: 'SCRAM-SHA-256', username: user, password: PASSWORDS[user] } }));
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

const alter = (w: KafkaWire, req: api.AlterUserScramCredentialsRequest) =>
  w.send(ApiKey.AlterUserScramCredentials, 0, (x) => api.encodeAlterUserScramCredentialsRequest(x, 0, req)).then((r) => api.decodeAlterUserScramCredentialsResponse(r, 0));
const describe = (w: KafkaWire, users: string[] | null) =>
  w.send(ApiKey.DescribeUserScramCredentials, 0, (x) => api.encodeDescribeUserScramCredentialsRequest(x, 0, { users })).then((r) => api.decodeDescribeUserScramCredentialsResponse(r, 0));

/** An upsertion as a client computes it: a fresh salt and Hi(password, salt, iterations). */
function upsertion(name: string, password: string, iterations = 8192): api.ScramUpsertion {
  const salt = crypto.randomBytes(24);
  return { name, mechanism: api.ScramMechanismCode.SCRAM_SHA_256, iterations, salt, saltedPassword: saltedPassword('SCRAM-SHA-256', password, salt, iterations) };
}

/** Logs in as `user` with kafkajs and produces one record to `topic`. */
async function kafkajsProduce(user: string, password: string, topic: string): Promise<void> {
  const kafka = new Kafka({ brokers: [node.address], clientId: 'scram-admin-test', logLevel: logLevel.NOTHING, sasl: { mechanism: 'scram-sha-256', username: user, password }, retry: { retries: 1 } });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  try {
    await producer.connect();
    await producer.send({ topic, messages: [{ value: `from ${user}` }], acks: -1 });
  } finally {
    await producer.disconnect().catch(() => {});
  }
}

test.serial('admin creates carol, carol logs in with kafkajs and produces, Describe shows mechanism and iterations', async (t) => {
  await t.throwsAsync(kafkajsProduce('carol', CAROL_PW, 'carol-orders'), undefined, 'carol cannot log in before she exists');
  const r = await as('admin', (w) => alter(w, { deletions: [], upsertions: [upsertion('carol', CAROL_PW)] }));
  t.deepEqual(r.results, [{ user: 'carol', errorCode: 0, errorMessage: null }]);
  await kafkajsProduce('carol', CAROL_PW, 'carol-orders');
  await t.throwsAsync(kafkajsProduce('carol', 'wrong-password', 'carol-orders'));
  const d = await as('admin', (w) => describe(w, ['carol', 'nobody']));
  t.is(d.errorCode, 0);
  t.deepEqual(d.results, [
    { user: 'carol', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: api.ScramMechanismCode.SCRAM_SHA_256, iterations: 8192 }] },
    { user: 'nobody', errorCode: ErrorCode.RESOURCE_NOT_FOUND.code, errorMessage: 'Attempt to describe a user credential that does not exist: nobody', credentialInfos: [] },
  ]);
});

test.serial("Kafka's refusals: iterations, mechanism, duplicates, missing deletions, empty names, and bob without cluster ACLs", async (t) => {
  const r = await as('admin', (w) => alter(w, {
    deletions: [{ name: 'dup', mechanism: 1 }, { name: 'ghost', mechanism: 1 }, { name: 'weird', mechanism: 9 }],
    upsertions: [upsertion('dup', 'x'), upsertion('few', 'x', 4095), upsertion('many', 'x', 16385), upsertion('', 'x')],
  }));
  const code = (user: string) => r.results.find((x) => x.user === user)?.errorCode;
  t.is(code('dup'), ErrorCode.DUPLICATE_RESOURCE.code);
  t.is(code('ghost'), ErrorCode.RESOURCE_NOT_FOUND.code);
  t.is(code('weird'), ErrorCode.UNSUPPORTED_SASL_MECHANISM.code);
  t.is(code('few'), ErrorCode.UNACCEPTABLE_CREDENTIAL.code);
  t.is(code('many'), ErrorCode.UNACCEPTABLE_CREDENTIAL.code);
  t.is(code(''), ErrorCode.UNACCEPTABLE_CREDENTIAL.code);
  const all = await as('admin', (w) => describe(w, null));
  t.deepEqual(all.results.map((x) => x.user), ['carol'], 'nothing refused was written');
  const denied = await as('bob', (w) => alter(w, { deletions: [], upsertions: [upsertion('eve', 'x')] }));
  t.is(denied.results[0]?.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code);
  t.is((await as('bob', (w) => describe(w, null))).errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code);
  // The users file wins for its names: a credential for bob from the API does not change bob's login.
  t.is((await as('admin', (w) => alter(w, { deletions: [], upsertions: [upsertion('bob', 'api-pw-for-bob')] }))).results[0]?.errorCode, 0);
  await t.notThrowsAsync(as('bob', (w) => w.apiVersions()));
  await t.throwsAsync(dial(node.host, node.port, { sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'api-pw-for-bob' } }));
});

test.serial('carol survives kill -9; deleting her credential stops new logins', async (t) => {
  await node.kill('SIGKILL');
  await node.start();
  await kafkajsProduce('carol', CAROL_PW, 'carol-orders');
  const r = await as('admin', (w) => alter(w, { deletions: [{ name: 'carol', mechanism: api.ScramMechanismCode.SCRAM_SHA_256 }], upsertions: [] }));
  t.deepEqual(r.results, [{ user: 'carol', errorCode: 0, errorMessage: null }]);
  await t.throwsAsync(kafkajsProduce('carol', CAROL_PW, 'carol-orders'));
  const d = await as('admin', (w) => describe(w, ['carol']));
  t.is(d.results[0]?.errorCode, ErrorCode.RESOURCE_NOT_FOUND.code);
  await node.kill('SIGKILL');
  await node.start();
  await t.throwsAsync(kafkajsProduce('carol', CAROL_PW, 'carol-orders'), undefined, 'the deletion is durable too');
});
