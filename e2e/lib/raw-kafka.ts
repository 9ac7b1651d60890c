/**
 * One-shot Kafka requests to one specific node (unmodified clients always follow Metadata to the
 * leader), each on a fresh connection so tests that kill nodes never reuse a dead socket. Built on
 * the pipelined KafkaWire client.
 */
import { ApiKey } from '../../node/src/protocol/api-keys.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../../node/src/protocol/apis/create-topics.ts';
import type { FetchPartitionData } from '../../node/src/protocol/apis/fetch.ts';
import type { ProducePartitionResponse } from '../../node/src/protocol/apis/produce.ts';
import { decodeRecordBatches, encodeRecordBatch, type DecodedRecord } from '../../node/src/protocol/record-batch.ts';
import { KafkaWire } from './kafka-wire.ts';

/** Runs `fn` on a new connection to `address`, closing it afterwards. */
async function once<T>(address: string, fn: (wire: KafkaWire) => Promise<T>): Promise<T> {
  const wire = await KafkaWire.connect(address);
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

/** Fetches one partition from one node (Fetch v4), with the records decoded. */
export async function fetchFrom(address: string, topic: string, partition: number, offset: number, maxBytes = 64 * 1024 * 1024): Promise<FetchPartitionData & { decoded: DecodedRecord[] }> {
  const p = await once(address, (w) => w.fetch(topic, partition, offset, maxBytes));
  const decoded = p.records ? [...decodeRecordBatches(p.records)].flatMap((b) => b.records) : [];
  return { ...p, decoded };
}

/** An idempotent producer's identity and the sequence of a batch's first record. */
export interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/** Produces string values to one partition of one node (Produce v3), optionally as an idempotent producer. */
export async function produceTo(address: string, topic: string, partition: number, values: string[], acks = -1, timeoutMs = 30_000, producer?: ProducerIdentity): Promise<ProducePartitionResponse> {
  const records = encodeRecordBatch({ records: values.map((value) => ({ value })), ...producer });
  return once(address, (w) => w.produce(topic, partition, records, acks, 3, timeoutMs));
}

/** Creates a topic through one specific node (CreateTopics v1); resolves with the Kafka error code. */
export async function createTopicAt(address: string, topic: string, partitions: number): Promise<number> {
  const r = await once(address, (w) =>
    w.send(ApiKey.CreateTopics, 1, (x) =>
      encodeCreateTopicsRequest(x, 1, { topics: [{ name: topic, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false }),
    ),
  );
  return decodeCreateTopicsResponse(r, 1).topics[0]!.errorCode;
}
