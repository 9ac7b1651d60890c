/**
 * Bounded decoding: seeded mutations of golden frames and sample encodings must either decode or throw
 * DecodeError/KafkaError, never another exception type; huge length fields must fail before allocating.
 */
import test from 'ava';
import { DecodeError, KafkaError } from '../../src/protocol/errors.ts';
import { decodeRequestHeader } from '../../src/protocol/header.ts';
import { decodeMessageSet, encodeMessageSet } from '../../src/protocol/message-set.ts';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';
import { ALL } from './codecs.ts';
import { fixtures } from './fixtures.ts';
import { prng } from '../../../e2e/lib/prng.ts';

const MUTATIONS_PER_INPUT = 400;
const MIN_RUNS_PER_CODEC = 3000;

const HUGE = [Buffer.from('7fffffff', 'hex'), Buffer.from('ffffffff', 'hex'), Buffer.from('7fff', 'hex'), Buffer.from('ffffff7f', 'hex'), Buffer.from('80000000', 'hex')];

function mutate(input: Buffer, rand: () => number): Buffer {
  const b = Buffer.from(input);
  const pos = Math.floor(rand() * Math.max(1, b.length));
  switch (Math.floor(rand() * 5)) {
    case 0: b[pos] = Math.floor(rand() * 256); return b;
    case 1: b[pos] ^= 1 << Math.floor(rand() * 8); return b;
    case 2: HUGE[Math.floor(rand() * HUGE.length)]!.copy(b, pos); return b;
    case 3: return b.subarray(0, pos);
    default: return Buffer.concat([b.subarray(0, pos), Buffer.from([Math.floor(rand() * 256)]), b.subarray(pos)]);
  }
}

function expectBounded(t: { fail(m: string): void }, what: string, f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (!(err instanceof DecodeError) && !(err instanceof KafkaError)) t.fail(`${what}: ${String(err)}`);
  }
}

for (const c of ALL) {
  test(`${c.name}: mutated requests and responses decode or throw DecodeError`, (t) => {
    const rand = prng(c.apiKey + 1);
    let runs = 0;
    const inputs: { version: number; bytes: Buffer; kind: 'request' | 'response' }[] = [];
    for (const v of c.versions) {
      const wq = new Writer();
      c.encodeRequest(wq, v, c.request(v));
      inputs.push({ version: v, bytes: Buffer.from(wq.toBuffer()), kind: 'request' });
      const ws = new Writer();
      c.encodeResponse(ws, v, c.response(v));
      inputs.push({ version: v, bytes: Buffer.from(ws.toBuffer()), kind: 'response' });
    }
    // APIs with few versions (SaslHandshake has two) get more mutations per input, so every codec sees as many.
    const perInput = Math.max(MUTATIONS_PER_INPUT, Math.ceil(MIN_RUNS_PER_CODEC / inputs.length));
    for (const { version, bytes, kind } of inputs) {
      for (let i = 0; i < perInput; i++) {
        const m = mutate(bytes, rand);
        runs++;
        expectBounded(t, `${kind} v${version} ${m.toString('hex')}`, () =>
          kind === 'request' ? c.decodeRequest(new Reader(m), version) : c.decodeResponse(new Reader(m), version));
      }
    }
    t.true(runs >= MIN_RUNS_PER_CODEC);
  });
}

test('mutated golden frames: header and body decode or throw DecodeError', (t) => {
  const rand = prng(7);
  let runs = 0;
  for (const [, f] of fixtures) {
    for (const frame of f.frames) {
      const bytes = Buffer.from(frame.hex, 'hex');
      for (let i = 0; i < 300; i++) {
        const m = mutate(bytes, rand);
        runs++;
        expectBounded(t, m.toString('hex'), () => {
          const h = decodeRequestHeader(m);
          const c = ALL.find((x) => x.apiKey === h.apiKey);
          if (h.supported && c) c.decodeRequest(new Reader(m, h.bodyOffset), h.apiVersion);
        });
      }
    }
  }
  t.true(runs > 5000);
});

test('mutated message sets decode or throw DecodeError/KafkaError', (t) => {
  const rand = prng(11);
  const set = encodeMessageSet([
    { offset: 0, timestamp: 1, key: Buffer.from('k'), value: Buffer.from('v') },
    { offset: 1, timestamp: 2, key: null, value: Buffer.alloc(40, 1) },
  ], 1);
  for (let i = 0; i < 3000; i++) {
    const m = mutate(set, rand);
    expectBounded(t, m.toString('hex'), () => decodeMessageSet(m, { allowTruncatedTail: rand() < 0.5 }));
  }
  t.pass();
});

test('a 0x7fffffff array count or string length fails at once without allocating', (t) => {
  const before = process.memoryUsage().arrayBuffers;
  for (const c of ALL) {
    for (const v of c.versions) {
      const huge = Buffer.concat([Buffer.from('7fffffff7fffffff7fffffff', 'hex'), Buffer.alloc(8)]);
      expectBounded(t, `${c.name} v${v}`, () => c.decodeRequest(new Reader(huge), v));
      expectBounded(t, `${c.name} v${v}`, () => c.decodeResponse(new Reader(huge), v));
    }
  }
  t.true(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
});
