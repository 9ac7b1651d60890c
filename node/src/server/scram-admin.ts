/**
 * DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554). Credentials live in the cluster's
 * metadata log (security/scram-store.ts); as for the ACL admin APIs (server/acl-admin.ts) the controller
 * validates and writes them, any other node forwards the request there and re-reads the log. Every node
 * follows the log, so a credential made through any node logs in on every node.
 * ACLs as Kafka: Describe on the cluster to describe, Alter on the cluster to alter, else
 * CLUSTER_AUTHORIZATION_FAILED.
 */
import { ApiKey } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { KafkaError } from '../protocol/errors.ts';
import {
  decodeAlterUserScramCredentialsRequest, decodeAlterUserScramCredentialsResponse, decodeDescribeUserScramCredentialsRequest,
  encodeAlterUserScramCredentialsRequest, encodeAlterUserScramCredentialsResponse, encodeDescribeUserScramCredentialsResponse,
  type AlterUserScramCredentialsRequest, type AlterUserScramCredentialsResponse, type AlterUserScramCredentialsResult,
  type DescribeUserScramCredentialsRequest, type DescribeUserScramCredentialsResponse, type DescribeUserScramCredentialsResult,
} from '../protocol/apis/scram-credentials.ts';
import { plainDial, type Dialer } from '../security/dial.ts';
import type { AccessControl } from './access-control.ts';
import { requestOnce } from './forward.ts';
import type { ApiHandler } from './router.ts';
import type { TopicDirectory } from './topic-directory.ts';

const denied = (op: string): { errorCode: number; errorMessage: string } => ({
  errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, errorMessage: `${op} on the cluster is not allowed for this principal`,
});

/** The answer to a Describe request from the credentials this node holds. */
export function describeScram(directory: TopicDirectory, users: string[] | null): DescribeUserScramCredentialsResult[] {
  const all = directory.scram.describe();
  if (users === null || users.length === 0) {
    return [...all].map(([user, credentialInfos]) => ({ user, errorCode: 0, errorMessage: null, credentialInfos }));
  }
  const count = new Map<string, number>();
  for (const u of users) count.set(u, (count.get(u) ?? 0) + 1);
  return [...count].map(([user, n]): DescribeUserScramCredentialsResult => {
    if (n > 1) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE.code, errorMessage: 'Cannot describe the same user more than once', credentialInfos: [] };
    const infos = all.get(user);
    if (!infos) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND.code, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos: [] };
    return { user, errorCode: 0, errorMessage: null, credentialInfos: infos };
  });
}

/** Applies one Alter request: on the controller, validate and write; elsewhere, forward and re-read. */
export async function alterScram(directory: TopicDirectory, req: AlterUserScramCredentialsRequest, dial: Dialer = plainDial): Promise<AlterUserScramCredentialsResult[]> {
  const names = [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
  const failAll = (err: unknown): AlterUserScramCredentialsResult[] => names.map((user) => (err instanceof KafkaError
    ? { user, errorCode: err.code, errorMessage: err.message }
    : { user, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR.code, errorMessage: (err as Error).message }));
  try {
    if (!directory.isController()) {
      const c = directory.controller();
      if (!c) throw new KafkaError('NOT_CONTROLLER', 'the cluster has no controller yet');
      const r = await requestOnce(c.host, c.port, ApiKey.AlterUserScramCredentials, 0, (w) => encodeAlterUserScramCredentialsRequest(w, 0, req), dial);
      const results = decodeAlterUserScramCredentialsResponse(r, 0).results;
      await directory.refresh();
      return results;
    }
    const plan = directory.scram.plan(req);
    if (plan.records) await directory.appendAcls(plan.records);
    return plan.results;
  } catch (err) {
    return failAll(err);
  }
}

export function describeUserScramCredentialsHandler(directory: TopicDirectory, access: AccessControl): ApiHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse> {
  return {
    decode: decodeDescribeUserScramCredentialsRequest,
    encode: encodeDescribeUserScramCredentialsResponse,
    handle(req, ctx) {
      if (access.enabled && !access.cluster(ctx, 'describe')) return Promise.resolve({ throttleTimeMs: 0, ...denied('Describe'), results: [] });
      return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: describeScram(directory, req.users) });
    },
  };
}

export function alterUserScramCredentialsHandler(directory: TopicDirectory, access: AccessControl, dial: Dialer): ApiHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse> {
  return {
    decode: decodeAlterUserScramCredentialsRequest,
    encode: encodeAlterUserScramCredentialsResponse,
    async handle(req, ctx) {
      if (access.enabled && !access.cluster(ctx, 'alter')) {
        const names = [...new Set([...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)])];
        return { throttleTimeMs: 0, results: names.map((user) => ({ user, ...denied('Alter') })) };
      }
      return { throttleTimeMs: 0, results: await alterScram(directory, req, dial) };
    },
  };
}
