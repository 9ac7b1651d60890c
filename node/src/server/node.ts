/**
 * Assembles one log node: storage, chain membership and replication, the Kafka listener, and the admin
 * HTTP server. `startNode` is what `vonnegut serve` runs and what e2e tests start in child processes.
 */
import { initCompression } from '../protocol/compression.ts';
import { DEFAULT_RETENTION_CHECK_MS, LogManager, type LogManagerOptions } from '../storage/log-manager.ts';
import { parseCleanupPolicy } from '../storage/topic-config.ts';
import { OFFSETS_TOPIC } from '../groups/offset-records.ts';
import { prepareDataDir } from '../storage/data-dir.ts';
import { ChainNode } from '../chain/chain-node.ts';
import { HighWatermarks } from '../chain/high-watermark.ts';
import { nodeIdFromName } from '../chain/membership.ts';
import { discoveryFrom } from '../discovery/srv.ts';
import { ClusterView, chainNameOf, parseClusterSpec } from '../chain/cluster.ts';
import { openCoordinator, type CoordinationStore } from '../coordination/index.ts';
import { Failover } from '../coordination/failover.ts';
import { ClusterConfigs } from '../coordination/cluster-configs.ts';
import { DEFAULT_LEASE_RENEW_MS, DEFAULT_LEASE_TTL_MS, defaultMinInsync } from '../coordination/failover-rules.ts';
import { TopicDirectory } from './topic-directory.ts';
import type { LogLevel, Logger } from '../logging.ts';
import { NodeSecurity, type SecuritySettings } from '../security/node-security.ts';
import { NodeMetrics } from '../metrics/node-metrics.ts';
import { forEachResponseError } from '../metrics/response-errors.ts';
import { notInDiscovery } from '../metrics/readiness.ts';
import { identifySelf } from '../discovery/self.ts';
import type { LogWrites } from './log-writes.ts';
import { Broker, DEFAULT_BROKER_CONFIG } from './broker.ts';
import type { FrameHandler } from './connection.ts';
import { createRouter } from './router.ts';
import { KafkaServer, type ServerOptions } from './server.ts';
import { apiTable } from './api-table.ts';
import { startNodeAdmin } from './node-admin.ts';
import { GroupCoordinator } from '../groups/coordinator.ts';
import { brokerCoordinatorHost } from './broker-host.ts';
import { brokerTxnHost } from './txn-host.ts';
import { MarkerChannel } from './marker-channel.ts';
import { ProducerIdAllocator } from './producer-ids.ts';
import { TransactionCoordinator } from '../transactions/coordinator.ts';
import { TRANSACTION_STATE_TOPIC } from '../transactions/txn-records.ts';
import { WatchedAclFile } from '../security/acl-file.ts';
import { UnionAuthorizer } from '../security/acl.ts';
import { AclBindings } from '../security/acl-bindings.ts';
import { AccessControl, OPEN_ACCESS } from './access-control.ts';
import { DynamicBrokerConfig } from './broker-config.ts';

