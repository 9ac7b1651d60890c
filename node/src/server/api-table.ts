/**
 * The dispatch table: which handler serves each Kafka API key (Kafka's KafkaApis.handle switch, with
 * each handler in its own file under handlers/). The router (router.ts) looks requests up here.
 */
import { ApiKey } from '../protocol/api-keys.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import type { GroupCoordinator } from '../groups/coordinator.ts';
import type { TransactionCoordinator } from '../transactions/coordinator.ts';
import type { AccessControl } from './access-control.ts';
import type { Broker } from './broker.ts';
import type { DynamicBrokerConfig } from './broker-config.ts';
import type { ProducerIdAllocator } from './producer-ids.ts';
import type { AnyHandler, ApiHandler, RawHandler } from './router.ts';
import { TopicAdmin } from './topic-admin.ts';
import { AclAdmin } from './acl-admin.ts';
import { alterUserScramCredentialsHandler, describeUserScramCredentialsHandler } from './scram-admin.ts';
import { createAclsHandler, deleteAclsHandler, describeAclsHandler } from './handlers/acls.ts';
import { addOffsetsToTxnHandler } from './handlers/add-offsets-to-txn.ts';
import { addPartitionsToTxnHandler } from './handlers/add-partitions-to-txn.ts';
import { endTxnHandler } from './handlers/end-txn.ts';
import { writeTxnMarkersHandler } from './handlers/write-txn-markers.ts';
import { OFFSETS_TOPIC } from '../groups/offset-records.ts';
import { describeTransactionsHandler, listTransactionsHandler } from './handlers/describe-transactions.ts';
import { txnOffsetCommitHandler } from './handlers/txn-offset-commit.ts';
import { alterConfigsHandler, incrementalAlterConfigsHandler } from './handlers/alter-configs.ts';
import { apiVersionsHandler } from './handlers/api-versions.ts';
import { chainReplicateHandler } from './handlers/chain-replicate.ts';
import { createPartitionsHandler } from './handlers/create-partitions.ts';
import { createTopicsHandler } from './handlers/create-topics.ts';
import { deleteGroupsHandler } from './handlers/delete-groups.ts';
import { deleteRecordsHandler } from './handlers/delete-records.ts';
import { deleteTopicsHandler } from './handlers/delete-topics.ts';
import { describeClusterHandler } from './handlers/describe-cluster.ts';
import { describeTopicPartitionsHandler } from './handlers/describe-topic-partitions.ts';
import { describeConfigsHandler, type LogSettings } from './handlers/describe-configs.ts';
import { describeGroupsHandler } from './handlers/describe-groups.ts';
import { fetchHandler } from './handlers/fetch.ts';
import { findCoordinatorHandler } from './handlers/find-coordinator.ts';
import { heartbeatHandler } from './handlers/heartbeat.ts';
import { initProducerIdHandler } from './handlers/init-producer-id.ts';
import { joinGroupHandler } from './handlers/join-group.ts';
import { leaveGroupHandler } from './handlers/leave-group.ts';
import { listGroupsHandler } from './handlers/list-groups.ts';
import { listOffsetsHandler } from './handlers/list-offsets.ts';
import { metadataHandler } from './handlers/metadata.ts';
import { offsetCommitHandler } from './handlers/offset-commit.ts';
import { offsetDeleteHandler } from './handlers/offset-delete.ts';
import { offsetFetchHandler } from './handlers/offset-fetch.ts';
import { produceHandler } from './handlers/produce.ts';
import { saslAuthenticateHandler } from './handlers/sasl-authenticate.ts';
import { saslHandshakeHandler } from './handlers/sasl-handshake.ts';
import { syncGroupHandler } from './handlers/sync-group.ts';

/** What the handlers are built from. */
export interface ApiTableParts {
  broker: Broker;
  coordinator: GroupCoordinator;
  transactions: TransactionCoordinator;
  /** Producer ids for idempotent and transactional producers alike. */
  producerIds: ProducerIdAllocator;
  chain: ChainNode;
  access: AccessControl;
  /** The principal chain members authenticate as (for the replication link's ACL check). */
  interBrokerPrincipal: string | null;
  /** The node's log flags, which DescribeConfigs reports as the broker's defaults. */
  logFlags: Partial<LogSettings>;
  /** This node's dynamic broker configs (AlterConfigs on its BROKER resource). */
  brokerConfig: DynamicBrokerConfig;
}

/**
 * One table entry. Each handler is checked against its own request and response types here, with no
 * cast; the router only passes a handler's decoded request back to that same handler.
 */
function entry<Req, Res>(apiKey: number, handler: ApiHandler<Req, Res> | RawHandler): [number, AnyHandler] {
  return [apiKey, handler];
}

