/**
 * The head's side of a produce once it is routed here: Kafka's checks on the records, the topic's
 * `compression.type` (recompressed on worker threads, recompress-pool.ts) and the grouped write
 * (produce-groups.ts; where it runs: log-writes.ts). Throws typed errors; the broker answers them.
 */
import { KafkaError } from '../protocol/errors.ts';
import { stampLogAppendTime } from '../protocol/record-batch.ts';
import { topicCodec } from '../protocol/recompress.ts';
import { compacts, type TopicConfig } from '../storage/topic-config.ts';
import type { LogManager } from '../storage/log-manager.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import type { ChainAppend } from '../chain/replica-log.ts';
import { tpKey } from '../topic-partition.ts';
import { toRecordBatch } from './down-convert.ts';
import { rejectKeylessRecords } from './record-checks.ts';
import { ProduceGroups } from './produce-groups.ts';
import { writesOnPool, type LogWrites } from './log-writes.ts';
import type { RecompressPool } from './recompress-pool.ts';

export interface Appended extends ChainAppend {
  bytes: number;
  /** The broker time stamped on the batches (LogAppendTime topics), else -1. */
  logAppendTimeMs: number;
}

export class HeadAppender {
  /** Produces to one partition go to the log in groups, one write each. */
  readonly groups: ProduceGroups;

  constructor(private readonly logs: LogManager, chain: ChainNode, logWrites: LogWrites, readonly recompressor: RecompressPool) {
    this.groups = new ProduceGroups((topic, partition, requests) => writesOnPool(logWrites, requests)
      ? chain.appendManyAsync(topic, partition, requests)
      : chain.appendMany(topic, partition, requests));
  }

  /** Checks, recompresses (when the topic asks) and appends one partition's records at the head. */
  async append(topic: string, partition: number, records: Buffer | null): Promise<Appended> {
    if (!records || records.length === 0) throw new KafkaError('CORRUPT_MESSAGE', 'produce without records');
    const config = this.logs.topicConfig(topic);
    if (records.length > config.maxMessageBytes) {
      throw new KafkaError('MESSAGE_TOO_LARGE', `${records.length} bytes exceeds max.message.bytes ${config.maxMessageBytes}`);
    }
    const codec = topicCodec(config.compressionType);
    const batches = toRecordBatch(records);
    // A plain topic's produce goes straight on unless a recompressed request is still queued somewhere.
    if (codec === null && this.recompressor.idle) return this.store(topic, partition, batches, config);
    // Recompressing requests finish in any order; they reach the log in the order they came.
    const stored = codec === null ? Promise.resolve(batches) : this.recompressor.recompress(batches, codec);
    return this.recompressor.inOrder(tpKey(topic, partition), stored, (b) => this.store(topic, partition, b, config));
  }

  /** The checks on the batches as stored, then the append (enqueued before the first await). */
  private async store(topic: string, partition: number, batches: Buffer, config: TopicConfig): Promise<Appended> {
    // Recompression can grow a batch: its stored size is checked again, as Kafka's UnifiedLog.append does.
    if (batches.length > config.maxMessageBytes) throw new KafkaError('MESSAGE_TOO_LARGE', `${batches.length} bytes as stored (${config.compressionType}) exceed max.message.bytes ${config.maxMessageBytes}`);
    if (compacts(config)) rejectKeylessRecords(topic, partition, batches);
    const logAppendTimeMs = config.messageTimestampType === 'LogAppendTime' ? Date.now() : -1;
    if (logAppendTimeMs >= 0) stampLogAppendTime(batches, logAppendTimeMs);
    const appended = await this.groups.append(topic, partition, batches);
    return { ...appended, bytes: appended.duplicate ? 0 : batches.length, logAppendTimeMs };
  }
}
