/**
 * The dispatch-table entries for the group coordinator, idempotent producers and the admin APIs added
 * with them, so node.ts wires them with one line.
 */
import { ApiKey } from '../../protocol/api-keys.ts';
import type { GroupCoordinator } from '../../groups/coordinator.ts';
import type { Broker } from '../broker.ts';
import { ProducerIdAllocator } from '../producer-ids.ts';
import type { AccessControl } from '../access-control.ts';
import type { AnyHandler } from '../router.ts';
import { describeClusterHandler } from './describe-cluster.ts';
import { describeConfigsHandler, type LogSettings } from './describe-configs.ts';
import { describeGroupsHandler } from './describe-groups.ts';
import { deleteGroupsHandler } from './delete-groups.ts';
import { findCoordinatorHandler } from './find-coordinator.ts';
import { heartbeatHandler } from './heartbeat.ts';
import { initProducerIdHandler } from './init-producer-id.ts';
import { joinGroupHandler } from './join-group.ts';
import { leaveGroupHandler } from './leave-group.ts';
import { listGroupsHandler } from './list-groups.ts';
import { offsetCommitHandler } from './offset-commit.ts';
import { offsetFetchHandler } from './offset-fetch.ts';
import { syncGroupHandler } from './sync-group.ts';
import { alterConfigsHandler, incrementalAlterConfigsHandler } from './alter-configs.ts';
import { createPartitionsHandler } from './create-partitions.ts';
import { deleteRecordsHandler } from './delete-records.ts';
import { offsetDeleteHandler } from './offset-delete.ts';
import { TopicAdmin } from '../topic-admin.ts';

/** Group, idempotent-producer and admin handlers, each checking ACLs through `access`. */
export function groupHandlers(broker: Broker, coordinator: GroupCoordinator, logFlags: Partial<LogSettings>, access: AccessControl): [number, AnyHandler][] {
  const flags: Partial<LogSettings> = {};
  if (logFlags.retentionMs !== undefined) flags.retentionMs = logFlags.retentionMs;
  if (logFlags.retentionBytes !== undefined) flags.retentionBytes = logFlags.retentionBytes;
  if (logFlags.segmentBytes !== undefined) flags.segmentBytes = logFlags.segmentBytes;
  const admin = new TopicAdmin(broker, broker.dial);
  return [
    [ApiKey.FindCoordinator, findCoordinatorHandler(coordinator, access) as AnyHandler],
    [ApiKey.JoinGroup, joinGroupHandler(coordinator, access) as AnyHandler],
    [ApiKey.SyncGroup, syncGroupHandler(coordinator, access) as AnyHandler],
    [ApiKey.Heartbeat, heartbeatHandler(coordinator, access) as AnyHandler],
    [ApiKey.LeaveGroup, leaveGroupHandler(coordinator, access) as AnyHandler],
    [ApiKey.OffsetCommit, offsetCommitHandler(coordinator, access, (topic) => broker.partitionCount(topic)) as AnyHandler],
    [ApiKey.OffsetFetch, offsetFetchHandler(coordinator, access) as AnyHandler],
    [ApiKey.DescribeGroups, describeGroupsHandler(coordinator, access) as AnyHandler],
    [ApiKey.ListGroups, listGroupsHandler(coordinator, access) as AnyHandler],
    [ApiKey.DeleteGroups, deleteGroupsHandler(coordinator, access) as AnyHandler],
    [ApiKey.InitProducerId, initProducerIdHandler(new ProducerIdAllocator(broker.selfId()), access) as AnyHandler],
    [ApiKey.DescribeConfigs, describeConfigsHandler(broker, admin, flags, access) as AnyHandler],
    [ApiKey.AlterConfigs, alterConfigsHandler(broker, admin, access) as AnyHandler],
    [ApiKey.IncrementalAlterConfigs, incrementalAlterConfigsHandler(broker, admin, access) as AnyHandler],
    [ApiKey.CreatePartitions, createPartitionsHandler(broker, admin, access) as AnyHandler],
    [ApiKey.DeleteRecords, deleteRecordsHandler(admin, access) as AnyHandler],
    [ApiKey.OffsetDelete, offsetDeleteHandler(coordinator, access) as AnyHandler],
    [ApiKey.DescribeCluster, describeClusterHandler(broker, access) as AnyHandler],
  ];
}
