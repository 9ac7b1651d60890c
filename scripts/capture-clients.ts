/**
 * Captures golden request frames from real Kafka clients: a loopback broker on 127.0.0.1:<port 0> that
 * answers just enough (ApiVersions, Metadata, Produce, Fetch, ListOffsets, CreateTopics, DeleteTopics)
 * for kcat and kafkajs to proceed, and records the first frame of each (api, version) a client sends.
 * Writes node/test/fixtures/<name>.json. Run: npx tsx scripts/capture-clients.ts [name-prefix ...]
 * (with prefixes, only the fixtures whose names start with one of them are captured again).
 *
 * Only requests are captured from clients; response bytes in fixtures are built from Kafka's documented
 * layout by our encoders (no real broker is available here), and say so.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKey, advertisedVersions } from '../node/src/protocol/api-keys.ts';
import { FrameDecoder, encodeFrame } from '../node/src/protocol/frame.ts';
import { decodeRequestHeader, writeResponseHeader } from '../node/src/protocol/header.ts';
import { Reader } from '../node/src/protocol/reader.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import { encodeApiVersionsResponse } from '../node/src/protocol/apis/api-versions.ts';
import { decodeMetadataRequest, encodeMetadataResponse, ZERO_UUID, AUTHORIZED_OPERATIONS_OMITTED } from '../node/src/protocol/apis/metadata.ts';
import { decodeProduceRequest, encodeProduceResponse } from '../node/src/protocol/apis/produce.ts';
import { decodeFetchRequest, encodeFetchResponse } from '../node/src/protocol/apis/fetch.ts';
import { decodeListOffsetsRequest, encodeListOffsetsResponse } from '../node/src/protocol/apis/list-offsets.ts';
import { decodeCreateTopicsRequest, encodeCreateTopicsResponse } from '../node/src/protocol/apis/create-topics.ts';
import { decodeDeleteTopicsRequest, encodeDeleteTopicsResponse } from '../node/src/protocol/apis/delete-topics.ts';
import { decodeSaslHandshakeRequest, encodeSaslHandshakeResponse } from '../node/src/protocol/apis/sasl-handshake.ts';
import { decodeSaslAuthenticateRequest, encodeSaslAuthenticateResponse } from '../node/src/protocol/apis/sasl-authenticate.ts';
import { SaslAuthenticator } from '../node/src/security/authenticator.ts';
import { SaslSession } from '../node/src/security/sasl-session.ts';
import { UserTable } from '../node/src/security/users.ts';

const run = promisify(execFile);
const FIXTURES = new URL('../node/test/fixtures/', import.meta.url);

interface CapturedFrame { apiKey: number; apiVersion: number; hex: string }

/** A loopback broker that records frames; `maxVersions` can cap what it advertises to steer clients. */
async function broker(maxVersions: Record<number, number> = {}): Promise<{ port: number; frames: CapturedFrame[]; close(): void }> {
  const frames: CapturedFrame[] = [];
  const seen = new Set<string>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    const dec = new FrameDecoder();
    // SASL answers come from the node's own session, so a client gets through the real exchange.
    const sasl = new SaslSession(CAPTURE_SASL);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    sock.on('data', (chunk) => {
      for (const frame of dec.push(chunk)) {
        const h = decodeRequestHeader(frame);
        const key = `${h.apiKey}/${h.apiVersion}`;
        if (!seen.has(key)) {
          seen.add(key);
          frames.push({ apiKey: h.apiKey, apiVersion: h.apiVersion, hex: frame.toString('hex') });
        }
        const body = answer(h.apiKey, h.apiVersion, h.supported, new Reader(frame, h.bodyOffset), port, maxVersions, sasl);
        if (body === null) continue;
        const w = new Writer();
        writeResponseHeader(w, h.apiKey, h.supported ? h.apiVersion : 0, h.correlationId);
        w.raw(body);
        sock.write(encodeFrame(w.toBuffer()));
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as net.AddressInfo).port;
  return { port, frames, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

/** The capture broker's one SASL user (the password ends up in the PLAIN fixture: it guards nothing). */
const CAPTURE_USER = { name: 'capture', password: 'capture-password' };
const CAPTURE_SASL = new SaslAuthenticator(['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'], () => CAPTURE_USERS);
const CAPTURE_USERS = UserTable.parse(JSON.stringify({ users: [CAPTURE_USER] }), 'capture');

function answer(apiKey: number, v: number, supported: boolean, r: Reader, port: number, caps: Record<number, number>, sasl: SaslSession): Buffer | null {
  const w = new Writer();
  switch (apiKey) {
    case ApiKey.SaslHandshake: {
      const out = sasl.handshake(decodeSaslHandshakeRequest(r, v).mechanism, v);
      encodeSaslHandshakeResponse(w, v, { errorCode: out.errorCode, mechanisms: out.mechanisms });
      break;
    }
    case ApiKey.SaslAuthenticate: {
      const out = sasl.token(decodeSaslAuthenticateRequest(r, v).authBytes);
      encodeSaslAuthenticateResponse(w, v, out.ok
        ? { errorCode: 0, errorMessage: null, authBytes: out.response, sessionLifetimeMs: 0 }
        : { errorCode: out.errorCode, errorMessage: out.message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });
      break;
    }
    case ApiKey.ApiVersions: {
      const apiKeys = advertisedVersions().map((e) => ({ ...e, maxVersion: Math.min(e.maxVersion, caps[e.apiKey] ?? e.maxVersion) }));
      if (!supported) encodeApiVersionsResponse(w, 0, { errorCode: 35, apiKeys, throttleTimeMs: 0 });
      else encodeApiVersionsResponse(w, v, { errorCode: 0, apiKeys, throttleTimeMs: 0 });
      break;
    }
    case ApiKey.Metadata: {
      const req = decodeMetadataRequest(r, v);
      const names = req.topics?.map((t) => t.name ?? 'golden') ?? ['golden'];
      encodeMetadataResponse(w, v, {
        throttleTimeMs: 0, brokers: [{ nodeId: 0, host: '127.0.0.1', port, rack: null }], clusterId: 'capture', controllerId: 0,
        topics: names.map((name) => ({
          errorCode: 0, name, topicId: ZERO_UUID, isInternal: false, topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: 0, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }],
        })),
        clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED,
      });
      break;
    }
    case ApiKey.Produce: {
      const req = decodeProduceRequest(r, v);
      if (req.acks === 0) return null;
      encodeProduceResponse(w, v, { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({
        index: p.index, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null,
      })) })) });
      break;
    }
    case ApiKey.Fetch: {
      const req = decodeFetchRequest(r, v);
      encodeFetchResponse(w, v, { throttleTimeMs: 0, errorCode: 0, sessionId: 0, topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({
        partitionIndex: p.partition, errorCode: 0, highWatermark: 0, lastStableOffset: 0, logStartOffset: 0,
        abortedTransactions: null, preferredReadReplica: -1, records: Buffer.alloc(0),
      })) })) });
      break;
    }
    case ApiKey.ListOffsets: {
      const req = decodeListOffsetsRequest(r, v);
      encodeListOffsetsResponse(w, v, { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({
        partitionIndex: p.partitionIndex, errorCode: 0, oldStyleOffsets: [0], timestamp: -1, offset: 0, leaderEpoch: 0,
      })) })) });
      break;
    }
    case ApiKey.CreateTopics: {
      const req = decodeCreateTopicsRequest(r, v);
      encodeCreateTopicsResponse(w, v, { throttleTimeMs: 0, topics: req.topics.map((t) => ({
        name: t.name, errorCode: 0, errorMessage: null, numPartitions: 1, replicationFactor: 1, configs: null,
      })) });
      break;
    }
    case ApiKey.DeleteTopics: {
      const req = decodeDeleteTopicsRequest(r, v);
      encodeDeleteTopicsResponse(w, v, { throttleTimeMs: 0, responses: req.topicNames.map((name) => ({ name, errorCode: 0, errorMessage: null })) });
      break;
    }
    default:
      return null;
  }
  return Buffer.from(w.toBuffer());
}

