/**
 * Per-principal ACLs, the pure part: the ACL file's grammar and the decision for one request.
 *
 * File (`--acl-file`, JSON):
 *   {"acls": [{"principal": "User:alice" | "User:*",
 *              "resourceType": "topic" | "group" | "cluster" | "transactional_id",
 *              "resourceName": "orders" | "*",
 *              "patternType": "literal" | "prefixed",          (default literal)
 *              "operations": ["read", "write", ...] | ["all"],
 *              "permission": "allow" | "deny"}]}
 *
 * Decisions follow Kafka's StandardAuthorizer: super users pass; otherwise a matching deny wins over any
 * allow; with no matching allow the request is denied (there is no "allow if no ACL"). Read, write,
 * delete and alter imply describe when allowing (never when denying, as in Kafka), and `all` covers every
 * operation both ways. The cluster resource is named `kafka-cluster`, as in Kafka. With no ACL file at
 * all the node has no authorizer and everything is allowed (see `ALLOW_ALL`).
 */

/** `transactional_id` is Kafka's TransactionalId: Write to use an id in transactions, Describe to see its state. */
export const RESOURCE_TYPES = ['topic', 'group', 'cluster', 'transactional_id'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** `idempotent_write` is Kafka's IdempotentWrite on the cluster, which InitProducerId accepts. */
/** `cluster_action` is Kafka's ClusterAction: what brokers do to each other (here, open a replication link). */
export const OPERATIONS = ['read', 'write', 'create', 'delete', 'describe', 'alter', 'idempotent_write', 'cluster_action', 'all'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const PATTERN_TYPES = ['literal', 'prefixed'] as const;
export type PatternType = (typeof PATTERN_TYPES)[number];

export type Permission = 'allow' | 'deny';

/** The only name the cluster resource has (Kafka's CLUSTER_NAME). */
export const CLUSTER_NAME = 'kafka-cluster';
/** Principal of a connection that did not authenticate. */
export const ANONYMOUS = 'User:ANONYMOUS';

export interface AclEntry {
  principal: string;
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  operations: Operation[];
  permission: Permission;
  /** The client address the entry applies to (Kafka's ACL host); absent or `*`: every host. */
  host?: string;
}

/** A request's need: an operation on one resource. */
export interface Access {
  operation: Exclude<Operation, 'all'>;
  resourceType: ResourceType;
  resourceName: string;
  /** The client's address, for entries that name a host. */
  host?: string;
}

/** What one set of entries says about a request: a matching deny, an allow, or nothing (Kafka's default deny). */
export type Decision = 'allow' | 'deny' | 'none';

/** The ACL file does not follow the grammar; the message names the entry and field. */
export class AclFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AclFileError';
  }
}

