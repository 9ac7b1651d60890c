/**
 * Golden request frames captured from real clients (node/test/fixtures/*.json, made by
 * scripts/capture-clients.ts): each must decode completely and re-encode byte for byte.
 */
import test from 'ava';
import { ApiKey } from '../../src/protocol/api-keys.ts';
import { decodeRequestHeader, requestHeaderVersion, writeRequestHeader } from '../../src/protocol/header.ts';
import { decodeMessageSet } from '../../src/protocol/message-set.ts';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';
import type { ProduceRequest } from '../../src/protocol/apis/produce.ts';
import { ALL } from './codecs.ts';
import { fixtures } from './fixtures.ts';


const codecFor = (apiKey: number) => ALL.find((c) => c.apiKey === apiKey);

test('fixtures exist for kcat and kafkajs', (t) => {
  t.true(fixtures.some(([, f]) => f.source.startsWith('kcat')));
  t.true(fixtures.some(([, f]) => f.source.startsWith('kafkajs')));
});

for (const [file, fixture] of fixtures) {
  for (const frame of fixture.frames) {
    test(`${file}: api ${frame.apiKey} v${frame.apiVersion} decodes and re-encodes byte-identically`, (t) => {
      const bytes = Buffer.from(frame.hex, 'hex');
      const h = decodeRequestHeader(bytes);
      t.true(h.supported);
      t.is(h.apiKey, frame.apiKey);
      t.is(h.apiVersion, frame.apiVersion);
      const codec = codecFor(h.apiKey)!;
      const r = new Reader(bytes, h.bodyOffset);
      const body = codec.decodeRequest(r, h.apiVersion);
      t.is(r.remaining, 0, 'body fully consumed');
      const w = new Writer();
      writeRequestHeader(w, requestHeaderVersion(h.apiKey, h.apiVersion), h);
      codec.encodeRequest(w, h.apiVersion, body);
      t.is(w.toBuffer().toString('hex'), frame.hex);
    });
  }
}

function produceOf(file: string): { version: number; req: ProduceRequest } {
  const f = fixtures.find(([name]) => name === file)![1].frames.find((x) => x.apiKey === ApiKey.Produce)!;
  const bytes = Buffer.from(f.hex, 'hex');
  const h = decodeRequestHeader(bytes);
  return { version: h.apiVersion, req: codecFor(ApiKey.Produce)!.decodeRequest(new Reader(bytes, h.bodyOffset), h.apiVersion) as ProduceRequest };
}

test('kcat Produce v0 carries a magic-0 MessageSet with both lines', (t) => {
  const { version, req } = produceOf('kcat-produce-v0-capped.json');
  t.is(version, 0);
  const set = decodeMessageSet(req.topics[0]!.partitions[0]!.records!);
  t.is(set.magic, 0);
  t.deepEqual(set.records.map((x) => x.value?.toString()), ['hello', 'world']);
});

test('kcat Produce v2 carries a magic-1 MessageSet with timestamps', (t) => {
  const { req } = produceOf('kcat-produce-v2-capped.json');
  const set = decodeMessageSet(req.topics[0]!.partitions[0]!.records!);
  t.is(set.magic, 1);
  // linger.ms=0 sends each line on its own; the capture keeps the first request.
  t.is(set.records[0]?.value?.toString(), 'hello');
  t.true(set.records.every((x) => x.timestamp > 1_600_000_000_000));
});

test('kcat and kafkajs Produce v7 carry magic-2 batches for topic golden', (t) => {
  for (const file of ['kcat-produce.json', 'kcat-produce-gzip.json', 'kafkajs-admin-producer.json']) {
    const { version, req } = produceOf(file);
    t.is(version, 7);
    t.is(req.topics[0]!.name, 'golden');
    t.is(req.topics[0]!.partitions[0]!.records![16], 2, file);
  }
});
