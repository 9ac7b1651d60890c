/**
 * One-shot Kafka requests with vonnegut's own codecs, for tests that must talk to one specific node
 * (unmodified clients always follow Metadata to the leader).
 */
import net from 'node:net';
import { ApiKey } from '../../node/src/protocol/api-keys.ts';
import { decodeFetchResponse, encodeFetchRequest, type FetchPartitionData } from '../../node/src/protocol/apis/fetch.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../../node/src/protocol/apis/create-topics.ts';
import { decodeProduceResponse, encodeProduceRequest, type ProducePartitionResponse } from '../../node/src/protocol/apis/produce.ts';
import { FrameDecoder, encodeFrame } from '../../node/src/protocol/frame.ts';
import { readResponseHeader, requestHeaderVersion, writeRequestHeader } from '../../node/src/protocol/header.ts';
import { Reader } from '../../node/src/protocol/reader.ts';
import { Writer } from '../../node/src/protocol/writer.ts';
import { decodeRecordBatches, encodeRecordBatch, type DecodedRecord } from '../../node/src/protocol/record-batch.ts';

let correlation = 1;

/** Sends one request and resolves with the response body reader. */
export async function request(address: string, apiKey: number, version: number, body: (w: Writer) => void, timeoutMs = 30_000): Promise<Reader> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const w = new Writer(256);
  const correlationId = correlation++;
  writeRequestHeader(w, requestHeaderVersion(apiKey, version), { apiKey, apiVersion: version, correlationId, clientId: 'vonnegut-e2e' });
  body(w);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const decoder = new FrameDecoder();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no response from ${address} in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(encodeFrame(w.toBuffer())));
    socket.on('data', (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (frames.length === 0) return;
      clearTimeout(timer);
      socket.destroy();
      const r = new Reader(frames[0]!);
      readResponseHeader(r, apiKey, version);
      resolve(r);
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`${address} closed the connection without answering`));
    });
  });
}

/** Fetches one partition from one node (Fetch v4). */
export async function fetchFrom(address: string, topic: string, partition: number, offset: number, maxBytes = 64 * 1024 * 1024): Promise<FetchPartitionData & { decoded: DecodedRecord[] }> {
  const r = await request(address, ApiKey.Fetch, 4, (w) =>
    encodeFetchRequest(w, 4, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
      forgottenTopicsData: [], rackId: '',
    }),
  );
  const p = decodeFetchResponse(r, 4).topics[0]!.partitions[0]!;
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
  const r = await request(address, ApiKey.Produce, 3, (w) =>
    encodeProduceRequest(w, 3, { transactionalId: null, acks, timeoutMs, topics: [{ name: topic, partitions: [{ index: partition, records }] }] }),
  timeoutMs + 10_000);
  return decodeProduceResponse(r, 3).topics[0]!.partitions[0]!;
}

/** Creates a topic through one specific node (CreateTopics v1); resolves with the Kafka error code. */
export async function createTopicAt(address: string, topic: string, partitions: number): Promise<number> {
  const r = await request(address, ApiKey.CreateTopics, 1, (w) =>
    encodeCreateTopicsRequest(w, 1, { topics: [{ name: topic, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false }),
  );
  return decodeCreateTopicsResponse(r, 1).topics[0]!.errorCode;
}
