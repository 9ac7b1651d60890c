/**
 * Golden request frames captured from kcat 1.7.1 and kafkajs 2.2 (node/test/fixtures/*.json), replayed
 * byte for byte against a live node: every response must decode completely in that API version's layout
 * and say what the request deserved. The codec tests prove the frames parse; this proves the running
 * server answers them in the layout the real client will read. kcat's SASL captures go to a second node
 * with SASL_PLAINTEXT and the capture's user: PLAIN replays whole (login, then Metadata); a SCRAM
 * replay stops after its first SaslAuthenticate, since the client-final message answers the capture
 * server's random nonce, which a replay cannot reproduce.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ApiKey, advertisedVersions, SUPPORTED } from '../node/src/protocol/api-keys.ts';
import * as apis from '../node/src/protocol/apis/index.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { encodeRecordBatch, decodeRecordBatches } from '../node/src/protocol/record-batch.ts';
import type { Reader } from '../node/src/protocol/reader.ts';
import { fixtures } from '../node/test/protocol/fixtures.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { KafkaWire } from './lib/kafka-wire.ts';

const TOPIC = 'golden';

let node: NodeProcess;
/** The node the SASL captures log in to, as the capture's user. */
let saslNode: NodeProcess;
let usersDir = '';
let wire: KafkaWire;
test.before(async () => {
  node = await startNodeProcess();
  usersDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-golden-users-'));
  fs.writeFileSync(path.join(usersDir, 'users.json'), JSON.stringify({ users: [{ name: 'capture', password: 'capture-password' }] }));
  saslNode = await startNodeProcess({ args: ['--security-protocol', 'SASL_PLAINTEXT', '--sasl-users-file', path.join(usersDir, 'users.json')] });
  wire = await KafkaWire.connect(node.address);
  // The captured frames name topic "golden"; give it two records so fetches have something to return.
  const r = await wire.produce(TOPIC, 0, encodeRecordBatch({ records: [{ key: 'a', value: 'one' }, { key: 'b', value: 'two' }] }), -1);
  if (r.errorCode !== 0) throw new Error(`seeding produce failed: ${r.errorCode}`);
});
test.after.always(async () => {
  wire?.close();
  await node?.destroy();
  await saslNode?.destroy();
  if (usersDir) fs.rmSync(usersDir, { recursive: true, force: true });
});

const ok = ErrorCode.NONE.code;

