/**
 * CreateTopics (key 19), versions 0-7 (v5+ flexible; v6 repeats v5, adding only the
 * THROTTLING_QUOTA_EXCEEDED answer; v7 answers the created topic's id).
 *
 *   Request v0    => [topic: name:string num_partitions:int32 replication_factor:int16
 *                      assignments:[partition_index:int32 broker_ids:[int32]]
 *                      configs:[name:string value:nullable_string]]
 *                    timeout_ms:int32
 *   Request v1-4  => v0 validate_only:bool
 *   Request v5    => v4 flexible
 *
 *   Response v0   => [topic: name:string error_code:int16]
 *   Response v1   => topics add error_message:nullable_string
 *   Response v2-4 => throttle_time_ms:int32 first
 *   Response v5   => flexible; topics add num_partitions:int32 replication_factor:int16
 *                    configs:nullable [name value:nullable read_only:bool config_source:int8 is_sensitive:bool]
 *                    (tag 0 topic_config_error_code is not written)
 *   Response v7   => topics add topic_id:uuid after name (zero when nothing was created)
 *
 * num_partitions / replication_factor of -1 ask for the broker default (KIP-464, v4+).
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { ZERO_UUID } from '../uuid.ts';
import {
  rArray, rInt32s, rNullableArray, rNullableString, rString, rTags,
  wArray, wInt32s, wNullableArray, wNullableString, wString, wTags,
} from './fields.ts';

export interface CreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export interface CreatableTopicConfig {
  name: string;
  value: string | null;
}

export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreatableReplicaAssignment[];
  configs: CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  /** v1+. */
  validateOnly: boolean;
}

export interface CreatableTopicConfigResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}

export interface CreatableTopicResult {
  name: string;
  /** v7+ (KIP-516); zero when the topic was not created. */
  topicId: Buffer;
  errorCode: number;
  /** v1+. */
  errorMessage: string | null;
  /** v5+. */
  numPartitions: number;
  /** v5+. */
  replicationFactor: number;
  /** v5+. */
  configs: CreatableTopicConfigResult[] | null;
}

export interface CreateTopicsResponse {
  /** v2+. */
  throttleTimeMs: number;
  topics: CreatableTopicResult[];
}

const flexible = (version: number): boolean => version >= 5;

/** Decodes a CreateTopics request body. */
export function decodeCreateTopicsRequest(r: Reader, version: number): CreateTopicsRequest {
  const flex = flexible(version);
  const topics = rArray(r, flex, (x): CreatableTopic => {
    const name = rString(x, flex);
    const numPartitions = x.int32();
    const replicationFactor = x.int16();
    const assignments = rArray(x, flex, (y): CreatableReplicaAssignment => {
      const a = { partitionIndex: y.int32(), brokerIds: rInt32s(y, flex) };
      rTags(y, flex);
      return a;
    });
    const configs = rArray(x, flex, (y): CreatableTopicConfig => {
      const c = { name: rString(y, flex), value: rNullableString(y, flex) };
      rTags(y, flex);
      return c;
    });
    rTags(x, flex);
    return { name, numPartitions, replicationFactor, assignments, configs };
  });
  const timeoutMs = r.int32();
  const validateOnly = version >= 1 ? r.boolean() : false;
  rTags(r, flex);
  return { topics, timeoutMs, validateOnly };
}

/** Encodes a CreateTopics request body. */
export function encodeCreateTopicsRequest(w: Writer, version: number, req: CreateTopicsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.topics, (x, t) => {
    wString(x, flex, t.name);
    x.int32(t.numPartitions).int16(t.replicationFactor);
    wArray(x, flex, t.assignments, (y, a) => {
      y.int32(a.partitionIndex);
      wInt32s(y, flex, a.brokerIds);
      wTags(y, flex);
    });
    wArray(x, flex, t.configs, (y, c) => {
      wString(y, flex, c.name);
      wNullableString(y, flex, c.value);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  w.int32(req.timeoutMs);
  if (version >= 1) w.boolean(req.validateOnly);
  wTags(w, flex);
}

/** Encodes a CreateTopics response body. */
export function encodeCreateTopicsResponse(w: Writer, version: number, res: CreateTopicsResponse): void {
  const flex = flexible(version);
  if (version >= 2) w.int32(res.throttleTimeMs);
  wArray(w, flex, res.topics, (x, t) => {
    wString(x, flex, t.name);
    if (version >= 7) x.uuid(t.topicId);
    x.int16(t.errorCode);
    if (version >= 1) wNullableString(x, flex, t.errorMessage);
    if (version >= 5) {
      x.int32(t.numPartitions).int16(t.replicationFactor);
      wNullableArray(x, flex, t.configs, (y, c) => {
        wString(y, flex, c.name);
        wNullableString(y, flex, c.value);
        y.boolean(c.readOnly).int8(c.configSource).boolean(c.isSensitive);
        wTags(y, flex);
      });
    }
    wTags(x, flex);
  });
  wTags(w, flex);
}

/** Decodes a CreateTopics response body. */
export function decodeCreateTopicsResponse(r: Reader, version: number): CreateTopicsResponse {
  const flex = flexible(version);
  const throttleTimeMs = version >= 2 ? r.int32() : 0;
  const topics = rArray(r, flex, (x): CreatableTopicResult => {
    const name = rString(x, flex);
    const topicId = version >= 7 ? x.uuid() : ZERO_UUID;
    const errorCode = x.int16();
    const errorMessage = version >= 1 ? rNullableString(x, flex) : null;
    let numPartitions = -1;
    let replicationFactor = -1;
    let configs: CreatableTopicConfigResult[] | null = null;
    if (version >= 5) {
      numPartitions = x.int32();
      replicationFactor = x.int16();
      configs = rNullableArray(x, flex, (y): CreatableTopicConfigResult => {
        const c = {
          name: rString(y, flex), value: rNullableString(y, flex),
          readOnly: y.boolean(), configSource: y.int8(), isSensitive: y.boolean(),
        };
        rTags(y, flex);
        return c;
      });
    }
    rTags(x, flex);
    return { name, topicId, errorCode, errorMessage, numPartitions, replicationFactor, configs };
  });
  rTags(r, flex);
  return { throttleTimeMs, topics };
}
