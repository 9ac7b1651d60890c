/**
 * Topic administration beyond create and delete: config changes (AlterConfigs, IncrementalAlterConfigs),
 * partition growth (CreatePartitions) and DeleteRecords, with their effect replicated along the chain.
 *
 * Who decides: config and partition changes are made by the controller (the first chain's head), as
 * creation is; any other node forwards them there. In a cluster of chains the controller writes the
 * change into the placement map, which every node follows (so DescribeConfigs anywhere sees it) and
 * whose owning head applies it to its logs and ships it down its chain (link messages Config and
 * Create). With one chain the head applies it and ships it directly. DeleteRecords is a partition
 * operation: the owning head moves the log start offset and ships a LogStart message down the chain.
 */
import { KafkaError } from '../protocol/errors.ts';
import { MAX_PARTITIONS } from '../storage/log-manager.ts';
import { resolveTopicConfig, type TopicConfig } from '../storage/topic-config.ts';
import type { Broker } from './broker.ts';
import { forwardAlterConfigs, forwardCreatePartitions } from './forward.ts';
import { plainDial, type Dialer } from '../security/dial.ts';
import { isInternalTopic } from './topic-directory.ts';

export interface DeleteRecordsResult {
  errorCode: number;
  lowWatermark: number;
}

export class TopicAdmin {
  constructor(
    private readonly broker: Broker,
    private readonly dial: Dialer = plainDial,
  ) {}

  /** A topic's config overrides as this node knows them; UNKNOWN_TOPIC_OR_PARTITION if there is no such topic. */
  overrides(topic: string): Record<string, string> {
    const owner = this.broker.directory.owner(topic);
    if (!owner) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`);
    return owner.configs;
  }

  /** A topic's effective config: its overrides over this node's defaults. */
  effective(topic: string): TopicConfig {
    return resolveTopicConfig(this.overrides(topic), this.broker.logs.topicDefaults());
  }

  /** Replaces a topic's overrides (already validated) everywhere; resolves once the controller committed it. */
  async setConfigs(topic: string, overrides: Record<string, string>): Promise<void> {
    this.overrides(topic);
    const { directory } = this.broker;
    if (!directory.isController()) {
      const controller = this.controller();
      await forwardAlterConfigs(controller.host, controller.port, topic, overrides, this.dial);
      return;
    }
    if (directory.cluster && !isInternalTopic(topic)) await directory.update(topic, { configs: overrides });
    else this.broker.reconfigureLocal(topic, overrides);
  }

  /** Grows a topic to `count` partitions; INVALID_PARTITIONS unless it is more than now and at most MAX_PARTITIONS. */
  async createPartitions(topic: string, count: number, validateOnly: boolean): Promise<void> {
    const current = this.broker.partitionCount(topic);
    if (current === undefined) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`);
    if (!Number.isInteger(count) || count <= current) throw new KafkaError('INVALID_PARTITIONS', `topic ${topic} has ${current} partitions; the new count must be larger, not ${count}`);
    if (count > MAX_PARTITIONS) throw new KafkaError('INVALID_PARTITIONS', `partition count ${count} exceeds ${MAX_PARTITIONS}`);
    if (validateOnly) return;
    const { directory } = this.broker;
    if (!directory.isController()) {
      const controller = this.controller();
      await forwardCreatePartitions(controller.host, controller.port, topic, count, this.dial);
      return;
    }
    if (directory.cluster && !isInternalTopic(topic)) await directory.update(topic, { partitions: count });
    else this.broker.growLocal(topic, count);
  }

  /**
   * Moves a partition's log start offset to `offset` (-1: the high watermark) at the owning head and down
   * its chain. OFFSET_OUT_OF_RANGE past the high watermark; NOT_LEADER_OR_FOLLOWER anywhere but the head.
   */
  deleteRecords(topic: string, partition: number, offset: number): DeleteRecordsResult {
    const { broker } = this;
    try {
      const log = broker.ownedLog(topic, partition, true);
      if (!log) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `${topic}-${partition} has not reached this node yet`);
      if (!broker.isHead()) throw new KafkaError('NOT_LEADER_OR_FOLLOWER', `only the head of the chain deletes records of ${topic}-${partition}`);
      const hwm = broker.chain.committedOffset(topic, partition);
      const target = offset === -1 ? hwm : offset;
      if (target < 0 || target > hwm) throw new KafkaError('OFFSET_OUT_OF_RANGE', `offset ${offset} is outside [0, ${hwm}] of ${topic}-${partition}`);
      if (target > log.logStartOffset) {
        broker.logs.deleteRecordsBefore(topic, partition, target);
        broker.chain.logStartMoved(topic, partition, target);
      }
      return { errorCode: 0, lowWatermark: log.logStartOffset };
    } catch (err) {
      return { errorCode: broker.codeFor(err, topic, partition), lowWatermark: -1 };
    }
  }

  private controller(): { host: string; port: number } {
    const controller = this.broker.directory.controller();
    if (!controller) throw new KafkaError('NOT_CONTROLLER', 'the cluster has no controller yet');
    return controller;
  }
}

