/**
 * Groups the produces one turn of the event loop brings for each partition, so the head appends them
 * with one write (ChainNode.appendMany, then PartitionLog.appendMany: one writev) instead of one
 * synchronous write per request.
 *
 * A produce is queued when its handler reaches the append; the groups are appended in a process.nextTick
 * callback, which Node runs once the microtasks started by the socket read that brought the requests
 * have run: still in the same turn, so no produce waits for a timer or for more I/O to be grouped.
 * Each produce settles only after its group's write returned, so an acknowledgement means exactly what
 * it did with one write per request (the bytes are in the log, and fsynced first when flush.messages
 * asks), and each request's own refusal (a corrupt batch, a sequence gap) stays its own.
 */
import { KafkaError } from '../protocol/errors.ts';
import { tpKey } from '../topic-partition.ts';
import type { ChainAppend } from '../chain/chain-node.ts';

/** The write a group goes to: one outcome per request, or a throw that fails the whole group. */
export type AppendGroup = (topic: string, partition: number, requests: readonly Buffer[]) => (ChainAppend | KafkaError)[];

interface Group {
  topic: string;
  partition: number;
  requests: Buffer[];
  waiters: { resolve: (r: ChainAppend) => void; reject: (err: unknown) => void }[];
}

export class ProduceGroups {
  private pending = new Map<string, Group>();
  private scheduled = false;
  /** Groups written and requests in them (for tests and the bench: requests / groups is the grouping). */
  readonly stats = { groups: 0, requests: 0 };

  constructor(private readonly appendGroup: AppendGroup) {}

  /** Appends one request's batches with the others of this turn for the partition; settles after the write. */
  append(topic: string, partition: number, batches: Buffer): Promise<ChainAppend> {
    return new Promise((resolve, reject) => {
      const key = tpKey(topic, partition);
      let group = this.pending.get(key);
      if (!group) {
        group = { topic, partition, requests: [], waiters: [] };
        this.pending.set(key, group);
      }
      group.requests.push(batches);
      group.waiters.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        process.nextTick(() => this.drain());
      }
    });
  }

  private drain(): void {
    this.scheduled = false;
    const groups = this.pending;
    this.pending = new Map();
    for (const g of groups.values()) {
      this.stats.groups++;
      this.stats.requests += g.requests.length;
      let results: (ChainAppend | KafkaError)[];
      try {
        results = this.appendGroup(g.topic, g.partition, g.requests);
      } catch (err) {
        for (const w of g.waiters) w.reject(err);
        continue;
      }
      g.waiters.forEach((w, i) => {
        const r = results[i]!;
        if (r instanceof KafkaError) w.reject(r);
        else w.resolve(r);
      });
    }
  }
}
