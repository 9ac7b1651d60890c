/**
 * Metadata (key 3), versions 0-12; 9+ flexible (compact strings/arrays, tagged fields on every struct).
 *
 *   Request v0    => [topic:string]                       (empty array = all topics)
 *   Request v1-3  => [topic:string] nullable              (null = all topics)
 *   Request v4-7  => v1 allow_auto_topic_creation:bool
 *   Request v8    => v4 include_cluster_authorized_operations:bool include_topic_authorized_operations:bool
 *   Request v9    => v8, flexible
 *   Request v10   => [topic_id:uuid name:nullable_string] allow_auto include_cluster include_topic
 *   Request v11+  => v10 without include_cluster_authorized_operations
 *
 *   Response v0   => [broker: node_id:int32 host:string port:int32]
 *                    [topic: error_code:int16 name:string
 *                       [partition: error_code:int16 partition_index:int32 leader_id:int32
 *                                   replica_nodes:[int32] isr_nodes:[int32]]]
 *   Response v1   => brokers add rack:nullable_string; controller_id:int32 after brokers;
 *                    topics add is_internal:bool after name
 *   Response v2   => cluster_id:nullable_string between brokers and controller_id
 *   Response v3-4 => throttle_time_ms:int32 first
 *   Response v5-6 => partitions add offline_replicas:[int32] last
 *   Response v7   => partitions add leader_epoch:int32 after leader_id
 *   Response v8   => topics add topic_authorized_operations:int32 last;
 *                    cluster_authorized_operations:int32 at the end
 *   Response v9   => v8, flexible
 *   Response v10  => topics add topic_id:uuid after name
 *   Response v11+ => no cluster_authorized_operations; v12 topic name nullable
 */
import { DecodeError } from '../errors.ts';
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import {
  rArray, rInt32s, rNullableArray, rNullableString, rString, rTags,
  wArray, wInt32s, wNullableArray, wNullableString, wString, wTags,
} from './fields.ts';

/** Kafka's "not provided" value for authorized-operations bitfields. */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
/** The all-zero topic id (protocol/uuid.ts), re-exported for callers of this codec. */
export { ZERO_UUID } from '../uuid.ts';
import { ZERO_UUID } from '../uuid.ts';

export interface MetadataRequestTopic {
  /** v10+; zero otherwise. */
  topicId: Buffer;
  /** Null only when asking by id (v10+). */
  name: string | null;
}

export interface MetadataRequest {
  /** null = all topics (v1+); in v0 an empty array means all topics and null is written as empty. */
  topics: MetadataRequestTopic[] | null;
  /** v4+; earlier versions always auto-create (Kafka's default true). */
  allowAutoTopicCreation: boolean;
  /** v8-10. */
  includeClusterAuthorizedOperations: boolean;
  /** v8+. */
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  /** v1+. */
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  /** v7+; -1 otherwise. */
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  /** v5+. */
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  /** Null only for unknown topics asked by id (v12+). */
  name: string | null;
  /** v10+. */
  topicId: Buffer;
  /** v1+. */
  isInternal: boolean;
  partitions: MetadataPartition[];
  /** v8+. */
  topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  /** v3+. */
  throttleTimeMs: number;
  brokers: MetadataBroker[];
  /** v2+. */
  clusterId: string | null;
  /** v1+; -1 when unknown. */
  controllerId: number;
  topics: MetadataTopic[];
  /** v8-10. */
  clusterAuthorizedOperations: number;
}

const flexible = (version: number): boolean => version >= 9;

function readTopicName(r: Reader, flex: boolean, nullable: boolean): string | null {
  const name = rNullableString(r, flex);
  if (name === null && !nullable) throw new DecodeError('null topic name');
  return name;
}

/** Decodes a Metadata request body. */
export function decodeMetadataRequest(r: Reader, version: number): MetadataRequest {
  const flex = flexible(version);
  const topic = (x: Reader): MetadataRequestTopic => {
    const topicId = version >= 10 ? x.uuid() : ZERO_UUID;
    const name = readTopicName(x, flex, version >= 10);
    rTags(x, flex);
    return { topicId, name };
  };
  // In v0 an empty array asks for every topic (Sarama's ListTopics sends exactly that).
  const listed = version >= 1 ? rNullableArray(r, flex, topic) : rArray(r, flex, topic);
  const topics = version === 0 && listed?.length === 0 ? null : listed;
  const allowAutoTopicCreation = version >= 4 ? r.boolean() : true;
  const includeClusterAuthorizedOperations = version >= 8 && version <= 10 ? r.boolean() : false;
  const includeTopicAuthorizedOperations = version >= 8 ? r.boolean() : false;
  rTags(r, flex);
  return { topics, allowAutoTopicCreation, includeClusterAuthorizedOperations, includeTopicAuthorizedOperations };
}

