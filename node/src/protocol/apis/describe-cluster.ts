/**
 * DescribeCluster (key 60), versions 0-1 (flexible from v0).
 *
 *   Request v0    => include_cluster_authorized_operations:bool
 *   Request v1    => v0 endpoint_type:int8                 (1 = brokers)
 *
 *   Response v0   => throttle_time_ms:int32 error_code:int16 error_message:nullable_string cluster_id:string
 *                    controller_id:int32 [broker: broker_id:int32 host:string port:int32 rack:nullable_string]
 *                    cluster_authorized_operations:int32
 *   Response v1   => endpoint_type:int8 after error_message
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rNullableString, rString, rTags, wArray, wNullableString, wString, wTags } from './fields.ts';

export const ENDPOINT_TYPE_BROKERS = 1;

export interface DescribeClusterRequest {
  includeClusterAuthorizedOperations: boolean;
  /** v1+. */
  endpointType: number;
}

export interface DescribeClusterBroker {
  brokerId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface DescribeClusterResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  /** v1+. */
  endpointType: number;
  clusterId: string;
  controllerId: number;
  brokers: DescribeClusterBroker[];
  clusterAuthorizedOperations: number;
}

const FLEX = true;

export function decodeDescribeClusterRequest(r: Reader, version: number): DescribeClusterRequest {
  const includeClusterAuthorizedOperations = r.boolean();
  const endpointType = version >= 1 ? r.int8() : ENDPOINT_TYPE_BROKERS;
  rTags(r, FLEX);
  return { includeClusterAuthorizedOperations, endpointType };
}

export function encodeDescribeClusterRequest(w: Writer, version: number, req: DescribeClusterRequest): void {
  w.boolean(req.includeClusterAuthorizedOperations);
  if (version >= 1) w.int8(req.endpointType);
  wTags(w, FLEX);
}

export function encodeDescribeClusterResponse(w: Writer, version: number, res: DescribeClusterResponse): void {
  w.int32(res.throttleTimeMs).int16(res.errorCode);
  wNullableString(w, FLEX, res.errorMessage);
  if (version >= 1) w.int8(res.endpointType);
  wString(w, FLEX, res.clusterId);
  w.int32(res.controllerId);
  wArray(w, FLEX, res.brokers, (x, b) => {
    x.int32(b.brokerId);
    wString(x, FLEX, b.host);
    x.int32(b.port);
    wNullableString(x, FLEX, b.rack);
    wTags(x, FLEX);
  });
  w.int32(res.clusterAuthorizedOperations);
  wTags(w, FLEX);
}

export function decodeDescribeClusterResponse(r: Reader, version: number): DescribeClusterResponse {
  const throttleTimeMs = r.int32();
  const errorCode = r.int16();
  const errorMessage = rNullableString(r, FLEX);
  const endpointType = version >= 1 ? r.int8() : ENDPOINT_TYPE_BROKERS;
  const clusterId = rString(r, FLEX);
  const controllerId = r.int32();
  const brokers = rArray(r, FLEX, (x): DescribeClusterBroker => {
    const brokerId = x.int32();
    const host = rString(x, FLEX);
    const port = x.int32();
    const rack = rNullableString(x, FLEX);
    rTags(x, FLEX);
    return { brokerId, host, port, rack };
  });
  const clusterAuthorizedOperations = r.int32();
  rTags(r, FLEX);
  return { throttleTimeMs, errorCode, errorMessage, endpointType, clusterId, controllerId, brokers, clusterAuthorizedOperations };
}
