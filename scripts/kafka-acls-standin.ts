/**
 * A stand-in for Kafka's bin/kafka-acls.sh, for librdkafka's test suite only (scripts/librdkafka-tests.sh):
 * its tests 0109, 0115 and 0119 shell out to "$KAFKA_PATH/bin/kafka-acls.sh --bootstrap-server B ...", and
 * Kafka's own distribution (a JVM application) is not installable here. Supports what those tests ask and
 * the usual neighbours: --add / --remove [--force] / --list, --allow-principal and --deny-principal (repeatable),
 * --allow-host / --deny-host (default `*`), --operation (repeatable, Kafka's names: All, Read, Write, ...),
 * one resource (--topic T, --group G, --cluster, --transactional-id T) and --resource-pattern-type
 * (literal, prefixed; match and any for --list and --remove). As Kafka's tool, --add creates one binding per
 * principal x host x operation and --remove deletes exactly those. Speaks to the node through kafkajs's
 * admin client (CreateAcls, DescribeAcls, DeleteAcls), so the node's answers are what is tested; exits
 * non-zero on any error.
 */
import kafkajs, { type AclEntry, type AclFilter } from 'kafkajs';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

interface Invocation {
  action: 'add' | 'remove' | 'list';
  bootstrap: string;
  resourceType: number;
  resourceName: string | undefined;
  patternType: number | undefined;
  /** [principal, permission type] pairs. */
  principals: [string, number][];
  allowHosts: string[];
  denyHosts: string[];
  operations: number[];
}

/** Kafka's operation names as kafka-acls.sh takes them (case-insensitive, DescribeConfigs or describe_configs). */
function operationCode(name: string): number {
  const key = name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase() as keyof typeof AclOperationTypes;
  const code = AclOperationTypes[key];
  if (code === undefined) throw new Error(`unknown operation ${name}`);
  return code;
}

function patternCode(name: string): number {
  const code = ResourcePatternTypes[name.toUpperCase() as keyof typeof ResourcePatternTypes];
  if (code === undefined) throw new Error(`unknown resource pattern type ${name}`);
  return code;
}

function parse(argv: string[]): Invocation {
  const inv: Invocation = { action: 'list', bootstrap: '', resourceType: AclResourceTypes.ANY, resourceName: undefined, patternType: undefined, principals: [], allowHosts: [], denyHosts: [], operations: [] };
  let action: Invocation['action'] | undefined;
  const resource = (type: number, name: string | undefined): void => {
    if (inv.resourceType !== AclResourceTypes.ANY) throw new Error('name one resource only');
    inv.resourceType = type;
    inv.resourceName = name;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v.replace(/^'|'$/g, '');
    };
    if (a === '--add' || a === '--remove' || a === '--list') action = a.slice(2) as Invocation['action'];
    else if (a === '--force') continue;
    else if (a === '--bootstrap-server') inv.bootstrap = next();
    else if (a === '--allow-principal') inv.principals.push([next(), AclPermissionTypes.ALLOW]);
    else if (a === '--deny-principal') inv.principals.push([next(), AclPermissionTypes.DENY]);
    else if (a === '--allow-host') inv.allowHosts.push(next());
    else if (a === '--deny-host') inv.denyHosts.push(next());
    else if (a === '--operation') inv.operations.push(operationCode(next()));
    else if (a === '--topic') resource(AclResourceTypes.TOPIC, next());
    else if (a === '--group') resource(AclResourceTypes.GROUP, next());
    else if (a === '--transactional-id') resource(AclResourceTypes.TRANSACTIONAL_ID, next());
    else if (a === '--cluster') resource(AclResourceTypes.CLUSTER, 'kafka-cluster');
    else if (a === '--resource-pattern-type') inv.patternType = patternCode(next());
    else throw new Error(`unsupported kafka-acls.sh argument ${a}`);
  }
  if (!action || !inv.bootstrap) throw new Error('need --add/--remove/--list and --bootstrap-server');
  inv.action = action;
  return inv;
}

/** Every binding --add names (or --remove deletes): principal x host x operation. */
function bindings(inv: Invocation): AclEntry[] {
  if (inv.resourceType === AclResourceTypes.ANY || inv.resourceName === undefined) throw new Error('--add and --remove need a resource (--topic, --group, --cluster, --transactional-id)');
  if (inv.principals.length === 0) throw new Error('--add and --remove need --allow-principal or --deny-principal');
  const operations = inv.operations.length > 0 ? inv.operations : [AclOperationTypes.ALL];
  const out: AclEntry[] = [];
  for (const [principal, permissionType] of inv.principals) {
    const hosts = permissionType === AclPermissionTypes.ALLOW ? inv.allowHosts : inv.denyHosts;
    for (const host of hosts.length > 0 ? hosts : ['*']) {
      for (const operation of operations) {
        out.push({ resourceType: inv.resourceType, resourceName: inv.resourceName, resourcePatternType: inv.patternType ?? ResourcePatternTypes.LITERAL, principal, host, operation, permissionType });
      }
    }
  }
  return out;
}

async function main(): Promise<void> {
  const inv = parse(process.argv.slice(2));
  const admin = new Kafka({ clientId: 'kafka-acls-standin', brokers: inv.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (inv.action === 'add') {
      const acl = bindings(inv);
      await admin.createAcls({ acl });
      console.log(`added ${acl.length} ACL(s)`);
    } else if (inv.action === 'remove') {
      const filters: AclFilter[] = bindings(inv);
      const res = await admin.deleteAcls({ filters });
      console.log(`removed ${res.filterResponses.reduce((n, f) => n + f.matchingAcls.length, 0)} ACL(s)`);
    } else {
      const res = await admin.describeAcls({
        resourceType: inv.resourceType, resourcePatternType: inv.patternType ?? (inv.resourceName === undefined ? ResourcePatternTypes.ANY : ResourcePatternTypes.LITERAL),
        ...(inv.resourceName !== undefined ? { resourceName: inv.resourceName } : {}),
        operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY,
      });
      for (const r of res.resources) {
        console.log(`Current ACLs for resource \`ResourcePattern(resourceType=${r.resourceType}, name=${r.resourceName}, patternType=${r.resourcePatternType})\`:`);
        for (const a of r.acls) console.log(`\t(principal=${a.principal}, host=${a.host}, operation=${a.operation}, permissionType=${a.permissionType})`);
      }
    }
  } finally {
    await admin.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`kafka-acls stand-in: ${(err as Error).message}`);
  process.exit(1);
});