export interface NodeConfig extends SecuritySettings {
  dataDir: string;
  host: string;
  port: number;
  advertisedHost?: string;
  advertisedPort?: number;
  nodeId?: number;
  nodeName?: string;
  chain?: string;
  /** `srv:RECORD` or `static:host:port,...`; absent = a solo node. */
  discovery?: string;
  /** `etcd:HOST:PORT,...` or `kubernetes` (coordination/spec.ts); absent = fixed chain order (dev mode). */
  coordinator?: string;
  /** Members a coordinated chain needs for writes (failover-rules.ts defaultMinInsync when absent). */
  minInsync?: number;
  /** Member lease TTL and renewal interval in the coordination store (failover-rules.ts defaults). */
  leaseTtlMs?: number;
  leaseRenewMs?: number;
  /** Every chain of the cluster (`srv:A,srv:B,...`), this node's own among them; absent = one chain. */
  cluster?: string;
  dnsServer?: string;
  replicas: number;
  adminHost: string;
  /** -1 disables the admin server. */
  adminPort: number;
  /**
   * The node writes a fresh random admin token here at start (mode 0600); PUT /v1/config and POST
   * /v1/drain then need it. Without one, changes are accepted from loopback peers only.
   */
  adminTokenFile?: string;
  /** The log level the node starts with (what GET /v1/config reports until it is changed). */
  logLevel?: LogLevel;
  segmentBytes?: number;
  retentionBytes?: number;
  retentionMs?: number;
  /** Broker default cleanup.policy (Kafka's log.cleanup.policy): delete, compact or compact,delete. */
  logCleanupPolicy?: string;
  /** Pause between log cleaner passes (Kafka's log.cleaner.backoff.ms). */
  logCleanerBackoffMs?: number;
  /** Broker default delete.retention.ms (Kafka's log.cleaner.delete.retention.ms). */
  logCleanerDeleteRetentionMs?: number;
  /** How often retention runs (Kafka's log.retention.check.interval.ms; LogManager's default when absent). */
  retentionCheckIntervalMs?: number;
  /** Kafka's flush.messages / flush.ms; absent = never fsync on a schedule. */
  flushMessages?: number;
  flushMs?: number;
  /** Where produced batches are written (log-writes.ts; default event-loop). */
  logWrites?: LogWrites;
  /** Recompression threads (recompress-pool.ts; default defaultRecompressThreads()). */
  compressionThreads?: number;
  /** Segment file descriptor budget and idle timeout (storage/file-pool.ts defaults when absent). */
  maxOpenFiles?: number;
  fileIdleTimeoutMs?: number;
  /** JSON ACL file; absent = no authorizer, everything allowed. */
  aclFile?: string;
  /** Principals (`User:admin`) that bypass ACLs. */
  superUsers?: string[];
  autoCreateTopics: boolean;
  defaultPartitions: number;
  maxRequestBytes: number;
  /** Connection limits (server.ts DEFAULT_LIMITS when absent). */
  maxConnections?: number;
  idleTimeoutMs?: number;
  maxInFlightRequests?: number;
  discoveryRefreshMs?: number;
}

export interface RunningNode {
  kafka: { host: string; port: number };
  admin: { port: number } | null;
  broker: Broker;
  chain: ChainNode;
  logs: LogManager;
  metrics: NodeMetrics;
  close(): Promise<void>;
}

/** LogManager's options from the node's: committed offsets come from the chain's high-water marks. */
function storageOptions(config: NodeConfig, marks: HighWatermarks, logger: Logger): LogManagerOptions {
  return {
    dataDir: config.dataDir,
    committedOffset: (topic, partition) => marks.get(topic, partition),
    logger: logger.child({ component: 'storage' }),
    ...(config.segmentBytes !== undefined ? { segmentBytes: config.segmentBytes } : {}),
    ...(config.retentionBytes !== undefined ? { retentionBytes: config.retentionBytes } : {}),
    ...(config.retentionMs !== undefined ? { retentionMs: config.retentionMs } : {}),
    ...(config.flushMessages !== undefined ? { flushMessages: config.flushMessages } : {}),
    ...(config.flushMs !== undefined ? { flushMs: config.flushMs } : {}),
    ...(config.maxOpenFiles !== undefined ? { maxOpenFiles: config.maxOpenFiles } : {}),
    ...(config.fileIdleTimeoutMs !== undefined ? { fileIdleMs: config.fileIdleTimeoutMs } : {}),
    topicDefaults: {
      ...(config.logCleanupPolicy !== undefined ? { cleanupPolicy: parseCleanupPolicy(config.logCleanupPolicy) } : {}),
      ...(config.logCleanerDeleteRetentionMs !== undefined ? { deleteRetentionMs: config.logCleanerDeleteRetentionMs } : {}),
    },
  };
}

