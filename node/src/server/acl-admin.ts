/**
 * The ACL admin APIs' effect (KIP-140): create, describe and delete the ACLs that live in the cluster's
 * metadata log (security/acl-bindings.ts). Who decides: the controller (the first chain's head) writes
 * the records and answers once the first chain committed them, as it does for topic placement; any other
 * node forwards creations and deletions there, then re-reads the log so its own next answer has them.
 * Every node follows the log (server/topic-directory.ts), so DescribeAcls and the authorizer of every node
 * of every chain see the same ACLs.
 *
 * ACLs from the admin APIs and the ACL file (--acl-file) combine into one decision (security/acl.ts
 * UnionAuthorizer): a deny in either wins, else an allow in either allows. DescribeAcls and DeleteAcls see
 * only the admin APIs' ACLs: the file's are changed by editing the file.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import { KafkaError } from '../protocol/errors.ts';
import { type AclBinding, type AclFilter, type DeleteAclsResponse, type DescribeAclsResource } from '../protocol/apis/acls.ts';
import { aclRecords, bindingProblem, filterMatches, filterProblem } from '../security/acl-bindings.ts';
import { plainDial, type Dialer } from '../security/dial.ts';
import { forwardCreateAcls, forwardDeleteAcls } from './forward.ts';
import type { TopicDirectory } from './topic-directory.ts';

export interface AclResult {
  errorCode: number;
  errorMessage: string | null;
}

export type DeleteAclsFilterResult = DeleteAclsResponse['filterResults'][number];

const OK: AclResult = { errorCode: 0, errorMessage: null };

function failure(err: unknown): AclResult {
  if (err instanceof KafkaError) return { errorCode: err.code, errorMessage: err.message };
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR.code, errorMessage: (err as Error).message };
}

export class AclAdmin {
  constructor(
    private readonly directory: TopicDirectory,
    private readonly dial: Dialer = plainDial,
  ) {}

  /** Creates bindings; one result per binding, in order. Invalid ones get INVALID_REQUEST, the rest are written together. */
  async create(creations: readonly AclBinding[]): Promise<AclResult[]> {
    const results: AclResult[] = creations.map((b) => {
      const problem = bindingProblem(b);
      return problem ? { errorCode: ErrorCode.INVALID_REQUEST.code, errorMessage: problem } : OK;
    });
    const valid = creations.filter((_, i) => results[i] === OK);
    if (valid.length === 0) return results;
    let outcome: AclResult[];
    try {
      const controller = this.controller();
      if (controller) {
        outcome = await forwardCreateAcls(controller.host, controller.port, valid, this.dial);
        await this.directory.refresh();
      } else {
        await this.directory.appendAcls(aclRecords(valid, true));
        outcome = valid.map(() => OK);
      }
    } catch (err) {
      outcome = valid.map(() => failure(err));
    }
    let next = 0;
    return results.map((r) => (r === OK ? outcome[next++] ?? OK : r));
  }

  /** The bindings matching a filter, grouped by resource pattern as DescribeAcls answers them. */
  describe(filter: AclFilter): DescribeAclsResource[] {
    const byResource = new Map<string, DescribeAclsResource>();
    for (const b of this.directory.acls.all()) {
      if (!filterMatches(filter, b)) continue;
      const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
      let resource = byResource.get(key);
      if (!resource) {
        resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] };
        byResource.set(key, resource);
      }
      resource.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
    }
    return [...byResource.values()];
  }

  /** Deletes every binding matching any filter; one result per filter, listing what it matched. */
  async delete(filters: readonly AclFilter[]): Promise<DeleteAclsFilterResult[]> {
    let controller: { host: string; port: number } | null;
    try {
      controller = this.controller();
    } catch (err) {
      return filters.map(() => ({ ...failure(err), matchingAcls: [] }));
    }
    if (controller) {
      try {
        const results = await forwardDeleteAcls(controller.host, controller.port, [...filters], this.dial);
        await this.directory.refresh();
        return results;
      } catch (err) {
        return filters.map(() => ({ ...failure(err), matchingAcls: [] }));
      }
    }
    const all = this.directory.acls.all();
    const matched = filters.map((f) => {
      const problem = filterProblem(f);
      return problem ? problem : all.filter((b) => filterMatches(f, b));
    });
    const doomed = new Map<string, AclBinding>();
    for (const m of matched) if (typeof m !== 'string') for (const b of m) doomed.set(JSON.stringify(b), b);
    let written: AclResult = OK;
    if (doomed.size > 0) {
      try {
        await this.directory.appendAcls(aclRecords([...doomed.values()], false));
      } catch (err) {
        written = failure(err);
      }
    }
    return matched.map((m) => {
      if (typeof m === 'string') return { errorCode: ErrorCode.INVALID_REQUEST.code, errorMessage: m, matchingAcls: [] };
      return { ...written, matchingAcls: m.map((b) => ({ ...written, ...b })) };
    });
  }

  /** The controller to forward to, or null when this node is the controller. */
  private controller(): { host: string; port: number } | null {
    if (this.directory.isController()) return null;
    const c = this.directory.controller();
    if (!c) throw new KafkaError('NOT_CONTROLLER', 'the cluster has no controller yet');
    return c;
  }
}
