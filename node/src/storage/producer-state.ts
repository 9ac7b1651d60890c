/**
 * Idempotent producer state of one partition (Kafka's ProducerStateManager, without snapshots): for
 * each producer id, its epoch and the sequence ranges and offsets of its last few batches.
 *
 * The head checks every batch that carries a producer id: a batch identical in sequence range to one
 * of the last five is a retry and gets the original offsets back instead of being written twice; a gap
 * in sequence is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is INVALID_PRODUCER_EPOCH. Every replica
 * records the batches it appends, and the state is rebuilt from batch headers when a log is opened, so
 * a retry is recognised after a restart and by a new head alike. This is what turns "acknowledged once"
 * into "stored once" when a head dies between commit and answer.
 *
 * Producers seen only in segments older than the ones scanned on open are forgotten: their next batch
 * is accepted at any sequence, as Kafka does for producers whose state expired (KIP-360).
 */
import { KafkaError } from '../protocol/errors.ts';
import { batchProducer } from '../protocol/record-batch.ts';
import type { LogSegment } from './segment.ts';

/** How many recent batches per producer are kept to recognise retries (Kafka's limit, and max.in.flight). */
export const RETAINED_BATCHES = 5;

export interface ProducerBatch {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: ProducerBatch[];
}

/** A batch's idempotence fields (producerId -1 means none). */
export interface BatchProducerInfo {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
  /** A transaction marker (control batch): carries no sequence, but its epoch fences older ones. */
  control?: boolean;
}

export class ProducerState {
  private readonly producers = new Map<number, ProducerEntry>();

  /**
   * Checks a batch about to be appended: returns the original offsets when it is a retry of a stored
   * batch, null when it is new, or throws the Kafka error for a fenced epoch or a sequence gap.
   */
  check(info: BatchProducerInfo): ProducerBatch | null {
    if (info.control && info.producerId >= 0) {
      // A marker from an older epoch than the producer's current one here is a zombie coordinator's
      // (Kafka's ProducerAppendInfo.checkProducerEpoch); an equal one is a retried marker.
      const current = this.producers.get(info.producerId)?.epoch;
      if (current !== undefined && info.producerEpoch < current) {
        throw new KafkaError('INVALID_PRODUCER_EPOCH', `marker for producer ${info.producerId} carries epoch ${info.producerEpoch}, older than ${current}`);
      }
      return null;
    }
    if (info.producerId < 0 || info.baseSequence < 0) return null;
    const entry = this.producers.get(info.producerId);
    if (!entry) return null;
    if (info.producerEpoch < entry.epoch) {
      throw new KafkaError('INVALID_PRODUCER_EPOCH', `producer ${info.producerId} epoch ${info.producerEpoch} is older than ${entry.epoch}`);
    }
    if (info.producerEpoch > entry.epoch) {
      if (info.baseSequence !== 0) throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `new epoch ${info.producerEpoch} must start at sequence 0`);
      return null;
    }
    const lastSeq = info.baseSequence + info.lastOffsetDelta;
    const dup = entry.batches.find((b) => b.firstSeq === info.baseSequence && b.lastSeq === lastSeq);
    if (dup) return dup;
    const last = entry.batches[entry.batches.length - 1];
    if (last && info.baseSequence !== nextSequence(last.lastSeq)) {
      throw new KafkaError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${info.producerId} sent sequence ${info.baseSequence}, expected ${nextSequence(last.lastSeq)}`);
    }
    return null;
  }

  /** Records an appended batch (on every replica, and while rebuilding). */
  record(info: BatchProducerInfo, firstOffset: number): void {
    if (info.control && info.producerId >= 0) {
      // The coordinator writes an aborting zombie's markers with the bumped epoch (KIP-98 fencing).
      const entry = this.producers.get(info.producerId);
      if (!entry || info.producerEpoch > entry.epoch) this.producers.set(info.producerId, { epoch: info.producerEpoch, batches: [] });
      return;
    }
    if (info.producerId < 0 || info.baseSequence < 0) return;
    let entry = this.producers.get(info.producerId);
    if (!entry || info.producerEpoch > entry.epoch) {
      entry = { epoch: info.producerEpoch, batches: [] };
      this.producers.set(info.producerId, entry);
    }
    entry.batches.push({ firstSeq: info.baseSequence, lastSeq: info.baseSequence + info.lastOffsetDelta, firstOffset, lastOffset: firstOffset + info.lastOffsetDelta });
    if (entry.batches.length > RETAINED_BATCHES) entry.batches.shift();
  }

  /** Forgets everything (before a rebuild after truncation). */
  clear(): void {
    this.producers.clear();
  }

  /** Forgets everything and re-reads producer ids and sequences from the batch headers of `segments`. */
  rebuild(segments: readonly LogSegment[]): void {
    this.producers.clear();
    for (const seg of segments) {
      seg.scanHeaders(0, (loc, buf, at) => {
        this.record(batchProducer(buf, at), loc.baseOffset);
        return true;
      });
    }
  }

  /** Producers tracked (for tests and metrics). */
  get size(): number {
    return this.producers.size;
  }
}

/** Sequences wrap at int32 max, as Kafka's do. */
function nextSequence(seq: number): number {
  return seq === 0x7fffffff ? 0 : seq + 1;
}
