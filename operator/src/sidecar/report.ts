// What the sidecar writes into its pod's `vonnegut.io/status` annotation and the operator reads back.
import type { NodeRole, PartitionStatus } from './node-admin-api.ts';

/** Annotations share a 256 KiB budget per object; partitions beyond this are counted, not listed. */
export const MAX_REPORTED_PARTITIONS = 100;

export interface SidecarReport {
  nodeName: string;
  chain: string;
  role?: NodeRole;
  members: string[];
  writable: boolean;
  draining: boolean;
  /** Drain finished: the node holds nothing its chain still needs from it. */
  drained: boolean;
  /** Hash (apply.ts objectHash) of the live settings the node last accepted through PUT /v1/config. */
  settings?: string;
  /** Distinct topics with at least one partition on this node. */
  topics: number;
  partitions: PartitionStatus[];
  /** The node's admin API could not be reached; the other fields are from the last success. */
  error?: string;
  updatedAt: string;
}

/** Parses an annotation value; anything malformed is treated as no report. */
export function parseReport(value: string | undefined): SidecarReport | undefined {
  if (!value) return undefined;
  try {
    const r = JSON.parse(value) as Partial<SidecarReport>;
    if (typeof r.nodeName !== 'string' || typeof r.chain !== 'string' || !Array.isArray(r.partitions)) return undefined;
    return {
      nodeName: r.nodeName,
      chain: r.chain,
      role: r.role,
      members: Array.isArray(r.members) ? r.members.filter((m): m is string => typeof m === 'string') : [],
      writable: r.writable === true,
      draining: r.draining === true,
      drained: r.drained === true,
      ...(typeof r.settings === 'string' ? { settings: r.settings } : {}),
      topics: typeof r.topics === 'number' ? r.topics : new Set(r.partitions.map((p) => p.topic)).size,
      partitions: r.partitions,
      error: r.error,
      updatedAt: typeof r.updatedAt === 'string' ? r.updatedAt : '',
    };
  } catch {
    return undefined;
  }
}
