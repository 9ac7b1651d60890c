/**
 * The node's chain view as `GET /v1/status` returns it and `vonnegut status` prints it. A superset of
 * the sidecar's contract (operator/src/sidecar/node-admin-api.ts NodeStatus).
 */
import type { ChainNode } from '../chain/chain-node.ts';
import type { LogManager } from '../storage/log-manager.ts';
import type { CoordinatorHealth } from '../coordination/failover.ts';

export interface PartitionReport {
  topic: string;
  partition: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export interface StatusReport {
  nodeId: number;
  nodeName: string;
  chain: string | null;
  role: string;
  /** Members in chain order, head first. */
  members: string[];
  replicas: number;
  writable: boolean;
  epoch: number;
  /** A drain was requested (POST /v1/drain): the node reports not ready from then on. */
  draining: boolean;
  /** The drain is complete: the node left its chain's configuration (or, uncoordinated, had none to leave). */
  drained: boolean;
  partitions: PartitionReport[];
  /** With --coordinator: whether the coordination store answers. */
  coordinator?: CoordinatorHealth;
}

/** Every local partition's offsets, the high-water mark as this node knows it. */
export function partitionReports(logs: LogManager, chain: ChainNode): PartitionReport[] {
  return logs.list().flatMap(({ topic, partitions }) =>
    Array.from({ length: partitions }, (_, p) => {
      const log = logs.get(topic, p);
      return { topic, partition: p, logStartOffset: log?.logStartOffset ?? 0, logEndOffset: log?.logEndOffset ?? 0, highWatermark: chain.committedOffset(topic, p) };
    }),
  );
}
