/**
 * The `vonnegut` command line: `serve` runs a node; `produce`, `consume` and `topics` talk to a running
 * cluster; `operator` and `sidecar` run the Kubernetes parts from the same image.
 */
import fs from 'node:fs';
import { Command } from 'commander';
import { createLogger } from './logging.ts';
import { ENV, resolveServeConfig, type ServeFlags } from './config.ts';
import { startNode } from './server/node.ts';

const program = new Command();
program.name('vonnegut').description('An append-only log in Kafka\'s format, replicated with chain replication.');

const serve = program.command('serve').description('run a log node');
const flagHelp: Record<keyof typeof ENV, [string, string]> = {
  dataDir: ['--data-dir <dir>', 'data directory (default ./data)'],
  host: ['--host <host>', 'address to listen on (default 127.0.0.1)'],
  port: ['--port <port>', 'Kafka port (default 9092; 0 picks a free port)'],
  advertisedHost: ['--advertised-host <host>', 'host clients and peers use to reach this node'],
  advertisedPort: ['--advertised-port <port>', 'port clients and peers use to reach this node'],
  nodeId: ['--node-id <id>', 'broker id when running solo (chain members derive ids from names)'],
  nodeName: ['--node-name <name>', 'member name in discovery (pod name; default host:port)'],
  chain: ['--chain <name>', 'name of this node\'s chain'],
  discovery: ['--discovery <spec>', 'chain members: srv:RECORD or static:host:port,...'],
  dnsServer: ['--dns-server <host:port>', 'DNS server for SRV discovery'],
  discoveryRefreshMs: ['--discovery-refresh-ms <ms>', 'how often discovery is asked again (default 2000, jittered)'],
  replicas: ['--replicas <n>', 'members a chain needs before it accepts writes (default 1)'],
  cluster: ['--cluster <spec>', 'all chains of the cluster: srv:RECORD,... or static lists'],
  adminHost: ['--admin-host <host>', 'admin HTTP address (default 127.0.0.1)'],
  adminPort: ['--admin-port <port>', 'admin HTTP port for /metrics, /healthz, /readyz (default 9644; -1 disables)'],
  logLevel: ['--log-level <level>', 'error, warn, info or debug'],
  segmentBytes: ['--segment-bytes <n>', 'roll segments at this size (default 1 GiB)'],
  retentionBytes: ['--retention-bytes <n>', 'delete old segments beyond this size per partition (-1: no limit)'],
  retentionMs: ['--retention-ms <n>', 'delete segments older than this (default 7 days)'],
  flushMessages: ['--flush-messages <n>', 'fsync a partition once this many records are unflushed, before acknowledging (Kafka flush.messages; default never: replication protects acknowledged records)'],
  flushMs: ['--flush-ms <n>', 'fsync records unflushed for this long (Kafka flush.ms; default never)'],
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

program
  .command('bench')
  .description('run the produce, fetch and chain benchmarks and print one summary table; --peers: vonnegut next to NATS JetStream and Redis')
  .option('--mib <n>', 'MiB per batch size and round in each bench (--peers: per system and round)', '128')
  .option('--rounds <n>', 'rounds per bench (medians are reported)', '3')
  .option('--peers', 'the same produce workload against vonnegut, NATS JetStream R1/R3 and Redis streams (needs nats-server, redis-server)')
  .option('--producers <n>', 'with --peers: concurrent producers, each with its own connection', '8')
  .option('--batch <n>', 'with --peers: records per operation, awaited before the next', '32')
  .option('--json [file]', 'write machine-readable results to FILE, or to stdout')
  .action(async (o: { mib: string; rounds: string; peers?: boolean; producers: string; batch: string; json?: boolean | string }) => {
    // With a bare --json, stdout is the JSON alone: no progress bars, no per-bench lines.
    const quiet = o.json === true;
    const emit = (text: string, value: unknown): void => {
      if (quiet) return console.log(JSON.stringify(value, null, 2));
      console.log(text);
      if (typeof o.json === 'string') {
        fs.writeFileSync(o.json, JSON.stringify(value, null, 2) + '\n');
        console.error(`results written to ${o.json}`);
      }
    };
    // Loaded on demand: the benches pull in the e2e harness and peer clients, which `serve` never needs.
    if (o.peers) {
      const { runPeersBench, formatPeers, peersOptions, PeersUnavailableError, checkPeerBinaries } = await import('../../bench/peers.ts');
      let opts;
      try {
        checkPeerBinaries();
        opts = peersOptions({ mib: o.mib, rounds: o.rounds, producers: o.producers, batch: o.batch }, !quiet);
      } catch (err) {
        if (!(err instanceof PeersUnavailableError || err instanceof RangeError)) throw err;
        console.error(`vonnegut: ${err.message}`);
        process.exit(2);
      }
      const res = await runPeersBench(opts);
      emit(formatPeers(res).join('\n'), res);
      return;
    }
    const { runAllBenches, formatSummary } = await import('../../bench/all.ts');
    const res = await runAllBenches({
      mib: Number(o.mib),
      rounds: Math.max(1, Number(o.rounds)),
      progress: !quiet,
      ...(quiet ? {} : { onReport: (lines: string[]) => console.log(lines.join('\n')) }),
    });
    emit(`\nsummary\n${formatSummary(res.summary)}`, res);
  });

program.addCommand((await import('./cli/produce.ts')).produceCommand());
program.addCommand((await import('./cli/consume.ts')).consumeCommand());
program.addCommand((await import('./cli/topics.ts')).topicsCommand());
program.addCommand((await import('./cli/status.ts')).statusCommand());

// The Kubernetes parts load client-node, so they are imported only when asked for.
const sub = process.argv[2];
if (sub === 'operator') program.addCommand((await import('../../operator/src/main.ts')).operatorCommand());
if (sub === 'sidecar') program.addCommand((await import('../../operator/src/sidecar/main.ts')).sidecarCommand());

await program.parseAsync(process.argv);
