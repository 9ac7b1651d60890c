/**
 * ACLs made through the ACL admin APIs (CreateAcls / DescribeAcls / DeleteAcls, KIP-140), the pure part:
 * Kafka's validation of a new binding and of a filter, Kafka's filter matching, the record each binding
 * is stored as, and the set of bindings every node holds with the authorizer built from it.
 *
 * Storage: one record per binding in the cluster's metadata log, the placement topic
 * (chain/placement.ts), key `acl:<binding as a JSON array>` and value the binding as JSON, a tombstone
 * when deleted. A topic name never contains `:` (Kafka's topic name rule), so these keys never collide
 * with the placement map's topic keys. Kafka in KRaft mode keeps ACLs in its metadata log the same way
 * (AccessControlEntryRecord / RemoveAccessControlEntryRecord in `__cluster_metadata`).
 *
 * Enforcement: bindings on topics, groups and the cluster become AclEntries (security/acl.ts), with
 * DESCRIBE_CONFIGS read as Describe and ALTER_CONFIGS as Alter, since vonnegut checks configs with those.
 * Bindings on other resource types (TRANSACTIONAL_ID, DELEGATION_TOKEN, USER) and token operations are
 * kept and described but decide nothing yet.
 */
import { encodeRecordBatch } from '../protocol/record-batch.ts';
import { AclOperationCode, AclPatternType, AclPermission, AclResourceType, type AclBinding, type AclFilter } from '../protocol/apis/acls.ts';
import { AclAuthorizer, RESOURCE_TYPES, type AclEntry, type Operation, type ResourceType } from './acl.ts';

/** The key prefix of ACL records in the metadata log. */
export const ACL_KEY_PREFIX = 'acl:';

/** The record key of a binding: every field, so equal bindings share one key (creating twice is idempotent). */
export function aclKey(b: AclBinding): string {
  return ACL_KEY_PREFIX + JSON.stringify([b.resourceType, b.resourceName, b.patternType, b.principal, b.host, b.operation, b.permissionType]);
}

/** The record batch that stores (or, with `present` false, deletes) bindings. */
export function aclRecords(bindings: readonly AclBinding[], present: boolean): Buffer {
  return encodeRecordBatch({ records: bindings.map((b) => ({ key: aclKey(b), value: present ? JSON.stringify(b) : null })) });
}

const codeIn = (table: Record<string, number>, code: number): boolean => Object.values(table).includes(code);

/** Why Kafka refuses to create this binding (INVALID_REQUEST), or null (Kafka's AclControlManager.validateNewAcl). */
export function bindingProblem(b: AclBinding): string | null {
  if (!codeIn(AclResourceType, b.resourceType) || b.resourceType === AclResourceType.ANY || b.resourceType === AclResourceType.UNKNOWN) return `invalid resource type ${b.resourceType}`;
  if (b.patternType !== AclPatternType.LITERAL && b.patternType !== AclPatternType.PREFIXED) return `invalid pattern type ${b.patternType}`;
  if (!codeIn(AclOperationCode, b.operation) || b.operation === AclOperationCode.ANY || b.operation === AclOperationCode.UNKNOWN) return `invalid operation ${b.operation}`;
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY) return `invalid permission type ${b.permissionType}`;
  if (b.resourceName.length === 0) return 'resource name should not be empty';
  if (!b.principal.includes(':')) return `could not parse principal from ${JSON.stringify(b.principal)} (expected Type:name)`;
  return null;
}

/** Why Kafka refuses this filter (INVALID_REQUEST: an UNKNOWN element or a code Kafka does not define), or null. */
export function filterProblem(f: AclFilter): string | null {
  if (!codeIn(AclResourceType, f.resourceType) || f.resourceType === AclResourceType.UNKNOWN) return `unknown resource type ${f.resourceType} in filter`;
  if (!codeIn(AclPatternType, f.patternType) || f.patternType === AclPatternType.UNKNOWN) return `unknown pattern type ${f.patternType} in filter`;
  if (!codeIn(AclOperationCode, f.operation) || f.operation === AclOperationCode.UNKNOWN) return `unknown operation ${f.operation} in filter`;
  if (!codeIn(AclPermission, f.permissionType) || f.permissionType === AclPermission.UNKNOWN) return `unknown permission type ${f.permissionType} in filter`;
  return null;
}

