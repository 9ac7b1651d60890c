/**
 * The node's Prometheus metrics (`vonnegut_*`), on their own registry so the embedded library and tests
 * can run several nodes in one process without name clashes.
 */
import client from 'prom-client';

export class NodeMetrics {
  readonly registry = new client.Registry();
  readonly requests: client.Counter<'api' | 'outcome'>;
  readonly requestSeconds: client.Histogram<'api'>;
  readonly connections: client.Gauge;
  readonly partitionLogEnd: client.Gauge<'topic' | 'partition'>;
  readonly partitionHighWatermark: client.Gauge<'topic' | 'partition'>;
  readonly chainMembers: client.Gauge;
  readonly chainRole: client.Gauge<'role'>;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const r = [this.registry];
    this.requests = new client.Counter({ name: 'vonnegut_requests_total', help: 'Kafka requests handled, by API and outcome', labelNames: ['api', 'outcome'], registers: r });
    this.requestSeconds = new client.Histogram({
      name: 'vonnegut_request_duration_seconds',
      help: 'Time from a request frame arriving to its response being ready, by API',
      labelNames: ['api'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: r,
    });
    this.connections = new client.Gauge({ name: 'vonnegut_connections', help: 'Open client connections', registers: r });
    this.partitionLogEnd = new client.Gauge({ name: 'vonnegut_partition_log_end_offset', help: 'Next offset to be written, per partition', labelNames: ['topic', 'partition'], registers: r });
    this.partitionHighWatermark = new client.Gauge({ name: 'vonnegut_partition_high_watermark', help: 'Committed offset (exclusive), per partition', labelNames: ['topic', 'partition'], registers: r });
    this.chainMembers = new client.Gauge({ name: 'vonnegut_chain_members', help: 'Members of this node\'s chain as discovery reports them', registers: r });
    this.chainRole = new client.Gauge({ name: 'vonnegut_chain_role', help: 'This node\'s role in its chain (1 for the current role)', labelNames: ['role'], registers: r });
    if (opts.processMetrics) client.collectDefaultMetrics({ register: this.registry, prefix: 'vonnegut_' });
  }
}
