/**
 * DescribeAcls, CreateAcls and DeleteAcls (KIP-140), as Kafka answers them. Without an authorizer (no
 * --acl-file) every answer is SECURITY_DISABLED, as a Kafka broker without `authorizer.class.name`.
 * ACLs: Describe on the cluster for DescribeAcls, Alter on the cluster to create or delete, else
 * CLUSTER_AUTHORIZATION_FAILED for the whole request. The effect: server/acl-admin.ts.
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import {
  decodeCreateAclsRequest, decodeDeleteAclsRequest, decodeDescribeAclsRequest,
  encodeCreateAclsResponse, encodeDeleteAclsResponse, encodeDescribeAclsResponse,
  type CreateAclsRequest, type CreateAclsResponse, type DeleteAclsRequest, type DeleteAclsResponse,
  type DescribeAclsRequest, type DescribeAclsResponse,
} from '../../protocol/apis/acls.ts';
import { filterProblem } from '../../security/acl-bindings.ts';
import type { AccessControl } from '../access-control.ts';
import type { AclAdmin } from '../acl-admin.ts';
import type { ApiHandler } from '../router.ts';

const NO_AUTHORIZER = 'No Authorizer is configured on the broker (start it with --acl-file)';
const DISABLED = { errorCode: ErrorCode.SECURITY_DISABLED.code, errorMessage: NO_AUTHORIZER };

function clusterDenied(operation: string): { errorCode: number; errorMessage: string } {
  return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, errorMessage: `${operation} on the cluster is not allowed for this principal` };
}

export function describeAclsHandler(admin: AclAdmin, access: AccessControl): ApiHandler<DescribeAclsRequest, DescribeAclsResponse> {
  return {
    decode: decodeDescribeAclsRequest,
    encode: encodeDescribeAclsResponse,
    handle(req, ctx) {
      const none = { throttleTimeMs: 0, resources: [] };
      if (!access.enabled) return Promise.resolve({ ...none, ...DISABLED });
      if (!access.cluster(ctx, 'describe')) return Promise.resolve({ ...none, ...clusterDenied('Describe') });
      const problem = filterProblem(req);
      if (problem) return Promise.resolve({ ...none, errorCode: ErrorCode.INVALID_REQUEST.code, errorMessage: problem });
      return Promise.resolve({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, resources: admin.describe(req) });
    },
  };
}

export function createAclsHandler(admin: AclAdmin, access: AccessControl): ApiHandler<CreateAclsRequest, CreateAclsResponse> {
  return {
    decode: decodeCreateAclsRequest,
    encode: encodeCreateAclsResponse,
    async handle(req, ctx) {
      if (!access.enabled) return { throttleTimeMs: 0, results: req.creations.map(() => DISABLED) };
      if (!access.cluster(ctx, 'alter')) return { throttleTimeMs: 0, results: req.creations.map(() => clusterDenied('Alter')) };
      return { throttleTimeMs: 0, results: await admin.create(req.creations) };
    },
  };
}

export function deleteAclsHandler(admin: AclAdmin, access: AccessControl): ApiHandler<DeleteAclsRequest, DeleteAclsResponse> {
  return {
    decode: decodeDeleteAclsRequest,
    encode: encodeDeleteAclsResponse,
    async handle(req, ctx) {
      if (!access.enabled) return { throttleTimeMs: 0, filterResults: req.filters.map(() => ({ ...DISABLED, matchingAcls: [] })) };
      if (!access.cluster(ctx, 'alter')) return { throttleTimeMs: 0, filterResults: req.filters.map(() => ({ ...clusterDenied('Alter'), matchingAcls: [] })) };
      return { throttleTimeMs: 0, filterResults: await admin.delete(req.filters) };
    },
  };
}