/** Decodes a response for its API and checks what it says; returns a description for failures. */
async function check(apiKey: number, version: number, r: Reader, logEndBefore: number, target: NodeProcess): Promise<string[]> {
  const problems: string[] = [];
  const expect = (cond: boolean, what: string): void => {
    if (!cond) problems.push(what);
  };
  switch (apiKey) {
    case ApiKey.ApiVersions: {
      const res = apis.decodeApiVersionsResponse(r, version);
      expect(res.errorCode === ok, `ApiVersions error ${res.errorCode}`);
      expect(JSON.stringify(res.apiKeys) === JSON.stringify(advertisedVersions()), 'ApiVersions ranges differ from SUPPORTED');
      expect(res.apiKeys.every((k) => k.minVersion === 0), 'an API is advertised without version 0');
      break;
    }
    case ApiKey.Metadata: {
      const res = apis.decodeMetadataResponse(r, version);
      expect(res.brokers.length === 1 && res.brokers[0]!.host === '127.0.0.1' && res.brokers[0]!.port === target.port, `brokers ${JSON.stringify(res.brokers)}`);
      for (const t of res.topics) {
        expect(t.errorCode === ok, `metadata topic ${t.name} error ${t.errorCode}`);
        expect(t.partitions.every((p) => p.errorCode === ok && p.leaderId === res.brokers[0]!.nodeId), `metadata partitions of ${t.name}`);
      }
      break;
    }
    case ApiKey.Produce: {
      const p = apis.decodeProduceResponse(r, version).topics[0]!.partitions[0]!;
      expect(p.errorCode === ok, `produce error ${p.errorCode}`);
      // The captured batch lands exactly at the log end it found.
      expect(p.baseOffset === logEndBefore, `produce base offset ${p.baseOffset}, log end was ${logEndBefore}`);
      break;
    }
    case ApiKey.Fetch: {
      const res = apis.decodeFetchResponse(r, version);
      for (const t of res.topics) {
        for (const p of t.partitions) {
          // The capture broker had other offsets: out of range is a correct answer, as is data.
          expect(p.errorCode === ok || p.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE.code, `fetch error ${p.errorCode}`);
          expect(p.highWatermark === logEndBefore, `fetch hwm ${p.highWatermark}, expected ${logEndBefore}`);
          if (p.records && p.records.length > 0 && version >= 4) {
            const batches = [...decodeRecordBatches(p.records)];
            expect(batches.length > 0 && batches[0]!.records.length > 0, 'fetched records do not decode');
          }
        }
      }
      break;
    }
    case ApiKey.ListOffsets: {
      const p = apis.decodeListOffsetsResponse(r, version).topics[0]!.partitions[0]!;
      expect(p.errorCode === ok, `list offsets error ${p.errorCode}`);
      const offset = version === 0 ? p.oldStyleOffsets[0] : p.offset;
      expect(offset === 0 || offset === logEndBefore, `list offsets answered ${offset}`);
      break;
    }
    case ApiKey.CreateTopics: {
      for (const t of apis.decodeCreateTopicsResponse(r, version).topics) {
        expect(t.errorCode === ok || t.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS.code, `create ${t.name} error ${t.errorCode}`);
      }
      break;
    }
    case ApiKey.DeleteTopics: {
      for (const t of apis.decodeDeleteTopicsResponse(r, version).responses) {
        // The captured request deletes a topic that exists only on the capture broker.
        expect(t.errorCode === ok || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code, `delete ${t.name} error ${t.errorCode}`);
      }
      break;
    }
    case ApiKey.SaslHandshake: {
      const res = apis.decodeSaslHandshakeResponse(r, version);
      expect(res.errorCode === ok, `SaslHandshake error ${res.errorCode}`);
      expect(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'].every((m) => res.mechanisms.includes(m)), `mechanisms ${res.mechanisms.join(',')}`);
      break;
    }
    case ApiKey.SaslAuthenticate: {
      const res = apis.decodeSaslAuthenticateResponse(r, version);
      expect(res.errorCode === ok, `SaslAuthenticate error ${res.errorCode}: ${res.errorMessage}`);
      break;
    }
    default:
      problems.push(`fixture holds api ${apiKey}, which the test does not know`);
  }
  if (r.remaining !== 0) problems.push(`${r.remaining} bytes left after decoding api ${apiKey} v${version}`);
  return problems;
}

for (const [file, fixture] of fixtures) {
  test.serial(`replayed ${file} frames get responses that decode completely at their versions`, async (t) => {
    // One connection per capture, as the client had: the frames go out in the order they were sent.
    const sasl = file.startsWith('kcat-sasl-');
    const target = sasl ? saslNode : node;
    const conn = await KafkaWire.connect(target.address);
    try {
      for (const frame of fixture.frames) {
        const bytes = Buffer.from(frame.hex, 'hex');
        const logEnd = (await wire.listOffset(TOPIC, 0, -1)).offset;
        const r = await conn.sendFrame(frame.apiKey, frame.apiVersion, bytes.readInt32BE(4), bytes);
        t.deepEqual(await check(frame.apiKey, frame.apiVersion, r, logEnd, target), [], `${file}: api ${frame.apiKey} v${frame.apiVersion}`);
        if (frame.apiKey === ApiKey.SaslAuthenticate && file.includes('scram')) break;
      }
      t.false(conn.isClosed, 'the node kept the connection open');
    } finally {
      conn.close();
    }
  });
}

test.serial('ApiVersions at every supported version advertises min 0 for every API and the same ranges', async (t) => {
  for (let v = SUPPORTED[ApiKey.ApiVersions]!.min; v <= SUPPORTED[ApiKey.ApiVersions]!.max; v++) {
    const res = await wire.apiVersions(v);
    t.is(res.errorCode, 0);
    t.deepEqual(res.apiKeys, advertisedVersions(), `ApiVersions v${v}`);
    t.true(res.apiKeys.every((k) => k.minVersion === 0), `ApiVersions v${v}`);
  }
});
