/**
 * The transaction coordinator (KIP-98) of one node, active where the group coordinator is: at the head
 * of the chain holding the internal topics. It owns each transactional id's producer id, epoch and
 * state (txn-store.ts, persisted in `__transaction_state`), and ends transactions by writing a commit
 * or abort marker into every partition the transaction touched.
 *
 * Ending a transaction is three durable steps: PrepareCommit/PrepareAbort is logged, the markers are
 * written (each acknowledged by its chain's tail; partitions on other chains through WriteTxnMarkers to
 * their heads, see server/txn-host.ts), CompleteCommit/CompleteAbort is logged. EndTxn is
 * answered after the last step. A coordinator that dies in between leaves the Prepare state in the log;
 * whoever loads it next writes the markers again (a repeated marker changes nothing) and completes.
 *
 * Fencing: InitProducerId bumps the epoch (aborting an open transaction first, its markers carrying
 * the bumped epoch so the partitions fence the old one too); every other request must carry the
 * current epoch or gets PRODUCER_FENCED (handlers downgrade it to INVALID_PRODUCER_EPOCH for old
 * versions). A transaction open longer than its timeout is aborted the same way.
 *
 * Requests for one transactional id run one at a time (a promise chain per id): each reads the state,
 * awaits appends, and writes the next state, and must not interleave with another.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import type { DecodedBatch } from '../protocol/record-batch.ts';
import type { Logger } from '../logging.ts';
import { TxnStatus, type TxnMetadata, type TxnStatusId } from './txn-records.ts';
import { TxnStore } from './txn-store.ts';
import { HeadActivation } from '../groups/head-activation.ts';

/** Kafka's transaction.max.timeout.ms default: longer timeouts are INVALID_TRANSACTION_TIMEOUT. */
export const MAX_TRANSACTION_TIMEOUT_MS = 900_000;
/** How often expired transactions are looked for and unfinished ones retried (Kafka's 10 s, shorter here). */
export const DEFAULT_TXN_CHECK_MS = 1000;
/** The last epoch a producer id is used with; the next InitProducerId hands out a new id (Kafka's Short.MaxValue - 1). */
const LAST_EPOCH = 32766;

/** What the coordinator needs from the node it runs in (server/txn-host.ts). */
export interface TxnHost {
  /** Whether this node coordinates transactions now and may write. */
  isCoordinator(): boolean;
  /** Creates the state topic when it does not exist yet. */
  ensureStateTopic(): Promise<void>;
  /** The committed batches of the state topic, in order. */
  readState(): Iterable<DecodedBatch>;
  /** Appends to the state topic and waits for the chain to commit; a Kafka error code. */
  appendState(batch: Buffer): Promise<number>;
  /**
   * Writes a marker into a partition, on this node's chain or any other, and waits for that chain to
   * commit it; 0 also when the partition is gone. Retried until it answers 0, so it must be idempotent.
   */
  writeMarker(topic: string, partition: number, marker: TxnMarker): Promise<number>;
  /** The epoch markers carry (the chain's configuration epoch). */
  coordinatorEpoch(): number;
  /** A producer id never handed out before. */
  nextProducerId(): number;
  /** A marker reached a consumer offsets partition: the transaction's offsets become visible or vanish. */
  offsetsDecided(topic: string, producerId: number, commit: boolean): void;
}

/** A commit or abort marker, as it goes into each partition of a transaction. */
export interface TxnMarker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** InitProducerId's answer. */
export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

const PREPARED: readonly TxnStatusId[] = [TxnStatus.PrepareCommit, TxnStatus.PrepareAbort];