/** The handler of every API key the node serves, each checking ACLs through `access`. */
export function apiTable(p: ApiTableParts): Map<number, AnyHandler> {
  const { broker, coordinator, access } = p;
  const flags: Partial<LogSettings> = {};
  if (p.logFlags.retentionMs !== undefined) flags.retentionMs = p.logFlags.retentionMs;
  if (p.logFlags.retentionBytes !== undefined) flags.retentionBytes = p.logFlags.retentionBytes;
  if (p.logFlags.segmentBytes !== undefined) flags.segmentBytes = p.logFlags.segmentBytes;
  const admin = new TopicAdmin(broker, broker.dial);
  const acls = new AclAdmin(broker.directory, broker.dial);
  return new Map([
    entry(ApiKey.ApiVersions, apiVersionsHandler()),
    entry(ApiKey.SaslHandshake, saslHandshakeHandler()),
    entry(ApiKey.SaslAuthenticate, saslAuthenticateHandler()),
    entry(ApiKey.Metadata, metadataHandler(broker, access)),
    entry(ApiKey.Produce, produceHandler(broker, access)),
    entry(ApiKey.Fetch, fetchHandler(broker, access)),
    entry(ApiKey.ListOffsets, listOffsetsHandler(broker, access)),
    entry(ApiKey.CreateTopics, createTopicsHandler(broker, access)),
    entry(ApiKey.DeleteTopics, deleteTopicsHandler(broker, access)),
    entry(ApiKey.ChainReplicate, chainReplicateHandler(p.chain, p.interBrokerPrincipal, access)),
    entry(ApiKey.FindCoordinator, findCoordinatorHandler(coordinator, access)),
    entry(ApiKey.JoinGroup, joinGroupHandler(coordinator, access)),
    entry(ApiKey.SyncGroup, syncGroupHandler(coordinator, access)),
    entry(ApiKey.Heartbeat, heartbeatHandler(coordinator, access)),
    entry(ApiKey.LeaveGroup, leaveGroupHandler(coordinator, access)),
    entry(ApiKey.OffsetCommit, offsetCommitHandler(coordinator, access, (topic) => broker.partitionCount(topic))),
    entry(ApiKey.OffsetFetch, offsetFetchHandler(coordinator, access)),
    entry(ApiKey.DescribeGroups, describeGroupsHandler(coordinator, access)),
    entry(ApiKey.ListGroups, listGroupsHandler(coordinator, access)),
    entry(ApiKey.DeleteGroups, deleteGroupsHandler(coordinator, access)),
    entry(ApiKey.OffsetDelete, offsetDeleteHandler(coordinator, access)),
    entry(ApiKey.InitProducerId, initProducerIdHandler(p.producerIds, access, p.transactions)),
    entry(ApiKey.AddPartitionsToTxn, addPartitionsToTxnHandler(p.transactions, access, (topic) => broker.partitionCount(topic))),
    entry(ApiKey.AddOffsetsToTxn, addOffsetsToTxnHandler(p.transactions, coordinator, access)),
    entry(ApiKey.EndTxn, endTxnHandler(p.transactions, access)),
    entry(ApiKey.WriteTxnMarkers, writeTxnMarkersHandler(broker, access, p.interBrokerPrincipal, (topic, producerId, commit) => {
      if (topic === OFFSETS_TOPIC) coordinator.offsets.completeTransaction(producerId, commit);
    })),
    entry(ApiKey.DescribeTransactions, describeTransactionsHandler(p.transactions, access)),
    entry(ApiKey.ListTransactions, listTransactionsHandler(p.transactions, access)),
    entry(ApiKey.TxnOffsetCommit, txnOffsetCommitHandler(p.transactions, coordinator, access, (topic) => broker.partitionCount(topic))),
    entry(ApiKey.DescribeConfigs, describeConfigsHandler(broker, admin, flags, p.brokerConfig, access)),
    entry(ApiKey.AlterConfigs, alterConfigsHandler(broker, admin, p.brokerConfig, access)),
    entry(ApiKey.IncrementalAlterConfigs, incrementalAlterConfigsHandler(broker, admin, p.brokerConfig, access)),
    entry(ApiKey.CreatePartitions, createPartitionsHandler(broker, admin, access)),
    entry(ApiKey.DeleteRecords, deleteRecordsHandler(admin, access)),
    entry(ApiKey.DescribeCluster, describeClusterHandler(broker, access)),
    entry(ApiKey.DescribeTopicPartitions, describeTopicPartitionsHandler(broker, access)),
    entry(ApiKey.DescribeAcls, describeAclsHandler(acls, access)),
    entry(ApiKey.CreateAcls, createAclsHandler(acls, access)),
    entry(ApiKey.DeleteAcls, deleteAclsHandler(acls, access)),
    entry(ApiKey.DescribeUserScramCredentials, describeUserScramCredentialsHandler(broker.directory, access)),
    entry(ApiKey.AlterUserScramCredentials, alterUserScramCredentialsHandler(broker.directory, access, broker.dial)),
  ]);
}
