/**
 * The coordinators' view of a running broker: the head of the chain holding internal topics coordinates
 * every group and every transaction, and their internal topics (`__consumer_offsets`,
 * `__transaction_state`) go through the same append path (and replication) as any produce.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import { KafkaError } from '../protocol/errors.ts';
import { decodeRecordBatches, type DecodedBatch } from '../protocol/record-batch.ts';
import type { Broker } from './broker.ts';
import type { CoordinatorHost, CoordinatorNode } from '../groups/coordinator.ts';
import { OFFSETS_TOPIC } from '../groups/offset-records.ts';

/** How long an offset commit may wait for the chain tail. */
export const OFFSET_COMMIT_TIMEOUT_MS = 10_000;
/** Bytes read per step while replaying an internal topic. */
const LOAD_READ_BYTES = 1024 * 1024;

/** Produce errors as a coordinator's client should see them (Kafka's GroupMetadataManager mapping). */
function commitErrorCode(produceError: number): number {
  switch (produceError) {
    case 0:
      return 0;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code:
    case ErrorCode.NOT_ENOUGH_REPLICAS.code:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND.code:
    case ErrorCode.REQUEST_TIMED_OUT.code:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE.code;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER.code:
    case ErrorCode.KAFKA_STORAGE_ERROR.code:
      return ErrorCode.NOT_COORDINATOR.code;
    case ErrorCode.MESSAGE_TOO_LARGE.code:
    case ErrorCode.RECORD_LIST_TOO_LARGE.code:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE.code;
    default:
      return produceError;
  }
}

/** The node every member agrees coordinates groups and transactions (the first chain's head), or null. */
export function coordinatorNodeOf(broker: Broker): CoordinatorNode | null {
  const id = broker.leaderId();
  return broker.brokers().find((b) => b.nodeId === id) ?? null;
}

/** Whether this node is that coordinator and may write. */
export function isCoordinatorHere(broker: Broker): boolean {
  const role = broker.chain.view.role;
  return (role === 'head' || role === 'solo') && broker.leaderId() === broker.selfId();
}

/** Creates a one-partition internal topic when it does not exist yet. */
export async function ensureInternalTopic(broker: Broker, topic: string): Promise<void> {
  if (broker.partitionCount(topic) !== undefined) return;
  try {
    await broker.createTopic(topic, 1);
  } catch (err) {
    if (!(err instanceof KafkaError && err.codeName === 'TOPIC_ALREADY_EXISTS')) throw err;
  }
}

/** The committed batches of partition 0 of an internal topic, in order. */
export function* readInternalTopic(broker: Broker, topic: string): Iterable<DecodedBatch> {
  const log = broker.logs.get(topic, 0);
  if (!log) return;
  const end = broker.chain.committedOffset(topic, 0);
  let offset = log.logStartOffset;
  while (offset < end) {
    const { records } = log.read(offset, { maxBytes: LOAD_READ_BYTES, maxOffset: end });
    if (records.length === 0) break;
    for (const batch of decodeRecordBatches(records)) {
      yield batch;
      offset = batch.header.baseOffset + batch.header.lastOffsetDelta + 1;
    }
  }
}

/** Appends a batch to partition 0 of an internal topic and waits for the chain; a coordinator error code. */
export async function appendInternal(broker: Broker, topic: string, batch: Buffer): Promise<number> {
  const res = await broker.produce(topic, 0, batch, -1, OFFSET_COMMIT_TIMEOUT_MS);
  return commitErrorCode(res.errorCode);
}

export function brokerCoordinatorHost(broker: Broker): CoordinatorHost {
  return {
    coordinatorNode: () => coordinatorNodeOf(broker),
    isCoordinator: () => isCoordinatorHere(broker),
    ensureOffsetsTopic: () => ensureInternalTopic(broker, OFFSETS_TOPIC),
    readOffsets: () => readInternalTopic(broker, OFFSETS_TOPIC),
    appendOffsets: (batch) => appendInternal(broker, OFFSETS_TOPIC, batch),
  };
}
