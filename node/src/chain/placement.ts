/**
 * Which chain owns which topic. The map lives in an internal topic, `__vonnegut_placement`, on the first
 * chain of the cluster, so it is as durable and replicated as any data there: one record per change,
 * key = topic name, value = `{"chain": name, "partitions": n, "configs": {...}, "topicId": "<uuid>"}`, a null value (tombstone)
 * when deleted. `configs` holds the topic's config overrides under Kafka's names (absent = none), so every
 * node can answer DescribeConfigs; a later record for the same topic replaces the earlier one (AlterConfigs,
 * CreatePartitions). `topicId` is the topic's id (KIP-516, Kafka's base64url text), chosen by the controller
 * when it places the topic; the owning chain's head creates its log with it. Placements written before ids
 * existed have none: every node then uses the id derived from the topic's name, as the owner's logs do.
 * Every node rebuilds the map by reading that topic from the start and follows it for changes.
 * The topic is the cluster's metadata log: it also holds the ACLs made through the admin APIs, under
 * keys that contain `:` (security/acl-bindings.ts), which no topic name can; `apply` hands those on.
 *
 * Placement is decided once, by the head of the first chain (the cluster's controller): a new topic goes
 * to the chain with the fewest partitions (ties: earlier in cluster order), so a newly added chain takes
 * new topics first and no existing topic ever moves.
 */
import { decodeRecordBatches, encodeRecordBatch } from '../protocol/record-batch.ts';

export const PLACEMENT_TOPIC = '__vonnegut_placement';

export interface Placement {
  chain: string;
  partitions: number;
  /** The topic's config overrides (storage/topic-config.ts); absent when it has none. */
  configs?: Record<string, string>;
  /** The topic's id in Kafka's text form (protocol/uuid.ts); absent in placements older than ids. */
  topicId?: string;
}

export class PlacementMap {
  private readonly topics = new Map<string, Placement>();
  /** Next offset of the placement topic to apply. */
  nextOffset = 0;

  get(topic: string): Placement | undefined {
    return this.topics.get(topic);
  }

  entries(): [string, Placement][] {
    return [...this.topics];
  }

  /** Partitions per chain, for choosing where a new topic goes. */
  load(chains: readonly string[]): Map<string, number> {
    const load = new Map(chains.map((c) => [c, 0]));
    for (const p of this.topics.values()) load.set(p.chain, (load.get(p.chain) ?? 0) + p.partitions);
    return load;
  }

  /** Applies whole batches read from the placement topic; returns the topics that changed. Keys with `:` go to `other`. */
  apply(batches: Buffer, other: (key: string, value: Buffer | null) => void = () => {}): string[] {
    const changed: string[] = [];
    for (const batch of decodeRecordBatches(batches)) {
      for (const r of batch.records) {
        if (r.offset < this.nextOffset) continue;
        this.nextOffset = r.offset + 1;
        const topic = r.key?.toString();
        if (!topic) continue;
        if (topic.includes(':')) {
          other(topic, r.value);
          continue;
        }
        if (r.value === null) this.topics.delete(topic);
        else this.topics.set(topic, JSON.parse(r.value.toString()) as Placement);
        changed.push(topic);
      }
    }
    return changed;
  }
}

/** The chain a new topic goes to: the least loaded, earlier chains first on ties. */
export function chooseChain(chains: readonly string[], load: ReadonlyMap<string, number>): string {
  let best = chains[0]!;
  for (const c of chains) if ((load.get(c) ?? 0) < (load.get(best) ?? 0)) best = c;
  return best;
}

/** The record batch that places (or, with null, removes) a topic. */
export function placementRecord(topic: string, placement: Placement | null): Buffer {
  return encodeRecordBatch({ records: [{ key: topic, value: placement ? JSON.stringify(placement) : null }] });
}