function save(name: string, source: string, frames: CapturedFrame[]): void {
  const doc = {
    source,
    note: 'Request frames (header + body, without the int32 size prefix) as the client sent them to a loopback capture broker (scripts/capture-clients.ts). First frame of each (api_key, api_version).',
    captured: new Date().toISOString().slice(0, 10),
    frames,
  };
  writeFileSync(new URL(`${name}.json`, FIXTURES), JSON.stringify(doc, null, 2) + '\n');
  console.log(`${name}: ${frames.map((f) => `${f.apiKey}v${f.apiVersion}`).join(' ')}`);
}

/** Fixture name prefixes from the command line; none = capture everything. */
const ONLY = process.argv.slice(2);
const wanted = (name: string): boolean => ONLY.length === 0 || ONLY.some((p) => name.startsWith(p));

async function kcat(name: string, args: string[], caps: Record<number, number> = {}, stdin?: string): Promise<void> {
  if (!wanted(name)) return;
  const b = await broker(caps);
  const full = ['-b', `127.0.0.1:${b.port}`, ...args];
  const child = run('timeout', ['8', 'kcat', ...full], { encoding: 'utf8' });
  if (stdin !== undefined) { child.child.stdin?.end(stdin); }
  await child.catch(() => undefined);
  b.close();
  const { stdout } = await run('kcat', ['-V']);
  save(name, `kcat ${stdout.split('\n')[3]?.trim() ?? 'kcat'}; command: kcat ${args.join(' ')}${Object.keys(caps).length ? `; broker capped versions ${JSON.stringify(caps)}` : ''}`, b.frames);
}