/** Encodes a Metadata request body. */
export function encodeMetadataRequest(w: Writer, version: number, req: MetadataRequest): void {
  const flex = flexible(version);
  const topic = (x: Writer, t: MetadataRequestTopic): void => {
    if (version >= 10) x.uuid(t.topicId);
    wNullableString(x, flex, t.name);
    wTags(x, flex);
  };
  if (version >= 1) wNullableArray(w, flex, req.topics, topic);
  else wArray(w, flex, req.topics ?? [], topic);
  if (version >= 4) w.boolean(req.allowAutoTopicCreation);
  if (version >= 8 && version <= 10) w.boolean(req.includeClusterAuthorizedOperations);
  if (version >= 8) w.boolean(req.includeTopicAuthorizedOperations);
  wTags(w, flex);
}

/** Encodes a Metadata response body. */
export function encodeMetadataResponse(w: Writer, version: number, res: MetadataResponse): void {
  const flex = flexible(version);
  if (version >= 3) w.int32(res.throttleTimeMs);
  wArray(w, flex, res.brokers, (x, b) => {
    x.int32(b.nodeId);
    wString(x, flex, b.host);
    x.int32(b.port);
    if (version >= 1) wNullableString(x, flex, b.rack);
    wTags(x, flex);
  });
  if (version >= 2) wNullableString(w, flex, res.clusterId);
  if (version >= 1) w.int32(res.controllerId);
  wArray(w, flex, res.topics, (x, t) => {
    x.int16(t.errorCode);
    wNullableString(x, flex, t.name);
    if (version >= 10) x.uuid(t.topicId);
    if (version >= 1) x.boolean(t.isInternal);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId);
      if (version >= 7) y.int32(p.leaderEpoch);
      wInt32s(y, flex, p.replicaNodes);
      wInt32s(y, flex, p.isrNodes);
      if (version >= 5) wInt32s(y, flex, p.offlineReplicas);
      wTags(y, flex);
    });
    if (version >= 8) x.int32(t.topicAuthorizedOperations);
    wTags(x, flex);
  });
  if (version >= 8 && version <= 10) w.int32(res.clusterAuthorizedOperations);
  wTags(w, flex);
}

/** Decodes a Metadata response body. */
export function decodeMetadataResponse(r: Reader, version: number): MetadataResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 3 ? r.int32() : 0;
  const brokers = rArray(r, flex, (x): MetadataBroker => {
    const nodeId = x.int32();
    const host = rString(x, flex);
    const port = x.int32();
    const rack = version >= 1 ? rNullableString(x, flex) : null;
    rTags(x, flex);
    return { nodeId, host, port, rack };
  });
  const clusterId = version >= 2 ? rNullableString(r, flex) : null;
  const controllerId = version >= 1 ? r.int32() : -1;
  const topics = rArray(r, flex, (x): MetadataTopic => {
    const errorCode = x.int16();
    const name = readTopicName(x, flex, version >= 12);
    const topicId = version >= 10 ? x.uuid() : ZERO_UUID;
    const isInternal = version >= 1 ? x.boolean() : false;
    const partitions = rArray(x, flex, (y): MetadataPartition => {
      const errorCode = y.int16();
      const partitionIndex = y.int32();
      const leaderId = y.int32();
      const leaderEpoch = version >= 7 ? y.int32() : -1;
      const replicaNodes = rInt32s(y, flex);
      const isrNodes = rInt32s(y, flex);
      const offlineReplicas = version >= 5 ? rInt32s(y, flex) : [];
      rTags(y, flex);
      return { errorCode, partitionIndex, leaderId, leaderEpoch, replicaNodes, isrNodes, offlineReplicas };
    });
    const topicAuthorizedOperations = version >= 8 ? x.int32() : AUTHORIZED_OPERATIONS_OMITTED;
    rTags(x, flex);
    return { errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations };
  });
  const clusterAuthorizedOperations = version >= 8 && version <= 10 ? r.int32() : AUTHORIZED_OPERATIONS_OMITTED;
  rTags(r, flex);
  return { throttleTimeMs, brokers, clusterId, controllerId, topics, clusterAuthorizedOperations };
}