const PRINCIPAL = /^User:.+$/;
/** Operations that, when allowed, also allow describe (Kafka's AclOperation implication). */
const IMPLY_DESCRIBE: ReadonlySet<Operation> = new Set(['read', 'write', 'delete', 'alter']);

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value.toLowerCase())) {
    throw new AclFileError(`${where} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase() as T;
}

function entryFrom(raw: unknown, i: number): AclEntry {
  const at = `acls[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new AclFileError(`${at} must be an object`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['principal', 'resourceType', 'resourceName', 'patternType', 'operations', 'permission'].includes(k)) {
      throw new AclFileError(`${at} has unknown field ${JSON.stringify(k)}`);
    }
  }
  if (typeof o.principal !== 'string' || !PRINCIPAL.test(o.principal)) {
    throw new AclFileError(`${at}.principal must be "User:<name>" or "User:*", got ${JSON.stringify(o.principal)}`);
  }
  const resourceType = oneOf(o.resourceType, RESOURCE_TYPES, `${at}.resourceType`);
  if (typeof o.resourceName !== 'string' || o.resourceName.length === 0) {
    throw new AclFileError(`${at}.resourceName must be a non-empty string (a name, a prefix or "*")`);
  }
  const patternType = o.patternType === undefined ? 'literal' : oneOf(o.patternType, PATTERN_TYPES, `${at}.patternType`);
  if (!Array.isArray(o.operations) || o.operations.length === 0) {
    throw new AclFileError(`${at}.operations must be a non-empty list of ${OPERATIONS.join(', ')}`);
  }
  const operations = o.operations.map((op, j) => oneOf(op, OPERATIONS, `${at}.operations[${j}]`));
  const permission = oneOf(o.permission, ['allow', 'deny'] as const, `${at}.permission`);
  return { principal: o.principal, resourceType, resourceName: o.resourceName, patternType, operations, permission };
}

/** Parses and validates an ACL file's text; throws AclFileError naming the first bad entry. */
export function parseAclFile(text: string): AclEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AclFileError(`not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { acls?: unknown }).acls)) {
    throw new AclFileError('expected {"acls": [...]}');
  }
  return (doc as { acls: unknown[] }).acls.map(entryFrom);
}

function hostMatches(e: AclEntry, host: string | undefined): boolean {
  return e.host === undefined || e.host === '*' || e.host === host;
}

function nameMatches(e: AclEntry, name: string): boolean {
  if (e.patternType === 'prefixed') return name.startsWith(e.resourceName);
  return e.resourceName === '*' || e.resourceName === name;
}

/** The principal an entry names to apply to everyone. */
const WILDCARD_PRINCIPAL = 'User:*';

function coversAllow(e: AclEntry, op: Operation): boolean {
  return e.operations.some((o) => o === 'all' || o === op || (op === 'describe' && IMPLY_DESCRIBE.has(o)));
}

function coversDeny(e: AclEntry, op: Operation): boolean {
  return e.operations.some((o) => o === 'all' || o === op);
}

/** One authorization decision; a single pass over the entries of that resource type. */
export interface Authorizer {
  /** Whether ACLs are enforced at all (false: no ACL file, everything allowed). */
  readonly enabled: boolean;
  allows(principal: string, access: Access): boolean;
  /**
   * Whether the principal may do `operation` on some resource of the type (Kafka's
   * authorizeByResourceType): an allow on any name counts unless a deny on every name (`*`) cancels it.
   */
  allowsAny(principal: string, operation: Access['operation'], resourceType: ResourceType): boolean;
}

/** The authorizer of a node without an ACL file. */
export const ALLOW_ALL: Authorizer = {
  enabled: false,
  allows: () => true,
  allowsAny: () => true,
};

/**
 * An authorizer over a fixed set of entries; super users bypass it. Entries are indexed by resource type
 * and principal, so a decision reads only the entries of that principal and of `User:*`, however many
 * other principals the file names.
 */
export class AclAuthorizer implements Authorizer {
  readonly enabled = true;
  private readonly index = new Map<ResourceType, Map<string, AclEntry[]>>(RESOURCE_TYPES.map((t) => [t, new Map()]));
  private readonly superUsers: ReadonlySet<string>;

  constructor(entries: readonly AclEntry[], superUsers: Iterable<string> = []) {
    for (const e of entries) {
      const byPrincipal = this.index.get(e.resourceType)!;
      const list = byPrincipal.get(e.principal);
      if (list) list.push(e);
      else byPrincipal.set(e.principal, [e]);
    }
    this.superUsers = new Set(superUsers);
  }

  /** The entry lists that can apply to `principal` on resources of the type: its own and `User:*`'s. */
  private relevant(principal: string, resourceType: ResourceType): AclEntry[][] {
    const byPrincipal = this.index.get(resourceType)!;
    const own = byPrincipal.get(principal) ?? NO_ENTRIES;
    return principal === WILDCARD_PRINCIPAL ? [own] : [own, byPrincipal.get(WILDCARD_PRINCIPAL) ?? NO_ENTRIES];
  }

  /** Whether the principal is a super user, whom no ACL applies to. */
  isSuper(principal: string): boolean {
    return this.superUsers.has(principal);
  }

  allows(principal: string, access: Access): boolean {
    return this.superUsers.has(principal) || this.decide(principal, access) === 'allow';
  }

  /** The entries' verdict on one access, super users aside: a deny wins, then an allow, else none. */
  decide(principal: string, access: Access): Decision {
    let allowed = false;
    for (const list of this.relevant(principal, access.resourceType)) {
      for (const e of list) {
        if (!nameMatches(e, access.resourceName) || !hostMatches(e, access.host)) continue;
        if (e.permission === 'deny') {
          if (coversDeny(e, access.operation)) return 'deny';
        } else if (!allowed && coversAllow(e, access.operation)) {
          allowed = true;
        }
      }
    }
    return allowed ? 'allow' : 'none';
  }

  allowsAny(principal: string, operation: Access['operation'], resourceType: ResourceType): boolean {
    return this.superUsers.has(principal) || this.decideAny(principal, operation, resourceType) === 'allow';
  }

  /** authorizeByResourceType's verdict, super users aside: a deny on every name (`*`), else any allow. */
  decideAny(principal: string, operation: Access['operation'], resourceType: ResourceType): Decision {
    let allowed = false;
    for (const list of this.relevant(principal, resourceType)) {
      for (const e of list) {
        if (e.permission === 'deny') {
          if (e.patternType === 'literal' && e.resourceName === '*' && (e.host === undefined || e.host === '*') && coversDeny(e, operation)) return 'deny';
        } else if (!allowed && coversAllow(e, operation)) {
          allowed = true;
        }
      }
    }
    return allowed ? 'allow' : 'none';
  }
}

/**
 * The authorizer of a node with ACLs from two sources, the ACL file and the ACL admin APIs: one decision
 * over the union of their entries. A deny in either wins over an allow in either; an allow in either
 * allows; super users (the file's) bypass both.
 */
export class UnionAuthorizer implements Authorizer {
  readonly enabled = true;

  constructor(
    private readonly file: () => AclAuthorizer,
    private readonly api: () => AclAuthorizer,
  ) {}

  allows(principal: string, access: Access): boolean {
    const file = this.file();
    if (file.isSuper(principal)) return true;
    return combine(file.decide(principal, access), this.api().decide(principal, access));
  }

  allowsAny(principal: string, operation: Access['operation'], resourceType: ResourceType): boolean {
    const file = this.file();
    if (file.isSuper(principal)) return true;
    return combine(file.decideAny(principal, operation, resourceType), this.api().decideAny(principal, operation, resourceType));
  }
}

function combine(a: Decision, b: Decision): boolean {
  if (a === 'deny' || b === 'deny') return false;
  return a === 'allow' || b === 'allow';
}

const NO_ENTRIES: AclEntry[] = [];

/** Parses a `--super-users` list (`User:admin,User:ops`); throws on a malformed principal. */
export function parseSuperUsers(list: string | undefined): string[] {
  if (!list) return [];
  const users = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const u of users) if (!PRINCIPAL.test(u)) throw new Error(`super users must be "User:<name>" principals, got ${JSON.stringify(u)}`);
  return users;
}
