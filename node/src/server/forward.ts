/**
 * Requests a node makes to another node on a client's behalf: topic creation and deletion go to the
 * head of the owning chain (the "controller" for that chain's topics), as Kafka brokers forward to
 * their controller (ACL changes too); placement reads (topic-directory.ts) use the same call. One short-lived connection
 * per call: these are rare, admin-path requests.
 */
import { plainDial, type Dialer } from '../security/dial.ts';
import { ApiKey } from '../protocol/api-keys.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../protocol/apis/create-topics.ts';
import { decodeDeleteTopicsResponse, encodeDeleteTopicsRequest } from '../protocol/apis/delete-topics.ts';
import { decodeAlterConfigsResponse, encodeAlterConfigsRequest } from '../protocol/apis/alter-configs.ts';
import { decodeCreatePartitionsResponse, encodeCreatePartitionsRequest } from '../protocol/apis/create-partitions.ts';
import {
  decodeCreateAclsResponse, decodeDeleteAclsResponse, encodeCreateAclsRequest, encodeDeleteAclsRequest,
  type AclBinding, type AclFilter, type CreateAclsResponse, type DeleteAclsResponse,
} from '../protocol/apis/acls.ts';
import { RESOURCE_TOPIC } from '../protocol/apis/describe-configs.ts';
import { KafkaError } from '../protocol/errors.ts';
import { errorName } from '../protocol/error-codes.ts';
import type { Reader } from '../protocol/reader.ts';
import type { Writer } from '../protocol/writer.ts';
import { Connection } from '../client/connection.ts';

export const FORWARD_TIMEOUT_MS = 10_000;
/** The client id these requests carry (they show up in the other node's logs under it). */
const FORWARD_CLIENT_ID = 'vonnegut-forward';

/**
 * Sends one request to `host:port` on a fresh connection (the client's Connection over the node's
 * dialer) and returns the response body; throws ConnectionError on network failure or timeout.
 */
export async function requestOnce(host: string, port: number, apiKey: number, version: number, body: (w: Writer) => void, dial: Dialer = plainDial): Promise<Reader> {
  const conn = await Connection.connect(host, port, { dialer: dial, clientId: FORWARD_CLIENT_ID, requestTimeoutMs: FORWARD_TIMEOUT_MS });
  try {
    return await conn.request({ apiKey, version, encode: body, decode: (r) => r });
  } finally {
    conn.close();
  }
}

function raise(code: number, message: string | null): void {
  if (code !== 0) throw new KafkaError(errorName(code) ?? 'UNKNOWN_SERVER_ERROR', message ?? errorName(code) ?? `error ${code}`);
}

/** Asks the node at `host:port` to create a topic; throws its KafkaError if it refuses. */
export async function forwardCreateTopic(host: string, port: number, topic: string, partitions: number, configs: Record<string, string>, dial: Dialer = plainDial): Promise<void> {
  const entries = Object.entries(configs).map(([name, value]) => ({ name, value }));
  const r = await requestOnce(host, port, ApiKey.CreateTopics, 1, (w) =>
    encodeCreateTopicsRequest(w, 1, { topics: [{ name: topic, numPartitions: partitions, replicationFactor: -1, assignments: [], configs: entries }], timeoutMs: FORWARD_TIMEOUT_MS, validateOnly: false }),
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

/** Asks the node at `host:port` to replace a topic's config overrides (AlterConfigs v0); throws its KafkaError if it refuses. */
export async function forwardAlterConfigs(host: string, port: number, topic: string, configs: Record<string, string>, dial: Dialer = plainDial): Promise<void> {
  const entries = Object.entries(configs).map(([name, value]) => ({ name, operation: 0, value }));
  const r = await requestOnce(host, port, ApiKey.AlterConfigs, 0, (w) =>
    encodeAlterConfigsRequest(w, 0, { resources: [{ resourceType: RESOURCE_TOPIC, resourceName: topic, configs: entries }], validateOnly: false }), dial);
  const res = decodeAlterConfigsResponse(r, 0).responses[0];
  if (res) raise(res.errorCode, res.errorMessage);
}

/** Asks the node at `host:port` to grow a topic to `count` partitions; throws its KafkaError if it refuses. */
export async function forwardCreatePartitions(host: string, port: number, topic: string, count: number, dial: Dialer = plainDial): Promise<void> {
  const r = await requestOnce(host, port, ApiKey.CreatePartitions, 0, (w) =>
    encodeCreatePartitionsRequest(w, 0, { topics: [{ name: topic, count, assignments: null }], timeoutMs: FORWARD_TIMEOUT_MS, validateOnly: false }), dial);
  const res = decodeCreatePartitionsResponse(r, 0).results[0];
  if (res) raise(res.errorCode, res.errorMessage);
}

/** Asks the controller at `host:port` to create ACLs (CreateAcls v1); returns its per-binding results. */
export async function forwardCreateAcls(host: string, port: number, creations: AclBinding[], dial: Dialer = plainDial): Promise<CreateAclsResponse['results']> {
  const r = await requestOnce(host, port, ApiKey.CreateAcls, 1, (w) => encodeCreateAclsRequest(w, 1, { creations }), dial);
  return decodeCreateAclsResponse(r, 1).results;
}

/** Asks the controller at `host:port` to delete the ACLs matching filters (DeleteAcls v1); returns its per-filter results. */
export async function forwardDeleteAcls(host: string, port: number, filters: AclFilter[], dial: Dialer = plainDial): Promise<DeleteAclsResponse['filterResults']> {
  const r = await requestOnce(host, port, ApiKey.DeleteAcls, 1, (w) => encodeDeleteAclsRequest(w, 1, { filters }), dial);
  return decodeDeleteAclsResponse(r, 1).filterResults;
}