/** The Kafka listener's options from the node's and its security settings. */
function listenerOptions(config: NodeConfig, security: NodeSecurity): ServerOptions {
  return {
    host: config.host,
    port: config.port,
    limits: {
      maxFrameBytes: config.maxRequestBytes,
      ...(config.idleTimeoutMs !== undefined ? { idleTimeoutMs: config.idleTimeoutMs } : {}),
      ...(config.maxInFlightRequests !== undefined ? { maxInFlightRequests: config.maxInFlightRequests } : {}),
    },
    ...(config.maxConnections !== undefined ? { maxConnections: config.maxConnections } : {}),
    ...(security.tls ? { tls: security.tls } : {}),
    ...(security.sasl ? { sasl: security.sasl } : {}),
  };
}

/** With a coordination store, the loop that makes the chain follow the store's configuration; else null. */
function failoverOf(config: NodeConfig, store: CoordinationStore | null, nodeName: string, advertised: { host: string; port: number }, chain: ChainNode, logger: Logger): Failover | null {
  // The chain's name in the store is the one every node of the cluster gives it (cluster.ts chainNameOf).
  return store && config.discovery
    ? new Failover({
      store,
      chain: chainNameOf(config.discovery, Math.max(0, (config.cluster ? parseClusterSpec(config.cluster) : []).indexOf(config.discovery))),
      self: nodeName,
      info: advertised,
      node: chain,
      ttlMs: config.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      renewMs: config.leaseRenewMs ?? DEFAULT_LEASE_RENEW_MS,
      logger: logger.child({ component: 'failover' }),
    })
    : null;
}

/** Starts retention, the log cleaner, the flusher and idle file closing; returns what stops them all. */
function startStorageTasks(config: NodeConfig, logs: LogManager, chain: ChainNode, metrics: NodeMetrics): () => void {
  // Retention deletes only below what every chain member committed (ChainNode.retentionBound).
  // The cleaner compacts `__consumer_offsets` and `__transaction_state` always (Kafka creates them with
  // cleanup.policy=compact) and every topic whose cleanup.policy says so, below the same bound as retention.
  const stopCleaner = logs.startCleaner({
    ...(config.logCleanerBackoffMs !== undefined ? { backoffMs: config.logCleanerBackoffMs } : {}),
    bound: (topic, p) => chain.retentionBound(topic, p),
    compacted: (topic) => topic === OFFSETS_TOPIC || topic === TRANSACTION_STATE_TOPIC || logs.topicConfig(topic).cleanupPolicy.includes('compact'),
    onPass: (segments) => metrics.cleanerPassed(segments),
  });
  const stopRetention = logs.startRetention(config.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_MS, (topic, p) => chain.retentionBound(topic, p), (deleted) => metrics.retentionChecked(deleted));
  const stopFlusher = logs.startFlusher();
  const stopIdleFileClose = logs.startIdleFileClose();
  return () => {
    stopRetention();
    stopCleaner();
    stopFlusher();
    stopIdleFileClose();
  };
}

