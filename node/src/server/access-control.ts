/**
 * The authorizer as handlers ask it: "may this request's principal do X to this topic/group/cluster?".
 * One call per resource in a request, never per record. Denials of an explicit request are logged at
 * info with the principal and resource (Kafka's authorizer log); resources merely left out of a listing
 * are not, as in Kafka, or every Metadata request would log each hidden topic.
 */
import { silentLogger, type Logger } from '../logging.ts';
import { ALLOW_ALL, CLUSTER_NAME, type Access, type Authorizer, type ResourceType } from '../security/acl.ts';
import type { RequestContext } from './router.ts';

type Op = Access['operation'];

/** Kafka's AclOperation codes: an authorized-operations bitfield sets bit (1 << code). */
const KAFKA_ACL_OPERATION = { read: 3, write: 4, create: 5, delete: 6, alter: 7, describe: 8, cluster_action: 9, describe_configs: 10, alter_configs: 11, idempotent_write: 12 } as const;
type KafkaOp = keyof typeof KAFKA_ACL_OPERATION;

/** The operations Kafka reports per resource type (Topic/Group/Cluster `supportedOperations`). */
const SUPPORTED: Record<ResourceType, readonly KafkaOp[]> = {
  topic: ['read', 'write', 'create', 'delete', 'alter', 'describe', 'describe_configs', 'alter_configs'],
  group: ['read', 'describe', 'delete'],
  cluster: ['create', 'cluster_action', 'describe_configs', 'alter_configs', 'idempotent_write', 'alter', 'describe'],
  transactional_id: ['write', 'describe'],
};

/** vonnegut has no separate config operations: Describe stands for DescribeConfigs and Alter for AlterConfigs. */
function ownOperation(op: KafkaOp): Op {
  if (op === 'describe_configs') return 'describe';
  if (op === 'alter_configs') return 'alter';
  return op;
}

export class AccessControl {
  constructor(
    private readonly acl: Authorizer,
    private readonly log: Logger,
  ) {}

  /** Whether ACLs are enforced (an ACL file is configured). */
  get enabled(): boolean {
    return this.acl.enabled;
  }

  /** May the principal do `operation` on topic `name`? */
  topic(ctx: RequestContext, operation: Op, name: string, logDenial = true): boolean {
    return this.check(ctx, operation, 'topic', name, logDenial);
  }

  /** May the principal do `operation` on group `name`? */
  group(ctx: RequestContext, operation: Op, name: string): boolean {
    return this.check(ctx, operation, 'group', name, true);
  }

  /** May the principal do `operation` on transactional id `id` (Write to use it, Describe to see its state)? */
  transactionalId(ctx: RequestContext, operation: Op, id: string, logDenial = true): boolean {
    return this.check(ctx, operation, 'transactional_id', id, logDenial);
  }

  /** May the principal do `operation` on the cluster? */
  cluster(ctx: RequestContext, operation: Op, logDenial = true): boolean {
    return this.check(ctx, operation, 'cluster', CLUSTER_NAME, logDenial);
  }

  /** May the principal create topic `name` (Create on the cluster or on that topic, as Kafka asks)? */
  createTopic(ctx: RequestContext, name: string): boolean {
    return this.cluster(ctx, 'create', false) || this.topic(ctx, 'create', name);
  }

  /** May the principal do `operation` on at least one resource of the type (Kafka's authorizeByResourceType)? */
  any(ctx: RequestContext, operation: Op, resourceType: ResourceType): boolean {
    return this.acl.allowsAny(ctx.conn.principal, operation, resourceType);
  }

  /** The bitfield of Kafka operations the principal may do on a resource (Metadata v8+, DescribeCluster, DescribeGroups). */
  authorizedOperations(ctx: RequestContext, resourceType: ResourceType, resourceName: string): number {
    let bits = 0;
    for (const op of SUPPORTED[resourceType]) {
      if (this.check(ctx, ownOperation(op), resourceType, resourceName, false)) bits |= 1 << KAFKA_ACL_OPERATION[op];
    }
    return bits;
  }

  private check(ctx: RequestContext, operation: Op, resourceType: ResourceType, resourceName: string, logDenial: boolean): boolean {
    if (!this.acl.enabled) return true;
    const ok = this.acl.allows(ctx.conn.principal, { operation, resourceType, resourceName, host: hostOf(ctx.conn.remote) });
    if (!ok && logDenial) {
      this.log.info('denied by ACLs', { principal: ctx.conn.principal, operation, resource: `${resourceType}:${resourceName}`, remote: ctx.conn.remote });
    }
    return ok;
  }
}

/** The address part of a connection's `address:port` (what an ACL's host names). */
function hostOf(remote: string): string {
  const colon = remote.lastIndexOf(':');
  const host = colon < 0 ? remote : remote.slice(0, colon);
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}

/** Access control of a node without an ACL file: everything allowed. */
export const OPEN_ACCESS = new AccessControl(ALLOW_ALL, silentLogger);
