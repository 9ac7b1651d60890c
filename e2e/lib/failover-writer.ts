/**
 * One idempotent acks=-1 producer for crash and failover measurements (fixed producer id, sequences
 * counting up): a batch that fails is retried with the same sequence until acknowledged, so a batch that
 * was stored before its answer was lost comes back with its original offsets rather than twice.
 *
 * With `bootstrap`, a failed attempt asks Metadata (from any node that answers) who leads the partition
 * now and retries there, as a Kafka client follows the leader through a failover; without it, every
 * attempt goes to the one address.
 */
import { KafkaWire } from './kafka-wire.ts';
import { metadata } from './acl-requests.ts';
import { produceTo } from './raw-kafka.ts';
import { waitFor } from './tools.ts';

export interface AckedBatch {
  ids: string[];
  baseOffset: number;
  /** When the acknowledgement arrived. */
  at: number;
  /** When the attempt that was acknowledged was sent. */
  sentAt: number;
  /** The node that acknowledged it. */
  address: string;
}

export interface WriterOptions {
  topic: string;
  producerId: number;
  /** Records per batch. */
  batch?: number;
  /** Where Metadata may be asked for the leader; absent: always `address`. */
  bootstrap?: () => string[];
  /** Per-attempt Produce timeout. */
  timeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The address Metadata names as the partition's leader, asked of the first node in `bootstrap` that answers. */
export async function leaderAddress(bootstrap: string[], topic: string, partition = 0): Promise<string | null> {
  for (const address of bootstrap) {
    const wire = await KafkaWire.connect(address).catch(() => null);
    if (!wire) continue;
    try {
      // Allowing auto-creation, as Kafka clients do: an unknown topic has no leader to name.
      const md = await Promise.race([metadata(wire, [topic], true), sleep(2_000).then(() => null)]);
      const leader = md?.topics.find((t) => t.name === topic)?.partitions.find((p) => p.partitionIndex === partition)?.leaderId;
      const broker = md?.brokers.find((b) => b.nodeId === leader);
      if (broker) return `${broker.host}:${broker.port}`;
    } catch {
      // This node cannot say; ask the next.
    } finally {
      wire.close();
    }
  }
  return null;
}

export class FailoverWriter {
  readonly acked: AckedBatch[] = [];
  failedAttempts = 0;
  readonly batch: number;
  private paused = true;
  private stopped = false;
  private wake: (() => void) | null = null;
  private idle: Promise<void> = Promise.resolve();
  private n = 0;
  private readonly loop: Promise<void>;

  constructor(private address: string, private readonly opts: WriterOptions) {
    this.batch = opts.batch ?? 10;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { topic, producerId } = this.opts;
    for (;;) {
      while (this.paused && !this.stopped) await new Promise<void>((r) => (this.wake = r));
      if (this.stopped) return;
      let release!: () => void;
      this.idle = new Promise((r) => (release = r));
      const n = this.n;
      const ids = Array.from({ length: this.batch }, (_, j) => `p${producerId}-b${n}-r${j}`);
      for (;;) {
        const sentAt = Date.now();
        const address = this.address;
        const res = await produceTo(address, topic, 0, ids, -1, this.opts.timeoutMs ?? 10_000, { producerId, producerEpoch: 0, baseSequence: n * this.batch })
          .catch(() => ({ errorCode: -1, baseOffset: -1 }));
        if (res.errorCode === 0) {
          this.acked.push({ ids, baseOffset: Number(res.baseOffset), at: Date.now(), sentAt, address });
          this.n++;
          break;
        }
        this.failedAttempts++;
        if (this.stopped) break;
        if (this.opts.bootstrap) this.address = (await leaderAddress(this.opts.bootstrap(), topic)) ?? this.address;
        await sleep(25);
      }
      release();
    }
  }

  get ackedRecords(): number {
    return this.acked.length * this.batch;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  /** Stops sending new batches; resolves once the one in flight is acknowledged. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.idle;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Resolves when `more` records beyond now are acknowledged. */
  progress(more: number, timeoutMs = 90_000): Promise<true> {
    const target = this.ackedRecords + more;
    return waitFor(`${more} more acknowledged records`, () => (this.ackedRecords >= target ? true : undefined), timeoutMs, 20);
  }

  /** The first acknowledgement of a batch sent at or after `since` (failover and recovery time end there). */
  firstAckAfter(since: number, timeoutMs = 90_000): Promise<AckedBatch> {
    return waitFor('an acknowledged write after the kill', () => this.acked.find((b) => b.sentAt >= since), timeoutMs, 10);
  }
}
