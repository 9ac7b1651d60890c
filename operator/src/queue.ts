// A de-duplicating work queue in the shape of client-go's: a key is queued at most once, processed by
// at most one worker at a time, and a key added while it is being processed runs once more afterwards.
// Failures requeue the key with exponential backoff; success forgets its failure count.
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';

export type Outcome =
  | { kind: 'done' }
  | { kind: 'retry'; error: Error }
  | { kind: 'requeueAfter'; ms: number };

export type Handler = (key: string) => Promise<Outcome>;

export interface QueueOptions {
  workers: number;
  backoff: BackoffPolicy;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while processing: requeued when their reconcile ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly idleWaiters: (() => void)[] = [];
  private running = 0;
  private stopped = false;
  private readonly opts: QueueOptions;

  constructor(private readonly handler: Handler, opts: Partial<QueueOptions> = {}) {
    this.opts = { workers: 2, backoff: DEFAULT_BACKOFF, ...opts };
  }

  /** Queues a key now, unless it is already queued; a key being processed runs again afterwards. */
  add(key: string): void {
    if (this.stopped) return;
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /** Queues a key after a delay; an earlier add() wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Failures recorded for a key since its last success. */
  failureCount(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  get length(): number {
    return this.queue.length;
  }

  /** Resolves when nothing is queued, processing or waiting on a timer. */
  async idle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking keys, cancels timers, waits for in-flight handlers. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
    this.dirty.clear();
    if (this.running > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.timers.size === 0;
  }

  private pump(): void {
    while (!this.stopped && this.running < this.opts.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      void this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.handler(key);
    } catch (err) {
      outcome = { kind: 'retry', error: err instanceof Error ? err : new Error(String(err)) };
    }
    this.processing.delete(key);
    this.running--;
    if (outcome.kind === 'retry') {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      if (!this.dirty.delete(key)) this.addAfter(key, backoffDelay(this.opts.backoff, n));
      else this.add(key);
    } else {
      this.failures.delete(key);
      if (this.dirty.delete(key)) this.add(key);
      else if (outcome.kind === 'requeueAfter') this.addAfter(key, outcome.ms);
    }
    this.pump();
    if (this.isIdle() || (this.stopped && this.running === 0)) {
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
