/**
 * `vonnegut serve` settings: flags first, then `VONNEGUT_*` environment variables (what the operator's
 * StatefulSet sets), then defaults. Parsing is strict: a malformed number is a startup error, not a NaN.
 */
import type { NodeConfig } from './server/node.ts';
import { LOG_WRITES, type LogWrites } from './server/log-writes.ts';
import { LOG_LEVELS, type LogLevel } from './logging.ts';
import { parseCoordinatorSpec } from './coordination/spec.ts';
import { parseSuperUsers } from './security/acl.ts';
import { parseCleanupPolicy } from './storage/topic-config.ts';
import { SECURITY_PROTOCOLS, securityProblem, type SecurityProtocol } from './security/node-security.ts';
import { SASL_MECHANISMS, isSaslMechanism, type SaslMechanism } from './security/sasl/mechanism.ts';

/** Flag name -> environment variable, the contract the operator relies on. */
export const ENV = {
  dataDir: 'VONNEGUT_DATA_DIR',
  host: 'VONNEGUT_HOST',
  port: 'VONNEGUT_PORT',
  advertisedHost: 'VONNEGUT_ADVERTISED_HOST',
  advertisedPort: 'VONNEGUT_ADVERTISED_PORT',
  nodeId: 'VONNEGUT_NODE_ID',
  nodeName: 'VONNEGUT_NODE_NAME',
  chain: 'VONNEGUT_CHAIN',
  discovery: 'VONNEGUT_DISCOVERY',
  coordinator: 'VONNEGUT_COORDINATOR',
  minInsync: 'VONNEGUT_MIN_INSYNC',
  leaseTtlMs: 'VONNEGUT_LEASE_TTL_MS',
  leaseRenewMs: 'VONNEGUT_LEASE_RENEW_MS',
  dnsServer: 'VONNEGUT_DNS_SERVER',
  discoveryRefreshMs: 'VONNEGUT_DISCOVERY_REFRESH_MS',
  replicas: 'VONNEGUT_REPLICAS',
  cluster: 'VONNEGUT_CLUSTER',
  adminHost: 'VONNEGUT_ADMIN_HOST',
  adminPort: 'VONNEGUT_ADMIN_PORT',
  adminTokenFile: 'VONNEGUT_ADMIN_TOKEN_FILE',
  logLevel: 'VONNEGUT_LOG_LEVEL',
  segmentBytes: 'VONNEGUT_SEGMENT_BYTES',
  retentionBytes: 'VONNEGUT_RETENTION_BYTES',
  retentionMs: 'VONNEGUT_RETENTION_MS',
  retentionCheckIntervalMs: 'VONNEGUT_RETENTION_CHECK_INTERVAL_MS',
  logCleanupPolicy: 'VONNEGUT_LOG_CLEANUP_POLICY',
  logCleanerBackoffMs: 'VONNEGUT_LOG_CLEANER_BACKOFF_MS',
  logCleanerDeleteRetentionMs: 'VONNEGUT_LOG_CLEANER_DELETE_RETENTION_MS',
  flushMessages: 'VONNEGUT_FLUSH_MESSAGES',
  flushMs: 'VONNEGUT_FLUSH_MS',
  logWrites: 'VONNEGUT_LOG_WRITES',
  compressionThreads: 'VONNEGUT_COMPRESSION_THREADS',
  maxOpenFiles: 'VONNEGUT_MAX_OPEN_FILES',
  fileIdleTimeoutMs: 'VONNEGUT_FILE_IDLE_TIMEOUT_MS',
  aclFile: 'VONNEGUT_ACL_FILE',
  superUsers: 'VONNEGUT_SUPER_USERS',
  autoCreateTopics: 'VONNEGUT_AUTO_CREATE_TOPICS',
  defaultPartitions: 'VONNEGUT_DEFAULT_PARTITIONS',
  maxRequestBytes: 'VONNEGUT_MAX_REQUEST_BYTES',
  maxConnections: 'VONNEGUT_MAX_CONNECTIONS',
  idleTimeoutMs: 'VONNEGUT_IDLE_TIMEOUT_MS',
  maxInFlightRequests: 'VONNEGUT_MAX_IN_FLIGHT_REQUESTS',
  securityProtocol: 'VONNEGUT_SECURITY_PROTOCOL',
  tlsCertFile: 'VONNEGUT_TLS_CERT_FILE',
  tlsKeyFile: 'VONNEGUT_TLS_KEY_FILE',
  tlsCaFile: 'VONNEGUT_TLS_CA_FILE',
  saslMechanisms: 'VONNEGUT_SASL_MECHANISMS',
  saslUsersFile: 'VONNEGUT_SASL_USERS_FILE',
  saslInterBrokerUser: 'VONNEGUT_SASL_INTER_BROKER_USER',
} as const;

export type ServeFlags = Partial<Record<keyof typeof ENV, string | boolean>>;

