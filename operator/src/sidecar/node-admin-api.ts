// The node's local admin API (admin port, 127.0.0.1 inside the pod), as the sidecar uses it.
// The node implements these routes; it imports these types so both sides compile against one contract.
//
//   GET  /v1/status  -> 200 NodeStatus
//   PUT  /v1/config  <- NodeConfigUpdate (JSON)  -> 204
//   POST /v1/drain   -> 202; afterwards GET /v1/status has draining: true, and drained: true once the
//                       node has left its chain's configuration (at once when it has none)

export type NodeRole = 'solo' | 'head' | 'middle' | 'tail';

export interface PartitionStatus {
  topic: string;
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export interface NodeStatus {
  nodeId: number;
  nodeName: string;
  chain: string;
  role: NodeRole;
  /** Chain members in order, head first. */
  members: string[];
  /** True when the chain has all its replicas and accepts writes. */
  writable: boolean;
  /** True once POST /v1/drain was requested. */
  draining?: boolean;
  /** True once that drain is complete: the node is out of its chain's configuration. */
  drained?: boolean;
  partitions: PartitionStatus[];
}

/** Settings the node can change without restarting; absent fields are left as they are. */
export interface NodeConfigUpdate {
  segmentBytes?: number;
  retentionBytes?: number;
  retentionMs?: number;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
}

export const ADMIN_PATHS = {
  status: '/v1/status',
  config: '/v1/config',
  drain: '/v1/drain',
} as const;
