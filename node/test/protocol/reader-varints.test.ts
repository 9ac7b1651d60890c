import test from 'ava';
import { DecodeError } from '../../src/protocol/errors.ts';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';
import { prng } from '../../../e2e/lib/prng.ts';

/** Values at every varint length boundary (7-bit groups) and the safe-integer ends, both signs. */
const EDGES = [0, 1, 63, 64, 127, 128, 8191, 8192, 2 ** 31 - 1, 2 ** 35, 2 ** 48 - 1, 2 ** 48, 2 ** 49, 2 ** 52, Number.MAX_SAFE_INTEGER]
  .flatMap((v) => [v, -v, v - 1, -v - 1]).filter((v) => Number.isSafeInteger(v));

test('varlong reads back every value Writer.varlong wrote, short (plain numbers) and long (BigInt)', (t) => {
  const rand = prng(19);
  const values = [...EDGES, ...Array.from({ length: 2000 }, () => Math.round((rand() - 0.5) * 2 ** (1 + Math.floor(rand() * 53))))];
  const w = new Writer();
  for (const v of values) w.varlong(v);
  const r = new Reader(Buffer.from(w.toBuffer()));
  for (const v of values) t.is(r.varlong(), v === 0 ? 0 : v);
  t.is(r.remaining, 0);
});

test('uvarint and varint read back what Writer wrote, one byte and longer', (t) => {
  const unsigned = [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31 - 1, 2 ** 32 - 1];
  const signed = [0, 1, -1, 63, -64, 64, -65, 2 ** 31 - 1, -(2 ** 31)];
  const w = new Writer();
  for (const v of unsigned) w.uvarint(v);
  for (const v of signed) w.varint(v);
  const r = new Reader(Buffer.from(w.toBuffer()));
  for (const v of unsigned) t.is(r.uvarint(), v);
  for (const v of signed) t.is(r.varint(), v);
  t.is(r.remaining, 0);
});

test('a truncated varint or varlong, one past 32 bits or one past the safe range is a DecodeError', (t) => {
  // 0x80 promises another byte; the reader's end comes first (also when the buffer goes on past it).
  t.throws(() => new Reader(Buffer.from([0x80])).uvarint(), { instanceOf: DecodeError });
  t.throws(() => new Reader(Buffer.from([0x80, 0x01]), 0, 1).varlong(), { instanceOf: DecodeError });
  t.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).varlong(), { instanceOf: DecodeError });
  t.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f])).uvarint(), { instanceOf: DecodeError });
  // Nine bytes holding 2^62, zigzag 2^61: a valid 64-bit varlong, but no exact JS number.
  const big = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
  t.throws(() => new Reader(big).varlong(), { instanceOf: DecodeError, message: /out of safe range/ });
});
