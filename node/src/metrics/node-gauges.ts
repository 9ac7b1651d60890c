/**
 * Sets the node's state gauges right before a scrape: chain view, per-partition offsets and disk use,
 * the replication link, the filesystem under the data directory. Storage and chain expose plain numbers;
 * only this module turns them into Prometheus series.
 */
import fs from 'node:fs';
import type { ChainNode } from '../chain/chain-node.ts';
import type { LogManager } from '../storage/log-manager.ts';
import type { NodeMetrics } from './node-metrics.ts';

export interface GaugeSource {
  chain: ChainNode;
  logs: LogManager;
  dataDir: string;
  replicas: number;
  connections(): number;
}

/** Refreshes every gauge from the node's current state. */
export function refreshNodeGauges(m: NodeMetrics, src: GaugeSource): void {
  const { chain, logs } = src;
  const view = chain.view;
  m.connections.set(src.connections());
  m.chainMembers.set(view.members.length);
  m.chainRole.reset();
  m.chainRole.set({ role: view.role }, 1);
  m.chainWritable.set(chain.writable().ok ? 1 : 0);
  m.chainReplicasRequired.set(src.replicas);

  // Reset first so deleted topics and a former successor do not linger as stale series.
  for (const g of [m.partitionLogEnd, m.partitionHighWatermark, m.partitionUncommitted, m.logSegments, m.logSizeBytes]) g.reset();
  for (const { topic, partitions } of logs.list()) {
    for (let p = 0; p < partitions; p++) {
      const log = logs.get(topic, p);
      if (!log) continue;
      const labels = { topic, partition: String(p) };
      const hwm = chain.committedOffset(topic, p);
      m.partitionLogEnd.set(labels, log.logEndOffset);
      m.partitionHighWatermark.set(labels, hwm);
      m.partitionUncommitted.set(labels, Math.max(0, log.logEndOffset - hwm));
      m.logSegments.set(labels, log.segmentCount);
      m.logSizeBytes.set(labels, log.size);
    }
  }

  m.openSegmentFiles.set(logs.files.openCount);

  m.replicationLagRecords.reset();
  m.replicationLinkUp.reset();
  const link = chain.replicationLink();
  if (link) {
    m.replicationLagRecords.set({ peer: link.peer }, link.lagRecords);
    m.replicationLinkUp.set({ peer: link.peer }, link.up ? 1 : 0);
  }

  try {
    const st = fs.statfsSync(src.dataDir);
    m.diskFreeBytes.set(st.bavail * st.bsize);
    m.diskTotalBytes.set(st.blocks * st.bsize);
  } catch {
    // A data directory that vanished shows in /readyz; the gauges keep their last values.
  }
}
