/**
 * Requests a node makes to another node on a client's behalf: topic creation and deletion go to the
 * head of the owning chain (the "controller" for that chain's topics), as Kafka brokers forward to
 * their controller. One short-lived connection per call: these are rare, admin-path requests.
 */
import { plainDial, type Dialer } from '../security/dial.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../protocol/apis/create-topics.ts';
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from '../protocol/apis/delete-topics.ts';
import { KafkaError } from '../protocol/errors.ts';
import { errorName } from '../protocol/error-codes.ts';
import { FrameDecoder, encodeFrame } from '../protocol/frame.ts';
import { readResponseHeader, requestHeaderVersion, writeRequestHeader } from '../protocol/header.ts';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';

export const FORWARD_TIMEOUT_MS = 10_000;

/** Sends one request to `host:port` on a fresh connection and returns the response body; throws on network failure. */
export async function requestOnce(host: string, port: number, apiKey: number, version: number, body: (w: Writer) => void, dial: Dialer = plainDial): Promise<Reader> {
  const w = new Writer(256);
  writeRequestHeader(w, requestHeaderVersion(apiKey, version), { apiKey, apiVersion: version, correlationId: 1, clientId: 'vonnegut-forward' });
  body(w);
  const socket = await dial(host, port);
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder();
    socket.setTimeout(FORWARD_TIMEOUT_MS, () => socket.destroy(new Error(`no answer from ${host}:${port}`)));
    socket.write(encodeFrame(w.toBuffer()));
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        socket.destroy();
        reject(err);
        return;
      }
      if (frames.length === 0) return;
      socket.destroy();
      const r = new Reader(frames[0]!);
      readResponseHeader(r, apiKey, version);
      resolve(r);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`${host}:${port} closed the connection without answering`)));
  });
}

function raise(code: number, message: string | null): void {
  if (code !== 0) throw new KafkaError(errorName(code) ?? 'UNKNOWN_SERVER_ERROR', message ?? errorName(code) ?? `error ${code}`);
}

/** Asks the node at `host:port` to create a topic; throws its KafkaError if it refuses. */
export async function forwardCreateTopic(host: string, port: number, topic: string, partitions: number, dial: Dialer = plainDial): Promise<void> {
  const r = await requestOnce(host, port, ApiKey.CreateTopics, 1, (w) =>
    encodeCreateTopicsRequest(w, 1, { topics: [{ name: topic, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: FORWARD_TIMEOUT_MS, validateOnly: false }),
  dial);
  const res = decodeCreateTopicsResponse(r, 1).topics[0];
  if (res) raise(res.errorCode, res.errorMessage);
}

/** Asks the node at `host:port` to delete a topic; throws its KafkaError if it refuses. */
export async function forwardDeleteTopic(host: string, port: number, topic: string, dial: Dialer = plainDial): Promise<void> {
  const r = await requestOnce(host, port, ApiKey.DeleteTopics, 1, (w) => encodeDeleteTopicsRequest(w, 1, { topicNames: [topic], timeoutMs: FORWARD_TIMEOUT_MS }), dial);
  const res = decodeDeleteTopicsResponse(r, 1).responses[0];
  if (res) raise(res.errorCode, res.errorMessage);
}
