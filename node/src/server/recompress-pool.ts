/**
 * Recompression (a topic's `compression.type`, protocol/recompress.ts) on worker threads. Recompressing is
 * the one per-byte job on the produce path that costs far more than the bytes' trip through the node
 * (zstd or gzip: tens of ms per MiB against a few for everything else), and each request's batches are
 * independent, so it parallelizes: with N threads a node recompresses N requests at once while the event
 * loop goes on serving. With 0 threads it runs inline on the loop, as before.
 *
 * Order: a partition's requests must reach its log in the order they arrived (idempotent sequences,
 * Kafka's per-partition order), whichever worker finishes first. `inOrder` lets each request's next step
 * (the checks and the append, which enqueues synchronously) run only after the previous request's for
 * the same partition has.
 *
 * Workers start on the first recompression and keep the process alive only while they owe answers. A
 * worker that dies has its jobs redone inline and is replaced by the next job, so a produce never fails
 * for the pool's sake.
 */
import { Worker } from 'node:worker_threads';
import os from 'node:os';
import { recompressBatches } from '../protocol/recompress.ts';
import { DecodeError, KafkaError } from '../protocol/errors.ts';
import type { CompressionCode } from '../protocol/compression.ts';
import type { ErrorCodeName } from '../protocol/error-codes.ts';
import type { RecompressJob, RecompressReply } from './recompress-messages.ts';

/** Where a request was recompressed (a metric label). */
export type RecompressThread = 'worker' | 'event_loop';

export interface PoolHooks {
  /** Workers cannot start (said once): recompression stays on the event loop. */
  broken?: (why: string) => void;
  /** A request's batches were recompressed (refusals are not counted). */
  done?: (thread: RecompressThread) => void;
}

/** Default threads: one per core beyond the event loop's, at least one, at most four. */
export function defaultRecompressThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

interface Pending {
  input: Buffer;
  codec: CompressionCode;
  resolve: (b: Buffer) => void;
  reject: (err: unknown) => void;
}

/**
 * The worker's entry: the node runs its TypeScript through tsx, whose loader hooks a worker does not
 * inherit on Node 20, so the worker registers them before importing its module.
 */
function bootstrap(module: URL): string {
  return `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`;
}

const WORKER_MODULE = new URL('./recompress-worker.ts', import.meta.url);

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;

  /** Set once the worker loaded its modules; a worker that exits before that cannot start at all. */
  ready = false;
  /** Why it failed, if it did. */
  failure = '';

  /** Stopped by the pool (not a failure). */
  terminated = false;

  constructor(module: URL, private readonly onExit: (w: PoolWorker) => void, private readonly onAnswer: () => void) {
    this.worker = new Worker(bootstrap(module), { eval: true });
    this.worker.unref();
    this.worker.on('message', (m: RecompressReply | { ready: true }) => {
      if (!('id' in m)) {
        this.ready = true;
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('same' in m) p.resolve(p.input);
      else if ('batches' in m) p.resolve(Buffer.from(m.batches));
      else return p.reject(rebuild(m.error));
      this.onAnswer();
    });
    // 'exit' follows; its jobs are redone inline there.
    this.worker.on('error', (err) => (this.failure = err.message));
    this.worker.on('exit', () => this.onExit(this));
  }

  run(id: number, job: Pending): void {
    // Referenced while it owes answers: an idle worker never keeps the process alive, a busy one must.
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(id, job);
    // The request's bytes are a view into a socket buffer that other requests share: send a copy.
    const copy = new Uint8Array(job.input).buffer;
    this.worker.postMessage({ id, batches: copy, codec: job.codec } satisfies RecompressJob, [copy]);
  }

  terminate(): Promise<number> {
    this.terminated = true;
    return this.worker.terminate();
  }
}

function rebuild(e: { kind: string; codeName: string | undefined; message: string }): Error {
  if (e.kind === 'kafka' && e.codeName) return new KafkaError(e.codeName as ErrorCodeName, e.message);
  if (e.kind === 'decode') return new DecodeError(e.message);
  return new Error(e.message);
}

export class RecompressPool {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  private readonly tails = new Map<string, Promise<void>>();
  /** Set when a worker could not start: recompression stays inline from then on. */
  broken: string | null = null;

  /**
   * `threads` 0: recompress inline on the caller's thread. `hooks.broken` hears why workers cannot start,
   * `hooks.done` where each request was recompressed; `module` is the workers' module (tests point it elsewhere).
   */
  constructor(readonly threads: number, private readonly hooks: PoolHooks = {}, private readonly module = WORKER_MODULE) {
    if (!(Number.isInteger(threads) && threads >= 0 && threads <= 64)) throw new Error(`compression threads ${threads} must be an integer from 0 to 64`);
  }

  /** `batches` with every data batch in `codec` (recompress.ts), computed on a worker thread. */
  recompress(batches: Buffer, codec: CompressionCode): Promise<Buffer> {
    if (this.threads === 0 || this.broken !== null) {
      try {
        return Promise.resolve(this.inline(batches, codec));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise((resolve, reject) => this.leastBusy().run(this.nextId++, { input: batches, codec, resolve, reject }));
  }

  private inline(batches: Buffer, codec: CompressionCode): Buffer {
    const out = recompressBatches(batches, codec);
    this.hooks.done?.('event_loop');
    return out;
  }

  /** No request of any partition is waiting for its turn: nothing new needs to queue. */
  get idle(): boolean {
    return this.tails.size === 0;
  }

  /**
   * Runs `next(stored)` once `stored` is ready and every earlier `inOrder` call for `key` has run its
   * `next`; `next` must do its ordered work before its first await (the append enqueues synchronously).
   */
  inOrder<T>(key: string, stored: Promise<Buffer>, next: (stored: Buffer) => Promise<T>): Promise<T> {
    const prev = this.tails.get(key);
    let release!: () => void;
    const tail = new Promise<void>((r) => (release = r));
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return (async () => {
      try {
        if (prev) await prev;
        const ready = await stored;
        return next(ready);
      } finally {
        release();
      }
    })();
  }

  /** Stops every worker (their unanswered jobs are finished inline). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private leastBusy(): PoolWorker {
    if (this.workers.length < this.threads) {
      const w = new PoolWorker(this.module, (dead) => this.replace(dead), () => this.hooks.done?.('worker'));
      this.workers.push(w);
      return w;
    }
    return this.workers.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  /** A worker exited (crashed, or closed): its jobs are redone inline, a later job starts a new one. */
  private replace(dead: PoolWorker): void {
    const i = this.workers.indexOf(dead);
    if (i >= 0) this.workers.splice(i, 1);
    if (!dead.ready && !dead.terminated && this.broken === null) {
      // Never started: another would fail the same way, so stop trying rather than spin.
      this.broken = `a recompression worker could not start: ${dead.failure || 'it exited'}`;
      this.hooks.broken?.(this.broken);
    }
    for (const job of dead.pending.values()) {
      try {
        job.resolve(this.inline(job.input, job.codec));
      } catch (err) {
        job.reject(err);
      }
    }
    dead.pending.clear();
  }
}
