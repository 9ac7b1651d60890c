// The node's metric names the chart's dashboard and alerts may use: the names agreed for issue 8
// between the chart and the node's metrics (node/src/metrics), plus whatever the node registers today.
import { NodeMetrics } from '../../../node/src/metrics/node-metrics.ts';

/** Agreed `vonnegut_*` metric families (histograms by family name). */
export const AGREED_METRICS: readonly string[] = [
  'vonnegut_requests_total', 'vonnegut_request_duration_seconds', 'vonnegut_connections',
  'vonnegut_partition_log_end_offset', 'vonnegut_partition_high_watermark', 'vonnegut_chain_members', 'vonnegut_chain_role',
  'vonnegut_request_errors_total', 'vonnegut_topic_bytes_in_total', 'vonnegut_topic_records_in_total',
  'vonnegut_topic_bytes_out_total', 'vonnegut_topic_records_out_total', 'vonnegut_produce_commit_duration_seconds',
  'vonnegut_partition_uncommitted_records', 'vonnegut_replication_lag_records', 'vonnegut_replication_link_up',
  'vonnegut_chain_writable', 'vonnegut_chain_replicas_required', 'vonnegut_log_segments', 'vonnegut_log_size_bytes',
  'vonnegut_disk_free_bytes', 'vonnegut_disk_total_bytes', 'vonnegut_in_flight_request_bytes',
];

/** Agreed histogram families; their `_bucket`, `_sum` and `_count` series belong to them. */
export const AGREED_HISTOGRAMS: ReadonlySet<string> = new Set(['vonnegut_request_duration_seconds', 'vonnegut_produce_commit_duration_seconds']);

export interface ExportedMetric { name: string; type: string }

/** Families the node registers now, with process metrics on (prom-client's defaults, prefixed vonnegut_). */
export async function exportedByNode(): Promise<ExportedMetric[]> {
  const metrics = new NodeMetrics({ processMetrics: true });
  const out = (await metrics.registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: String(m.type) }));
  metrics.registry.clear();
  return out;
}

