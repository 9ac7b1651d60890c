/**
 * The node's Prometheus metrics (`vonnegut_*`), on their own registry so the embedded library and tests
 * can run several nodes in one process without name clashes.
 *
 * Hot paths call the methods below once per request or per partition, never per record; their counters
 * are DeferredCounters (a Map add, handed to prom-client at scrape time) and the request histogram a
 * DeferredHistogram (bucket counts folded into Prometheus form at scrape time). Gauges that describe state
 * (offsets, segments, disk, links) are set right before each scrape by the node.
 */
import client from 'prom-client';
import { DeferredCounter } from './deferred-counter.ts';
import { DeferredHistogram } from './deferred-histogram.ts';
import { registerEventLoopDelay } from './event-loop-delay.ts';

/** Request latency buckets (seconds): sub-millisecond local answers up to long-polled fetches. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
/** Commit latency buckets (seconds): a chain on one host commits in about a millisecond; timeouts take seconds. */
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type TP = 'topic' | 'partition';

export class NodeMetrics {
  readonly registry = new client.Registry();
  private readonly requests: DeferredCounter<'api' | 'outcome'>;
  private readonly requestErrors: DeferredCounter<'api' | 'error'>;
  private readonly requestSeconds: DeferredHistogram;
  private readonly topicBytesIn: DeferredCounter<'topic'>;
  private readonly topicRecordsIn: DeferredCounter<'topic'>;
  private readonly topicBytesOut: DeferredCounter<'topic'>;
  private readonly topicRecordsOut: DeferredCounter<'topic'>;
  private readonly recompressedRequests: DeferredCounter<'thread'>;
  private readonly produceCommitSeconds: client.Histogram;
  private readonly retentionChecks: client.Counter;
  private readonly retentionDeletedSegments: client.Counter;
  private readonly cleanerPasses: client.Counter;
  private readonly cleanerSegments: client.Counter;
  readonly connections: client.Gauge;
  readonly inFlightRequestBytes: client.Gauge;
  readonly partitionLogEnd: client.Gauge<TP>;
  readonly partitionHighWatermark: client.Gauge<TP>;
  readonly partitionUncommitted: client.Gauge<TP>;
  readonly logSegments: client.Gauge<TP>;
  readonly logSizeBytes: client.Gauge<TP>;
  readonly diskFreeBytes: client.Gauge;
  readonly diskTotalBytes: client.Gauge;
  readonly openSegmentFiles: client.Gauge;
  readonly chainMembers: client.Gauge;
  readonly chainRole: client.Gauge<'role'>;
  readonly chainWritable: client.Gauge;
  readonly chainReplicasRequired: client.Gauge;
  readonly replicationLagRecords: client.Gauge<'peer'>;
  readonly replicationLinkUp: client.Gauge<'peer'>;
  private readonly loopDelay: { stop(): void } | null = null;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) => new DeferredCounter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) => new client.Gauge<L>({ name, help, labelNames, registers });
    const tp: TP[] = ['topic', 'partition'];

    this.requests = counter('vonnegut_requests_total', 'Kafka requests handled, by API and outcome', ['api', 'outcome']);
    this.requestErrors = counter('vonnegut_request_errors_total', 'Error codes in Kafka responses (one per failed topic or partition), by API and Kafka error name', ['api', 'error']);
    this.requestSeconds = new DeferredHistogram('vonnegut_request_duration_seconds', 'Time from a request frame arriving to its response being ready, by API', 'api', REQUEST_BUCKETS, registers);
    this.connections = gauge('vonnegut_connections', 'Open client connections');
    this.inFlightRequestBytes = gauge('vonnegut_in_flight_request_bytes', 'Bytes of requests being handled and not yet answered');
    this.topicBytesIn = counter('vonnegut_topic_bytes_in_total', 'Record batch bytes appended by Produce on this node, per topic', ['topic']);
    this.topicRecordsIn = counter('vonnegut_topic_records_in_total', 'Records appended by Produce on this node, per topic', ['topic']);
    this.topicBytesOut = counter('vonnegut_topic_bytes_out_total', 'Record batch bytes returned by Fetch, per topic', ['topic']);
    this.topicRecordsOut = counter('vonnegut_topic_records_out_total', 'Records returned by Fetch (whole batches), per topic', ['topic']);
    this.recompressedRequests = counter('vonnegut_recompressed_requests_total', 'Produce requests recompressed for their topic\'s compression.type, by thread (worker, event_loop)', ['thread']);
    this.produceCommitSeconds = new client.Histogram({
      name: 'vonnegut_produce_commit_duration_seconds',
      help: 'acks=-1 produce: time from the append at this node to the high-water mark covering it (the tail\'s acknowledgement)',
      buckets: COMMIT_BUCKETS,
      registers,
    });
    // Once per retention check, off the hot path: plain prom-client counters.
    this.retentionChecks = new client.Counter({ name: 'vonnegut_log_retention_checks_total', help: 'Retention checks run over every log (every --retention-check-interval-ms)', registers });
    this.retentionDeletedSegments = new client.Counter({ name: 'vonnegut_log_retention_deleted_segments_total', help: 'Segments deleted by retention (retention.ms, retention.bytes)', registers });
    this.cleanerPasses = new client.Counter({ name: 'vonnegut_log_cleaner_passes_total', help: 'Log cleaner passes over the compacted topics (every --log-cleaner-backoff-ms)', registers });
    this.cleanerSegments = new client.Counter({ name: 'vonnegut_log_cleaner_rewritten_segments_total', help: 'Segments the log cleaner rewrote (compaction)', registers });
    this.partitionLogEnd = gauge('vonnegut_partition_log_end_offset', 'Next offset to be written, per partition', tp);
    this.partitionHighWatermark = gauge('vonnegut_partition_high_watermark', 'Committed offset (exclusive), per partition', tp);
    this.partitionUncommitted = gauge('vonnegut_partition_uncommitted_records', 'Log end offset minus high-water mark, per partition', tp);
    this.logSegments = gauge('vonnegut_log_segments', 'Segments on disk, per partition', tp);
    this.logSizeBytes = gauge('vonnegut_log_size_bytes', 'Bytes of log segments on disk, per partition', tp);
    this.diskFreeBytes = gauge('vonnegut_disk_free_bytes', 'Bytes available to this node on the data directory\'s filesystem');
    this.diskTotalBytes = gauge('vonnegut_disk_total_bytes', 'Size of the data directory\'s filesystem in bytes');
    this.openSegmentFiles = gauge('vonnegut_open_segment_files', 'Segment file descriptors held open (bounded by --max-open-files)');
    this.chainMembers = gauge('vonnegut_chain_members', 'Members of this node\'s chain as discovery reports them');
    this.chainRole = gauge('vonnegut_chain_role', 'This node\'s role in its chain (1 for the current role)', ['role']);
    this.chainWritable = gauge('vonnegut_chain_writable', '1 when this node is its chain\'s head (or solo) and accepts writes');
    this.chainReplicasRequired = gauge('vonnegut_chain_replicas_required', 'Members the chain needs before it accepts writes (--replicas)');
    this.replicationLagRecords = gauge('vonnegut_replication_lag_records', 'Records appended here that the successor has not acknowledged, summed over partitions', ['peer']);
    this.replicationLinkUp = gauge('vonnegut_replication_link_up', '1 while the replication link to the successor is synced and streaming', ['peer']);
    if (opts.processMetrics) {
      client.collectDefaultMetrics({ register: this.registry, prefix: 'vonnegut_' });
      this.loopDelay = registerEventLoopDelay(this.registry);
    }
  }

  /** Stops the event-loop delay sampling (processMetrics only). */
  close(): void {
    this.loopDelay?.stop();
  }

  /** One Kafka request handled: its API, whether it was answered, and how long it took. */
  request(api: string, outcome: 'ok' | 'closed', seconds: number): void {
    this.requests.add(1, api, outcome);
    this.requestSeconds.observe(api, seconds);
  }

  /** One error code (by Kafka error name) in a response of `api`. */
  requestError(api: string, error: string): void {
    this.requestErrors.add(1, api, error);
  }

  /** A produce's batches recompressed for its topic's compression.type, on a worker or the event loop. */
  recompressed(thread: string): void {
    this.recompressedRequests.add(1, thread);
  }

  /** Batches a produce appended at this node. */
  produced(topic: string, bytes: number, records: number): void {
    this.topicBytesIn.add(bytes, topic);
    this.topicRecordsIn.add(records, topic);
  }

  /** Batches a fetch returned. */
  fetched(topic: string, bytes: number, records: number): void {
    this.topicBytesOut.add(bytes, topic);
    this.topicRecordsOut.add(records, topic);
  }

  /** A retention check ran over every log and deleted `segments`. */
  retentionChecked(segments: number): void {
    this.retentionChecks.inc();
    this.retentionDeletedSegments.inc(segments);
  }

  /** A log cleaner pass ended, having rewritten `segments`. */
  cleanerPassed(segments: number): void {
    this.cleanerPasses.inc();
    this.cleanerSegments.inc(segments);
  }

  /** An acks=-1 produce committed `seconds` after its append. */
  committed(seconds: number): void {
    this.produceCommitSeconds.observe(seconds);
  }
}
