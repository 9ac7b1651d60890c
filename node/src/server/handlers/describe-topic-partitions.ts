/**
 * DescribeTopicPartitions (KIP-966): topics as Metadata describes them (same leaders, replicas, topic ids;
 * chains have no eligible-leader replicas, so those fields are null), never auto-created, sorted by name
 * and paged as Kafka pages them: at most response_partition_limit partitions (capped at Kafka's 2000),
 * starting at the request's cursor, with next_cursor naming the first partition left out.
 *
 * An empty topic list means every topic the principal may Describe; a topic asked for by name without
 * Describe is TOPIC_AUTHORIZATION_FAILED, one that does not exist UNKNOWN_TOPIC_OR_PARTITION.
 */
import {
  DEFAULT_PARTITION_LIMIT, decodeDescribeTopicPartitionsRequest, encodeDescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsRequest, type DescribeTopicPartitionsResponse, type DescribedTopic, type TopicPartitionsCursor,
} from '../../protocol/apis/describe-topic-partitions.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { isInternalTopic } from '../topic-directory.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';
import { describeTopic } from './metadata.ts';
import { ZERO_UUID } from '../../protocol/uuid.ts';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/apis/metadata.ts';

/** Describes the requested topics, one page of partitions at a time. */
export function describeTopicPartitionsHandler(broker: Broker, access: AccessControl): ApiHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse> {
  return {
    decode: decodeDescribeTopicPartitionsRequest,
    encode: encodeDescribeTopicPartitionsResponse,
    async handle(req, ctx) {
      const all = req.topics.length === 0;
      const names = (all ? broker.topics().map((t) => t.topic).filter((n) => access.topic(ctx, 'describe', n, false)) : [...new Set(req.topics)])
        .sort()
        .filter((n) => req.cursor === null || n >= req.cursor.topicName);
      let budget = Math.min(req.responsePartitionLimit > 0 ? req.responsePartitionLimit : DEFAULT_PARTITION_LIMIT, DEFAULT_PARTITION_LIMIT);
      const topics: DescribedTopic[] = [];
      let nextCursor: TopicPartitionsCursor | null = null;
      for (const name of names) {
        if (!all && !access.topic(ctx, 'describe', name)) {
          topics.push(failed(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED.code));
          continue;
        }
        const t = await describeTopic(broker, name, false, false);
        if (t.errorCode !== 0 && t.partitions.length === 0) {
          topics.push(failed(name, t.errorCode, t.topicId));
          continue;
        }
        if (budget === 0) {
          nextCursor = { topicName: name, partitionIndex: 0 };
          break;
        }
        const from = req.cursor !== null && name === req.cursor.topicName ? req.cursor.partitionIndex : 0;
        const partitions = t.partitions.filter((p) => p.partitionIndex >= from);
        const page = partitions.slice(0, budget);
        budget -= page.length;
        if (page.length < partitions.length) nextCursor = { topicName: name, partitionIndex: partitions[page.length]!.partitionIndex };
        topics.push({
          errorCode: t.errorCode, name, topicId: t.topicId, isInternal: isInternalTopic(name),
          partitions: page.map((p) => ({
            errorCode: p.errorCode, partitionIndex: p.partitionIndex, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch,
            replicaNodes: p.replicaNodes, isrNodes: p.isrNodes, eligibleLeaderReplicas: null, lastKnownElr: null, offlineReplicas: p.offlineReplicas,
          })),
          topicAuthorizedOperations: access.authorizedOperations(ctx, 'topic', name),
        });
        if (nextCursor) break;
      }
      return { throttleTimeMs: 0, topics, nextCursor };
    },
  };
}

function failed(name: string, errorCode: number, topicId: Buffer = ZERO_UUID): DescribedTopic {
  return { errorCode, name, topicId, isInternal: isInternalTopic(name), partitions: [], topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}
