/**
 * The node's command line: `serve` runs a node; `produce`, `consume`, `topics` and `status` talk to a
 * running cluster. The `vonnegut` CLI (cli/vonnegut.ts) is this program plus the operator, the sidecar
 * and the benches; this module imports none of them, so the node never ships the test harness.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { createLogger } from './logging.ts';
import { ENV, resolveServeConfig, type ServeFlags } from './config.ts';
import { startNode } from './server/node.ts';

/** The node's commands; cli/vonnegut.ts adds its own before parsing. */
export const program = new Command();
program.name('vonnegut').description('An append-only log in Kafka\'s format, replicated with chain replication.');

const serve = program.command('serve').description('run a log node');
const flagHelp: Record<keyof typeof ENV, [string, string]> = {
  dataDir: ['--data-dir <dir>', 'data directory (default ./data)'],
  host: ['--host <host>', 'address to listen on (default 127.0.0.1)'],
  port: ['--port <port>', 'Kafka port (default 9092; 0 picks a free port)'],
  advertisedHost: ['--advertised-host <host>', 'host clients and peers use to reach this node'],
  advertisedPort: ['--advertised-port <port>', 'port clients and peers use to reach this node'],
  nodeId: ['--node-id <id>', 'broker id when running solo (chain members derive ids from names)'],
  nodeName: ['--node-name <name>', 'member name in discovery (pod name; default: the member whose address is this node\'s advertised host:port)'],
  chain: ['--chain <name>', 'name of this node\'s chain'],
  discovery: ['--discovery <spec>', 'chain members: srv:RECORD, or static:name=host:port,... (names order the chain; a bare host:port is named by its place in the list)'],
  coordinator: ['--coordinator <spec>', 'coordination store for chain failover: etcd:HOST:PORT[,HOST:PORT...] or kubernetes (Leases in the pod namespace); absent: fixed chain order, the single-machine/dev mode'],
  minInsync: ['--min-insync <n>', 'members a chain configuration needs for writes with --coordinator (Kafka min.insync.replicas; default replicas-1 for 3 or more, else replicas)'],
  leaseTtlMs: ['--lease-ttl-ms <ms>', 'member lease TTL in the coordination store: a dead member is removed within it (default 3000)'],
  leaseRenewMs: ['--lease-renew-ms <ms>', 'how often a member renews its lease (default 1000)'],
  dnsServer: ['--dns-server <host:port>', 'DNS server for SRV discovery'],
  discoveryRefreshMs: ['--discovery-refresh-ms <ms>', 'how often discovery is asked again (default 2000, jittered)'],
  replicas: ['--replicas <n>', 'members a chain needs before it accepts writes (default 1)'],
  cluster: ['--cluster <spec>', 'all chains of the cluster: srv:RECORD,... or static lists'],
  adminHost: ['--admin-host <host>', 'admin HTTP address (default 127.0.0.1)'],
  adminPort: ['--admin-port <port>', 'admin HTTP port for /metrics, /healthz, /readyz (default 9644; -1 disables)'],
  adminTokenFile: ['--admin-token-file <file>', 'write a fresh admin token here at start; PUT /v1/config and POST /v1/drain then need it (default: changes from loopback only)'],
  logLevel: ['--log-level <level>', 'error, warn, info or debug'],
  segmentBytes: ['--segment-bytes <n>', 'roll segments at this size (default 1 GiB)'],
  retentionBytes: ['--retention-bytes <n>', 'delete old segments beyond this size per partition (-1: no limit)'],
  retentionMs: ['--retention-ms <n>', 'delete segments older than this (default 7 days)'],
  logCleanupPolicy: ['--log-cleanup-policy <policy>', 'default cleanup.policy of topics: delete, compact or compact,delete (Kafka log.cleanup.policy; default delete)'],
  logCleanerBackoffMs: ['--log-cleaner-backoff-ms <ms>', 'pause between log cleaner passes over compacted topics (Kafka log.cleaner.backoff.ms; default 15 s)'],
  logCleanerDeleteRetentionMs: ['--log-cleaner-delete-retention-ms <ms>', 'default delete.retention.ms: how long compaction keeps tombstones (default 1 day)'],
  retentionCheckIntervalMs: ['--retention-check-interval-ms <ms>', 'how often retention looks for segments to delete (Kafka log.retention.check.interval.ms; default 5 minutes)'],
  flushMessages: ['--flush-messages <n>', 'fsync a partition once this many records are unflushed, before acknowledging (Kafka flush.messages; default never: replication protects acknowledged records)'],
  flushMs: ['--flush-ms <n>', 'fsync records unflushed for this long (Kafka flush.ms; default never)'],
  logWrites: ['--log-writes <where>', 'where produced batches are written to segments: event-loop (default) or thread-pool (groups of 256 KiB or more off the event loop)'],
  compressionThreads: ['--compression-threads <n>', 'threads recompressing batches for topics with a compression.type (0: on the event loop; default: cores - 1, from 1 to 4)'],
  maxOpenFiles: ['--max-open-files <n>', 'segment file descriptors kept open at most; least recently used are closed (default 4096)'],
  fileIdleTimeoutMs: ['--file-idle-timeout-ms <n>', 'close segment files unused this long (default 10 minutes)'],
  aclFile: ['--acl-file <file>', 'JSON ACLs ({"acls":[...]}); when set, whatever no ACL allows is denied; re-read on change'],
  superUsers: ['--super-users <list>', 'comma list of principals (User:admin) that bypass ACLs'],
  autoCreateTopics: ['--auto-create-topics <bool>', 'create topics on first use (default true)'],
  defaultPartitions: ['--default-partitions <n>', 'partitions of auto-created topics (default 1)'],
  maxRequestBytes: ['--max-request-bytes <n>', 'largest request frame accepted (default 100 MiB)'],
  maxConnections: ['--max-connections <n>', 'client connections accepted at once; more are closed on accept (default: no limit)'],
  idleTimeoutMs: ['--idle-timeout-ms <ms>', 'close connections silent for this long (default 10 min; 0 disables)'],
  maxInFlightRequests: ['--max-in-flight-requests <n>', 'requests read ahead per connection before reading pauses (default 64)'],
  securityProtocol: ['--security-protocol <p>', 'PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, for the listener and links to peers (default PLAINTEXT)'],
  tlsCertFile: ['--tls-cert-file <file>', 'PEM certificate (chain) of the listener; re-read when it changes'],
  tlsKeyFile: ['--tls-key-file <file>', 'PEM private key of the listener; re-read when it changes'],
  tlsCaFile: ['--tls-ca-file <file>', 'PEM CA bundle that peers\' certificates are verified against'],
  saslMechanisms: ['--sasl-mechanisms <list>', 'enabled SASL mechanisms (default SCRAM-SHA-256,SCRAM-SHA-512,PLAIN)'],
  saslUsersFile: ['--sasl-users-file <file>', 'JSON {"users":[{"name":..,"password":..}]}; re-read when it changes'],
  saslInterBrokerUser: ['--sasl-inter-broker-user <name>', 'user (in the users file) this node authenticates as to its peers; the only one allowed to open replication links'],
};
for (const [key, [flag, help]] of Object.entries(flagHelp)) serve.option(flag, `${help} [env ${ENV[key as keyof typeof ENV]}]`);
serve.action(async (flags: ServeFlags) => {
  let resolved;
  try {
    resolved = resolveServeConfig(flags);
  } catch (err) {
    console.error(`vonnegut: ${(err as Error).message}`);
    process.exit(2);
  }
  const logger = createLogger({ level: resolved.logLevel });
  let node;
  try {
    node = await startNode(resolved.config, logger, (level) => (logger.level = level));
  } catch (err) {
    console.error(`vonnegut: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  // The one line scripts and tests wait for: the address actually bound (port 0 resolved).
  console.log(`vonnegut listening on ${node.kafka.host}:${node.kafka.port}${node.admin ? ` admin ${node.admin.port}` : ''}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await node.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
});

program.addCommand((await import('./cli/produce.ts')).produceCommand());
program.addCommand((await import('./cli/consume.ts')).consumeCommand());
program.addCommand((await import('./cli/topics.ts')).topicsCommand());
program.addCommand((await import('./cli/status.ts')).statusCommand());

// Run directly (`tsx node/src/main.ts serve`, what the e2e tests spawn): the node's own commands only.
// The product's entry point, cli/vonnegut.ts, adds the operator, the sidecar and the benches as peers.
// realpath: the file may be reached through a symlinked directory (import.meta.url is the real path).
if (process.argv[1] && fs.realpathSync(path.resolve(process.argv[1])) === fileURLToPath(import.meta.url)) {
  await program.parseAsync(process.argv);
}