async function kafkajs(): Promise<void> {
  const b = await broker();
  const kafka = new Kafka({ clientId: 'capture', brokers: [`127.0.0.1:${b.port}`], logLevel: logLevel.NOTHING, retry: { retries: 1 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'golden', numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '60000' }] }] });
  await admin.fetchTopicOffsets('golden');
  await admin.deleteTopics({ topics: ['golden-old'] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: 'golden', messages: [{ key: 'k', value: 'v1', timestamp: '1700000000000' }, { value: 'v2', timestamp: '1700000000001' }] });
  await producer.disconnect();
  b.close();
  save('kafkajs-admin-producer', 'kafkajs 2.2 (admin.connect, createTopics, fetchTopicOffsets, deleteTopics; producer.send with 2 messages)', b.frames);
}

/**
 * kafkajs Fetch without a consumer group (its consumer needs JoinGroup, which vonnegut does not speak):
 * frames from kafkajs's own request builders (protocol/request.js + requests/fetch), not a socket capture.
 */
async function kafkajsFetch(): Promise<void> {
  const require = createRequire(import.meta.url);
  const buildFrame = require('kafkajs/src/protocol/request') as (o: object) => Promise<{ buffer: Buffer }>;
  const fetchRequests = require('kafkajs/src/protocol/requests/fetch') as {
    protocol: (o: { version: number }) => (args: object) => { request: object };
  };
  const frames: CapturedFrame[] = [];
  for (const version of [0, 4, 7, 11]) {
    const { request } = fetchRequests.protocol({ version })({
      replicaId: -1, maxWaitTime: 5000, minBytes: 1, maxBytes: 10485760, isolationLevel: 1, rackId: '',
      topics: [{ topic: 'golden', partitions: [{ partition: 0, fetchOffset: '42', maxBytes: 1048576 }] }],
    });
    const framed = (await buildFrame({ correlationId: 7, clientId: 'capture', request })).buffer;
    frames.push({ apiKey: ApiKey.Fetch, apiVersion: version, hex: framed.subarray(4).toString('hex') });
  }
  save('kafkajs-fetch-encoder', 'kafkajs 2.2 request builders (src/protocol/request.js + requests/fetch v0/v4/v7/v11); not a socket capture', frames);
}

async function main(): Promise<void> {
  // librdkafka 2.0.2 (kcat 1.7.1) was observed to send ApiVersions v3 even with api.version.request=false and
  // broker.version.fallback=0.10.0, so old versions are steered by capping what the capture broker advertises.
  await kcat('kcat-metadata', ['-L']);
  await kcat('kcat-metadata-v0-capped', ['-L'], { [ApiKey.Metadata]: 0 });
  await kcat('kcat-produce', ['-P', '-t', 'golden', '-k', 'key', '-X', 'linger.ms=0'], {}, 'hello\nworld\n');
  await kcat('kcat-produce-gzip', ['-P', '-t', 'golden', '-z', 'gzip', '-X', 'linger.ms=0'], {}, 'hello\nworld\n');
  await kcat('kcat-produce-v2-capped', ['-P', '-t', 'golden', '-X', 'linger.ms=0'], { [ApiKey.Produce]: 2 }, 'hello\nworld\n');
  await kcat('kcat-produce-v0-capped', ['-P', '-t', 'golden', '-X', 'linger.ms=0'], { [ApiKey.Produce]: 0, [ApiKey.Metadata]: 0 }, 'hello\nworld\n');
  await kcat('kcat-consume', ['-C', '-t', 'golden', '-o', 'beginning', '-e']);
  await kcat('kcat-consume-capped', ['-C', '-t', 'golden', '-o', 'beginning', '-e'],
    { [ApiKey.Fetch]: 4, [ApiKey.ListOffsets]: 0, [ApiKey.Metadata]: 1 });
  for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
    await kcat(`kcat-sasl-${mechanism.toLowerCase()}`, ['-L', '-X', 'security.protocol=SASL_PLAINTEXT', '-X', `sasl.mechanisms=${mechanism}`,
      '-X', `sasl.username=${CAPTURE_USER.name}`, '-X', `sasl.password=${CAPTURE_USER.password}`]);
  }
  if (wanted('kafkajs-admin-producer')) await kafkajs();
  if (wanted('kafkajs-fetch-encoder')) await kafkajsFetch();
}

await main();
