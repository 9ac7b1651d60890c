/**
 * The client's picture of the cluster, learned from Metadata: for every topic-partition, where to
 * write (the leader, which vonnegut names as the head of the owning chain) and where to read (the
 * chain's tail). Metadata lists a partition's replicas in chain order, head first, so the tail is the
 * LAST replica. Nothing here assumes a single chain: brokers are whatever Metadata lists, and each
 * partition routes by its own replica list.
 *
 * `viewFromMetadata` is pure. `ClusterView` holds the current snapshot and refreshes it, one refresh at
 * a time: callers that find the view stale while a refresh runs wait for that one.
 */
import type { MetadataResponse } from '../protocol/apis/metadata.ts';
import { ErrorCode } from '../protocol/error-codes.ts';

export interface PartitionRoute {
  partition: number;
  errorCode: number;
  leaderId: number;
  /** `host:port` of the leader (chain head); undefined when Metadata names no live leader. */
  leader: string | undefined;
  /** `host:port` of the chain's tail, where the native client reads; the leader when there are no replicas. */
  tail: string | undefined;
  /** Broker ids in chain order, head first. */
  replicas: number[];
}

export interface TopicRoute {
  name: string;
  errorCode: number;
  isInternal: boolean;
  partitions: PartitionRoute[];
}

export interface ClusterSnapshot {
  /** Broker id -> `host:port`. */
  brokers: Map<number, string>;
  /** `host:port` of the controller (CreateTopics/DeleteTopics go there); undefined when unknown. */
  controller: string | undefined;
  topics: Map<string, TopicRoute>;
}

/** An empty view: nothing known yet. */
export function emptySnapshot(): ClusterSnapshot {
  return { brokers: new Map(), controller: undefined, topics: new Map() };
}

/** Builds routes from a Metadata response. */
export function viewFromMetadata(md: MetadataResponse): ClusterSnapshot {
  const brokers = new Map(md.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]));
  const topics = new Map<string, TopicRoute>();
  for (const t of md.topics) {
    if (t.name === null) continue;
    const partitions = t.partitions
      .map((p): PartitionRoute => {
        const leader = p.leaderId >= 0 ? brokers.get(p.leaderId) : undefined;
        const tailId = p.replicaNodes.length > 0 ? p.replicaNodes[p.replicaNodes.length - 1]! : p.leaderId;
        return {
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leaderId: p.leaderId,
          leader,
          // A tail Metadata does not list as a broker cannot be reached: reading committed data at the
          // head is still correct, so fall back to it.
          tail: brokers.get(tailId) ?? leader,
          replicas: p.replicaNodes,
        };
      })
      .sort((a, b) => a.partition - b.partition);
    topics.set(t.name, { name: t.name, errorCode: t.errorCode, isInternal: t.isInternal, partitions });
  }
  return { brokers, controller: brokers.get(md.controllerId), topics };
}

/** Merges the answer for some topics into a snapshot: brokers and controller are replaced, other topics kept. */
export function mergeSnapshot(base: ClusterSnapshot, update: ClusterSnapshot): ClusterSnapshot {
  const topics = new Map(base.topics);
  for (const [name, t] of update.topics) {
    if (t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code) topics.delete(name);
    else topics.set(name, t);
  }
  return { brokers: update.brokers, controller: update.controller ?? base.controller, topics };
}

/** Asks one broker (`host:port`) for Metadata: all topics (null) or some, optionally auto-creating them. */
export type MetadataAsker = (address: string, topics: string[] | null, autoCreate: boolean) => Promise<MetadataResponse>;

export class ClusterView {
  private snapshot: ClusterSnapshot = emptySnapshot();
  private inflight: Promise<ClusterSnapshot> | null = null;
  private next = 0;

  constructor(
    private readonly ask: MetadataAsker,
    /** Bootstrap addresses, asked again whenever none of the known brokers answers. */
    private readonly bootstrap: () => Promise<string[]>,
  ) {}

  /** The current snapshot (possibly empty before the first refresh). */
  get current(): ClusterSnapshot {
    return this.snapshot;
  }

  /** The route of one partition, or undefined when the view does not know it. */
  route(topic: string, partition: number): PartitionRoute | undefined {
    return this.snapshot.topics.get(topic)?.partitions.find((p) => p.partition === partition);
  }

  /** Re-reads Metadata for every topic; concurrent callers share one request. */
  refresh(): Promise<ClusterSnapshot> {
    this.inflight ??= this.askAny(null, false)
      .then((md) => (this.snapshot = viewFromMetadata(md)))
      .finally(() => (this.inflight = null));
    return this.inflight;
  }

  /** Re-reads Metadata for some topics (auto-creating them if asked), merged into the view. */
  async refreshTopics(topics: string[], autoCreate: boolean): Promise<ClusterSnapshot> {
    const md = await this.askAny(topics, autoCreate);
    this.snapshot = mergeSnapshot(this.snapshot, viewFromMetadata(md));
    return this.snapshot;
  }

  /** Tries the known brokers (rotating the start, to spread load), then the bootstrap addresses. */
  private async askAny(topics: string[] | null, autoCreate: boolean): Promise<MetadataResponse> {
    const known = [...this.snapshot.brokers.values()];
    const start = this.next++ % Math.max(1, known.length);
    const candidates = [...known.slice(start), ...known.slice(0, start)];
    let lastError: unknown;
    for (const address of candidates) {
      try {
        return await this.ask(address, topics, autoCreate);
      } catch (err) {
        lastError = err;
      }
    }
    for (const address of await this.bootstrap()) {
      if (candidates.includes(address)) continue;
      try {
        return await this.ask(address, topics, autoCreate);
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError ?? new Error('no broker answered Metadata');
  }
}
