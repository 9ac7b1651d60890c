/**
 * Groups the produces for each partition into one write (ChainNode.appendMany or appendManyAsync, then
 * PartitionLog's: one pwritev, on the event loop or on libuv's thread pool as log-writes.ts decides)
 * instead of one write per request.
 *
 * A produce is queued when its handler reaches the append. A partition with no write in flight gets its
 * group written in a process.nextTick callback, which Node runs once the microtasks started by the socket
 * read that brought the requests have run: still in the same turn, so no produce waits for a timer or
 * for more I/O to be grouped. While a partition's write is in flight, its new produces wait and go out
 * together as the next group when it lands (group commit: the busier the partition, the bigger and
 * fewer its writes). One write in flight per partition keeps offsets in order and is what
 * PartitionLog.appendManyAsync requires. Each produce settles only after its group's write returned,
 * so an acknowledgement means the bytes are in the log (and fsynced first when flush.messages asks),
 * and each request's own refusal (a corrupt batch, a sequence gap) stays its own.
 */
import { KafkaError } from '../protocol/errors.ts';
import { tpKey } from '../topic-partition.ts';
import type { ChainAppend } from '../chain/replica-log.ts';

type Outcomes = (ChainAppend | KafkaError)[];

/** The write a group goes to: one outcome per request, or a throw (rejection) that fails the whole group. */
export type AppendGroup = (topic: string, partition: number, requests: readonly Buffer[]) => Outcomes | Promise<Outcomes>;

interface Group {
  topic: string;
  partition: number;
  requests: Buffer[];
  waiters: { resolve: (r: ChainAppend) => void; reject: (err: unknown) => void }[];
}

export class ProduceGroups {
  private pending = new Map<string, Group>();
  /** Partitions whose group is being written now. */
  private readonly writing = new Set<string>();
  private scheduled = false;
  /** Groups written and requests in them (for tests and the bench: requests / groups is the grouping). */
  readonly stats = { groups: 0, requests: 0 };

  constructor(private readonly appendGroup: AppendGroup) {}

  /** Appends one request's batches with the others waiting for the partition; settles after the write. */
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
      if (!this.writing.has(key)) this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    process.nextTick(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    for (const [key, group] of this.pending) {
      if (this.writing.has(key)) continue;
      this.pending.delete(key);
      this.write(key, group);
    }
  }

  private write(key: string, g: Group): void {
    this.stats.groups++;
    this.stats.requests += g.requests.length;
    let out: Outcomes | Promise<Outcomes>;
    try {
      out = this.appendGroup(g.topic, g.partition, g.requests);
    } catch (err) {
      for (const w of g.waiters) w.reject(err);
      return;
    }
    if (Array.isArray(out)) return settle(g, out);
    this.writing.add(key);
    out.then((results) => settle(g, results), (err: unknown) => {
      for (const w of g.waiters) w.reject(err);
    }).finally(() => {
      this.writing.delete(key);
      if (this.pending.has(key)) this.schedule();
    });
  }
}

function settle(g: Group, results: Outcomes): void {
  g.waiters.forEach((w, i) => {
    const r = results[i]!;
    if (r instanceof KafkaError) w.reject(r);
    else w.resolve(r);
  });
}