/** Kafka's ResourcePatternFilter.matches: ANY matches every pattern, MATCH every pattern that applies to the name. */
function patternMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== AclResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== AclPatternType.ANY && f.patternType !== AclPatternType.MATCH && f.patternType !== b.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType === AclPatternType.ANY || f.patternType === b.patternType) return f.resourceName === b.resourceName;
  // MATCH: the literal name, the wildcard `*`, or a prefix of the name.
  if (b.patternType === AclPatternType.LITERAL) return f.resourceName === b.resourceName || b.resourceName === '*';
  return f.resourceName.startsWith(b.resourceName);
}

/** Kafka's AclBindingFilter.matches (resource pattern, then principal, host, operation, permission). */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (!patternMatches(f, b)) return false;
  if (f.principal !== null && f.principal !== b.principal) return false;
  if (f.host !== null && f.host !== b.host) return false;
  if (f.operation !== AclOperationCode.ANY && f.operation !== b.operation) return false;
  return f.permissionType === AclPermission.ANY || f.permissionType === b.permissionType;
}

const RESOURCE_OF: Partial<Record<number, ResourceType>> = {
  [AclResourceType.TOPIC]: 'topic', [AclResourceType.GROUP]: 'group', [AclResourceType.CLUSTER]: 'cluster', [AclResourceType.TRANSACTIONAL_ID]: 'transactional_id',
};
const OPERATION_OF: Partial<Record<number, Operation>> = {
  [AclOperationCode.ALL]: 'all', [AclOperationCode.READ]: 'read', [AclOperationCode.WRITE]: 'write', [AclOperationCode.CREATE]: 'create',
  [AclOperationCode.DELETE]: 'delete', [AclOperationCode.ALTER]: 'alter', [AclOperationCode.DESCRIBE]: 'describe',
  [AclOperationCode.CLUSTER_ACTION]: 'cluster_action', [AclOperationCode.DESCRIBE_CONFIGS]: 'describe', [AclOperationCode.ALTER_CONFIGS]: 'alter',
  [AclOperationCode.IDEMPOTENT_WRITE]: 'idempotent_write',
};

/** The entry a binding enforces, or null for resource types and operations vonnegut does not check. */
export function entryOf(b: AclBinding): AclEntry | null {
  const resourceType = RESOURCE_OF[b.resourceType];
  const operation = OPERATION_OF[b.operation];
  if (!resourceType || !operation) return null;
  return {
    principal: b.principal,
    resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType === AclPatternType.PREFIXED ? 'prefixed' : 'literal',
    operations: [operation],
    permission: b.permissionType === AclPermission.DENY ? 'deny' : 'allow',
    host: b.host,
  };
}

/** Denies every operation on every resource to everyone (super users aside). */
const UNREAD = new AclAuthorizer(RESOURCE_TYPES.map((resourceType) => ({
  principal: 'User:*', resourceType, resourceName: '*', patternType: 'literal', operations: ['all'], permission: 'deny',
})));

/** The bindings this node knows, as the metadata log has them, and the authorizer over them. */
export class AclBindings {
  private readonly bindings = new Map<string, AclBinding>();
  private built: AclAuthorizer | null = null;
  /** False until the metadata log has been read once (a node must not decide on an empty set it has not read). */
  loaded = false;

  /** Applies one metadata-log record with an `acl:` key. */
  apply(key: string, value: Buffer | null): void {
    if (value === null) this.bindings.delete(key);
    else this.bindings.set(key, JSON.parse(value.toString()) as AclBinding);
    this.built = null;
  }

  /** Every binding, in the order they were created. */
  all(): AclBinding[] {
    return [...this.bindings.values()];
  }

  /** Whether a binding exists now. */
  has(b: AclBinding): boolean {
    return this.bindings.has(aclKey(b));
  }

  /**
   * The authorizer over the enforceable bindings (no super users: those are the file's). Before the log
   * was read once it denies everything: a node that has not read its ACLs must not answer as if it had none.
   */
  get authorizer(): AclAuthorizer {
    if (!this.loaded) return UNREAD;
    if (!this.built) {
      const entries: AclEntry[] = [];
      for (const b of this.bindings.values()) {
        const e = entryOf(b);
        if (e) entries.push(e);
      }
      this.built = new AclAuthorizer(entries);
    }
    return this.built;
  }
}