export class TransactionCoordinator {
  readonly store: TxnStore;
  private readonly activation: HeadActivation;
  private readonly chains = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: TxnHost,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly checkMs = DEFAULT_TXN_CHECK_MS,
  ) {
    this.store = new TxnStore((batch) => host.appendState(batch));
    this.activation = new HeadActivation({
      isHead: () => host.isCoordinator(),
      load: async () => {
        await host.ensureStateTopic();
        this.store.clear();
        this.store.load(host.readState());
      },
      activated: () => {
        this.timer = setInterval(() => void this.tick(), this.checkMs);
        this.timer.unref();
        log.info('transaction coordinator active', { transactionalIds: this.store.size });
        // Transactions a previous coordinator left half-ended finish now, not at their producer's next call.
        void this.tick();
      },
      deactivated: () => {
        this.stopTimer();
        this.store.clear();
        log.info('transaction coordinator inactive: this node is no longer the head');
      },
    }, log, 'transaction state');
  }

  /** 0 when this node serves transaction requests now (loading the state first if needed), else the error. */
  ready(): Promise<number> {
    return this.activation.ready();
  }

  private get active(): boolean {
    return this.activation.active;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops the timer (node shutdown). */
  close(): void {
    this.stopTimer();
    this.activation.close();
  }

  /** Runs `fn` after every earlier request for the same transactional id has finished. */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.chains.set(id, tail);
    void tail.then(() => {
      if (this.chains.get(id) === tail) this.chains.delete(id);
    });
    return run;
  }

  /** InitProducerId with a transactional id: a producer id and a bumped epoch that fences every older one. */
  initProducerId(id: string, timeoutMs: number, producerId: number, producerEpoch: number): Promise<ProducerIdAndEpoch> {
    return this.serial(id, async () => {
      const fail = (code: number): ProducerIdAndEpoch => ({ errorCode: code, producerId: -1, producerEpoch: -1 });
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TRANSACTION_TIMEOUT_MS) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT.code);
      let meta = this.store.get(id);
      if (meta && producerId >= 0 && (producerId !== meta.producerId || producerEpoch !== meta.producerEpoch)) return fail(ErrorCode.PRODUCER_FENCED.code);
      if (meta && PREPARED.includes(meta.status)) {
        if ((await this.complete(id, meta)) !== 0) return fail(ErrorCode.CONCURRENT_TRANSACTIONS.code);
      } else if (meta?.status === TxnStatus.Ongoing) {
        if ((await this.abortFenced(id, meta)) !== 0) return fail(ErrorCode.CONCURRENT_TRANSACTIONS.code);
      }
      meta = this.store.get(id);
      const fresh = !meta || meta.producerEpoch >= LAST_EPOCH;
      const next: TxnMetadata = {
        producerId: fresh ? this.host.nextProducerId() : meta!.producerId,
        producerEpoch: fresh ? 0 : meta!.producerEpoch + 1,
        timeoutMs,
        status: TxnStatus.Empty,
        partitions: new Map(),
        lastUpdateMs: this.now(),
        startMs: -1,
      };
      const code = await this.store.put(id, next);
      return code === 0 ? { errorCode: 0, producerId: next.producerId, producerEpoch: next.producerEpoch } : fail(code);
    });
  }

  /** The current state, or the error for a request naming producer `producerId` at `epoch`. */
  private check(id: string, producerId: number, epoch: number): TxnMetadata | number {
    const meta = this.store.get(id);
    if (!meta || meta.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING.code;
    if (meta.producerEpoch !== epoch) return ErrorCode.PRODUCER_FENCED.code;
    return meta;
  }

  /** AddPartitionsToTxn (and AddOffsetsToTxn's offsets partition): opens the transaction if needed. */
  addPartitions(id: string, producerId: number, epoch: number, partitions: readonly TopicPartition[]): Promise<number> {
    return this.serial(id, async () => {
      const meta = this.check(id, producerId, epoch);
      if (typeof meta === 'number') return meta;
      if (meta.status !== TxnStatus.Ongoing && meta.status !== TxnStatus.Empty && meta.status !== TxnStatus.CompleteCommit && meta.status !== TxnStatus.CompleteAbort) {
        return ErrorCode.CONCURRENT_TRANSACTIONS.code;
      }
      const merged = new Map([...meta.partitions].map(([t, ps]) => [t, [...ps]]));
      let added = false;
      for (const { topic, partition } of partitions) {
        const list = merged.get(topic) ?? [];
        if (list.includes(partition)) continue;
        list.push(partition);
        list.sort((a, b) => a - b);
        merged.set(topic, list);
        added = true;
      }
      if (!added && meta.status === TxnStatus.Ongoing) return 0;
      const now = this.now();
      return this.store.put(id, { ...meta, status: TxnStatus.Ongoing, partitions: merged, lastUpdateMs: now, startMs: meta.status === TxnStatus.Ongoing ? meta.startMs : now });
    });
  }

  /**
   * Runs `write` (TxnOffsetCommit's append) while the producer's transaction is open and holds the
   * offsets partition, with no other request for the id in between; the error otherwise.
   */
  withOpenTransaction(id: string, producerId: number, epoch: number, offsetsTopic: string, write: () => Promise<number>): Promise<number> {
    return this.serial(id, async () => {
      const meta = this.check(id, producerId, epoch);
      if (typeof meta === 'number') return meta;
      if (meta.status !== TxnStatus.Ongoing || !meta.partitions.has(offsetsTopic)) return ErrorCode.INVALID_TXN_STATE.code;
      return write();
    });
  }

  /** EndTxn: commits or aborts the producer's open transaction; a retry of a finished one answers 0 again. */
  endTxn(id: string, producerId: number, epoch: number, commit: boolean): Promise<number> {
    return this.serial(id, async () => {
      const meta = this.check(id, producerId, epoch);
      if (typeof meta === 'number') return meta;
      const prepare = commit ? TxnStatus.PrepareCommit : TxnStatus.PrepareAbort;
      const done = commit ? TxnStatus.CompleteCommit : TxnStatus.CompleteAbort;
      switch (meta.status) {
        case TxnStatus.Ongoing: {
          const prepared: TxnMetadata = { ...meta, status: prepare, lastUpdateMs: this.now() };
          const code = await this.store.put(id, prepared);
          return code !== 0 ? code : this.complete(id, prepared);
        }
        case prepare:
          return this.complete(id, meta);
        case done:
          return 0;
        case TxnStatus.PrepareCommit:
        case TxnStatus.PrepareAbort:
          return ErrorCode.CONCURRENT_TRANSACTIONS.code;
        default:
          return ErrorCode.INVALID_TXN_STATE.code;
      }
    });
  }

  /** Aborts an open transaction with the epoch bumped, so its producer is fenced everywhere. */
  private async abortFenced(id: string, meta: TxnMetadata): Promise<number> {
    const prepared: TxnMetadata = { ...meta, producerEpoch: meta.producerEpoch + 1, status: TxnStatus.PrepareAbort, lastUpdateMs: this.now() };
    const code = await this.store.put(id, prepared);
    return code !== 0 ? code : this.complete(id, prepared);
  }

  /** Writes the markers of a prepared transaction to all its partitions, then logs it complete. */
  private async complete(id: string, meta: TxnMetadata): Promise<number> {
    const commit = meta.status === TxnStatus.PrepareCommit;
    const marker: TxnMarker = { producerId: meta.producerId, producerEpoch: meta.producerEpoch, commit, coordinatorEpoch: this.host.coordinatorEpoch() };
    const targets = [...meta.partitions].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
    const codes = await Promise.all(targets.map(async ({ topic, partition }) => {
      const code = await this.host.writeMarker(topic, partition, marker);
      if (code === 0) this.host.offsetsDecided(topic, meta.producerId, commit);
      return code;
    }));
    const failed = codes.find((c) => c !== 0);
    if (failed !== undefined) {
      this.log.warn('transaction markers not written yet; will retry', { transactionalId: id, commit, error: failed });
      return failed;
    }
    return this.store.put(id, { ...meta, status: commit ? TxnStatus.CompleteCommit : TxnStatus.CompleteAbort, partitions: new Map(), lastUpdateMs: this.now(), startMs: -1 });
  }

  /** The timer's pass: aborts expired transactions and finishes prepared ones. */
  private async tick(): Promise<void> {
    if (!this.active || !this.host.isCoordinator()) return;
    const now = this.now();
    for (const [id, meta] of this.store.entries()) {
      const expired = meta.status === TxnStatus.Ongoing && now - meta.startMs > meta.timeoutMs;
      // An id with a request in progress is left to it (and to the next pass).
      if ((!expired && !PREPARED.includes(meta.status)) || this.chains.has(id)) continue;
      void this.serial(id, async () => {
        const current = this.store.get(id);
        if (!current || !this.active) return;
        if (current.status === TxnStatus.Ongoing && this.now() - current.startMs > current.timeoutMs) {
          this.log.info('aborting a transaction past its timeout', { transactionalId: id, timeoutMs: current.timeoutMs });
          await this.abortFenced(id, current);
        } else if (PREPARED.includes(current.status)) {
          await this.complete(id, current);
        }
      }).catch((err: unknown) => this.log.warn('transaction timer step failed', { transactionalId: id, error: (err as Error).message }));
    }
  }
}

/** PRODUCER_FENCED as a client of `version` understands it: versions before `fencedFrom` know only INVALID_PRODUCER_EPOCH (KIP-588). */
export function fencedForVersion(code: number, version: number, fencedFrom: number): number {
  return code === ErrorCode.PRODUCER_FENCED.code && version < fencedFrom ? ErrorCode.INVALID_PRODUCER_EPOCH.code : code;
}