/** Starts a node and resolves once it listens; `setLevel` changes the log level at runtime. */
export async function startNode(config: NodeConfig, logger: Logger, setLevel: (level: LogLevel) => void = () => {}): Promise<RunningNode> {
  prepareDataDir(config.dataDir);
  // Certificates and users load before anything listens: a node that cannot secure itself does not start.
  const security = new NodeSecurity(config, config.discovery !== undefined, logger.child({ component: 'security' }));
  // The inter-broker user is implicitly a super user: peers forward topic admin and read placement as it.
  const superUsers = [...(config.superUsers ?? []), ...(security.interBrokerPrincipal ? [security.interBrokerPrincipal] : [])];
  // A bad ACL file stops the start: a node must never come up open when it was meant to be locked.
  const aclFile = config.aclFile ? new WatchedAclFile(config.aclFile, superUsers, logger.child({ component: 'acl' })) : null;
  // ACLs made through the admin APIs live in the metadata log (server/acl-admin.ts); with an ACL file they
  // combine with its entries in one decision. Without one the node has no authorizer, as Kafka without one.
  const apiAcls = new AclBindings();
  const access = aclFile ? new AccessControl(new UnionAuthorizer(() => aclFile.authorizer, () => apiAcls.authorizer), logger.child({ component: 'acl' })) : OPEN_ACCESS;
  await initCompression();
  // The chain owns each partition's committed offset; the logs bound reads and retention by it.
  const marks = HighWatermarks.load(config.dataDir);
  const logs = await LogManager.open(storageOptions(config, marks, logger));
  // Dynamic broker configs (AlterConfigs on this broker) go over the flags' defaults before anything is served.
  const brokerConfig = DynamicBrokerConfig.load(config.dataDir, logs.topicDefaults(), (effective) => logs.reconfigure(effective));
  const metrics = new NodeMetrics({ processMetrics: true });

  // The listener starts first so port 0 resolves before the node advertises its address.
  let route: FrameHandler = async () => ({ close: 'starting' });
  const kafka = new KafkaServer(
    listenerOptions(config, security),
    async (frame, conn) => {
      metrics.inFlightRequestBytes.inc(frame.length);
      try {
        return await route(frame, conn);
      } finally {
        metrics.inFlightRequestBytes.dec(frame.length);
      }
    },
    logger.child({ component: 'server' }),
  );
  const bound = await kafka.listen();
  const advertisedHost = config.advertisedHost ?? (config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host);
  const advertisedPort = config.advertisedPort ?? bound.port;
  const advertised = { host: advertisedHost, port: advertisedPort };
  const discovery = config.discovery ? discoveryFrom(config.discovery, config.dnsServer ? { dnsServer: config.dnsServer } : {}) : undefined;
  // Without --node-name, a chain member takes the name discovery gives its advertised address.
  const identified = discovery ? await identifySelf(discovery, advertised, config.nodeName) : null;
  const nodeName = identified?.name ?? config.nodeName ?? `${advertisedHost}:${advertisedPort}`;
  // With a coordination store, "outside" means outside the store's configuration (joining at the tail, a
  // normal step), not missing from discovery: no discovery identity check then.
  const identity = discovery && !config.coordinator ? { name: nodeName, advertised, source: discovery.description } : undefined;

  const chain = new ChainNode({
    self: nodeName,
    advertised,
    replicas: config.replicas,
    ...(discovery ? { discovery } : {}),
    dataDir: config.dataDir,
    logs,
    marks,
    logger: logger.child({ component: 'chain', chain: config.chain ?? (config.discovery ? 'default' : 'solo') }),
    ...(config.discoveryRefreshMs ? { refreshMs: config.discoveryRefreshMs } : {}),
    dial: security.dial,
    ...(config.coordinator ? { coordinated: { minInsync: config.minInsync ?? defaultMinInsync(config.replicas) } } : {}),
  });
  // One line each time the node finds itself outside its chain's answer, not one per refresh.
  chain.on('view', () => {
    const problem = notInDiscovery({ chain, ...(identity ? { identity } : {}) });
    if (problem) logger.error(`not a chain member: ${problem}`);
  });
  await chain.start();
  // With a coordination store the chain's configuration comes from it (coordination/failover.ts).
  const store = config.coordinator && config.discovery ? await openCoordinator(config.coordinator, logger.child({ component: 'coordinator' })) : null;
  const failover = failoverOf(config, store, nodeName, advertised, chain, logger);

  const srvOpts = config.dnsServer ? { dnsServer: config.dnsServer } : {};
  // With a store, every chain's members and epoch come from its configuration there, on every node.
  const clusterSpecs = config.cluster ? parseClusterSpec(config.cluster) : [];
  const clusterConfigs = store && config.cluster
    ? new ClusterConfigs(store, clusterSpecs.map((spec, i) => chainNameOf(spec, i)), logger.child({ component: 'cluster-configs' }))
    : null;
  await clusterConfigs?.start();
  const cluster = config.cluster && config.discovery
    ? new ClusterView(clusterSpecs, config.discovery, logger.child({ component: 'cluster' }), { ...srvOpts, ...(config.discoveryRefreshMs ? { refreshMs: config.discoveryRefreshMs } : {}), ...(clusterConfigs ? { configs: clusterConfigs } : {}) })
    : null;
  await cluster?.start();
  // The broker reconciles local logs with placement changes; it exists before the first change arrives.
  let broker: Broker | undefined;
  const directory = new TopicDirectory(chain, logs, cluster, logger.child({ component: 'directory' }), (topic) => broker?.reconcileTopic(topic), security.dial, apiAcls);

  broker = new Broker(
    {
      ...DEFAULT_BROKER_CONFIG,
      nodeName,
      nodeId: config.nodeId ?? (config.discovery ? nodeIdFromName(nodeName) : 0),
      advertisedHost,
      advertisedPort,
      autoCreateTopics: config.autoCreateTopics,
      defaultPartitions: config.defaultPartitions,
      ...(config.logWrites ? { logWrites: config.logWrites } : {}),
      ...(config.compressionThreads !== undefined ? { compressionThreads: config.compressionThreads } : {}),
    },
    logs,
    chain,
    directory,
    logger.child({ component: 'broker' }),
    security.dial,
  );
  const ownBroker = broker;
  // A node that becomes its chain's head creates the logs placed on its chain that it does not hold yet.
  chain.on('view', () => {
    for (const { topic } of directory.topics()) ownBroker.reconcileTopic(topic);
  });
  if (security.sasl) security.sasl.dynamic = (m, name) => directory.scram.lookup(m, name);
  directory.start();
  const coordinator = new GroupCoordinator(brokerCoordinatorHost(broker), logger.child({ component: 'groups' }));
  // Hand groups over as soon as the chain's head changes, not on the next group request.
  chain.on('view', () => void coordinator.ready());
  const producerIds = new ProducerIdAllocator(broker.selfId());
  const markerChannel = new MarkerChannel(security.dial, logger.child({ component: 'txn-markers' }));
  const transactions = new TransactionCoordinator(brokerTxnHost(broker, coordinator, producerIds, markerChannel), logger.child({ component: 'transactions' }));
  // The same for transactions, which also finishes what a previous coordinator left half-ended.
  chain.on('view', () => void transactions.ready());
  const table = apiTable({ broker, coordinator, transactions, producerIds, chain, access, interBrokerPrincipal: security.interBrokerPrincipal, logFlags: config, brokerConfig });
  route = createRouter(table, logger.child({ component: 'router' }), (api, seconds, outcome, response) => {
    metrics.request(api, outcome, seconds);
    forEachResponseError(response, (error) => metrics.requestError(api, error));
  });
  broker.observer = metrics;
  // After the broker and its 'view' listeners exist: the first configuration reshapes the node.
  await failover?.start();
  const stopStorageTasks = startStorageTasks(config, logs, chain, metrics);

  const admin = await startNodeAdmin({
    config,
    nodeName,
    ...(identity ? { identity } : {}),
    chain,
    logs,
    broker,
    brokerConfig,
    metrics,
    connections: () => kafka.connectionCount,
    ...(failover ? { coordinatorHealth: () => failover.health, leaveChain: () => failover.stop() } : {}),
    setLevel,
    logger,
  });

  logger.info('vonnegut node started', { kafka: `${bound.host}:${bound.port}`, advertised: `${advertisedHost}:${advertisedPort}`, nodeName, admin: admin?.port ?? null, dataDir: config.dataDir, securityProtocol: security.protocol });
  return {
    kafka: bound,
    admin: admin ? { port: admin.port } : null,
    broker,
    chain,
    logs,
    metrics,
    async close() {
      // Leave the chain first: its next head takes writes while this node still answers (and re-routes).
      await failover?.stop();
      await kafka.close();
      coordinator.close();
      transactions.close();
      markerChannel.close();
      directory.stop();
      cluster?.stop();
      clusterConfigs?.stop();
      await chain.stop();
      await ownBroker.close();
      stopStorageTasks();
      aclFile?.close();
      if (admin) await new Promise<void>((r) => admin!.server.close(() => r()));
      metrics.close();
      logs.close();
      security.close();
    },
  };
}