function pick(flags: ServeFlags, key: keyof typeof ENV, env: NodeJS.ProcessEnv): string | undefined {
  const v = flags[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  const e = env[ENV[key]];
  return e === undefined || e === '' ? undefined : e;
}

function int(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function logWrites(v: string | undefined): LogWrites | undefined {
  if (v === undefined) return undefined;
  if (!(LOG_WRITES as readonly string[]).includes(v)) throw new Error(`log writes must be one of ${LOG_WRITES.join(', ')}, got ${JSON.stringify(v)}`);
  return v as LogWrites;
}

/** Resolves flags and environment into a node configuration and a log level; throws on bad values. */
export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): { config: NodeConfig; logLevel: LogLevel } {
  const g = (k: keyof typeof ENV) => pick(flags, k, env);
  const logLevel = (g('logLevel') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`log level must be one of ${LOG_LEVELS.join(', ')}`);
  const discovery = g('discovery');
  if (discovery && !/^(srv|static):.+/.test(discovery)) throw new Error('discovery must be srv:RECORD or static:name=host:port,...');
  if (g('cluster') && !discovery) throw new Error('--cluster needs --discovery: a node must know which chain of the cluster it is in');
  const coordinator = g('coordinator');
  if (coordinator !== undefined) {
    parseCoordinatorSpec(coordinator);
    if (!discovery) throw new Error('--coordinator needs --discovery: a solo node has no chain to coordinate');
  }
  const config: NodeConfig = {
    dataDir: g('dataDir') ?? './data',
    host: g('host') ?? '127.0.0.1',
    port: int('port', g('port'), 0, 65535) ?? 9092,
    replicas: int('replicas', g('replicas'), 1, 100) ?? 1,
    adminHost: g('adminHost') ?? '127.0.0.1',
    adminPort: int('admin-port', g('adminPort'), -1, 65535) ?? 9644,
    autoCreateTopics: (g('autoCreateTopics') ?? 'true') !== 'false',
    defaultPartitions: int('default-partitions', g('defaultPartitions'), 1, 10000) ?? 1,
    maxRequestBytes: int('max-request-bytes', g('maxRequestBytes'), 1024) ?? 100 * 1024 * 1024,
  };
  const optional: Partial<NodeConfig> = {
    advertisedHost: g('advertisedHost'),
    advertisedPort: int('advertised-port', g('advertisedPort'), 1, 65535),
    nodeId: int('node-id', g('nodeId'), 0, 2 ** 31 - 1),
    nodeName: g('nodeName'),
    chain: g('chain'),
    discovery,
    coordinator,
    minInsync: int('min-insync', g('minInsync'), 1, 100),
    leaseTtlMs: int('lease-ttl-ms', g('leaseTtlMs'), 500, 600_000),
    leaseRenewMs: int('lease-renew-ms', g('leaseRenewMs'), 100, 600_000),
    cluster: g('cluster'),
    dnsServer: g('dnsServer'),
    discoveryRefreshMs: int('discovery-refresh-ms', g('discoveryRefreshMs'), 50, 600_000),
    segmentBytes: int('segment-bytes', g('segmentBytes'), 1024),
    retentionBytes: int('retention-bytes', g('retentionBytes'), -1),
    retentionMs: int('retention-ms', g('retentionMs'), -1),
    retentionCheckIntervalMs: int('retention-check-interval-ms', g('retentionCheckIntervalMs'), 1),
    logCleanupPolicy: g('logCleanupPolicy'),
    logCleanerBackoffMs: int('log-cleaner-backoff-ms', g('logCleanerBackoffMs'), 1),
    logCleanerDeleteRetentionMs: int('log-cleaner-delete-retention-ms', g('logCleanerDeleteRetentionMs'), 0),
    flushMessages: int('flush-messages', g('flushMessages'), 1),
    flushMs: int('flush-ms', g('flushMs'), 0),
    logWrites: logWrites(g('logWrites')),
    compressionThreads: int('compression-threads', g('compressionThreads'), 0, 64),
    maxOpenFiles: int('max-open-files', g('maxOpenFiles'), 16, 1_000_000),
    fileIdleTimeoutMs: int('file-idle-timeout-ms', g('fileIdleTimeoutMs'), 100),
    aclFile: g('aclFile'),
    adminTokenFile: g('adminTokenFile'),
    superUsers: g('superUsers') === undefined ? undefined : parseSuperUsers(g('superUsers')),
    maxConnections: int('max-connections', g('maxConnections'), 1),
    idleTimeoutMs: int('idle-timeout-ms', g('idleTimeoutMs'), 0),
    maxInFlightRequests: int('max-in-flight-requests', g('maxInFlightRequests'), 1, 100_000),
  };
  if (optional.logCleanupPolicy !== undefined) optional.logCleanupPolicy = parseCleanupPolicy(optional.logCleanupPolicy);
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (config as unknown as Record<string, unknown>)[k] = v;
  Object.assign(config, security(g));
  const problem = securityProblem(config, discovery !== undefined);
  if (problem) throw new Error(problem);
  config.logLevel = logLevel;
  return { config, logLevel };
}

/** The security settings (file paths and names only: the files are read when the node starts). */
function security(g: (k: keyof typeof ENV) => string | undefined): Partial<NodeConfig> {
  const out: Partial<NodeConfig> = {};
  const protocol = g('securityProtocol');
  if (protocol !== undefined) {
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol)) throw new Error(`security protocol must be one of ${SECURITY_PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
    out.securityProtocol = protocol as SecurityProtocol;
  }
  const mechanisms = g('saslMechanisms');
  if (mechanisms !== undefined) {
    const list = mechanisms.split(',').map((m) => m.trim()).filter((m) => m !== '');
    const unknown = list.filter((m) => !isSaslMechanism(m));
    if (unknown.length > 0 || list.length === 0) throw new Error(`SASL mechanisms must be a comma list of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(mechanisms)}`);
    out.saslMechanisms = [...new Set(list)] as SaslMechanism[];
  }
  for (const k of ['tlsCertFile', 'tlsKeyFile', 'tlsCaFile', 'saslUsersFile', 'saslInterBrokerUser'] as const) {
    const v = g(k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
