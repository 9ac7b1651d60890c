/**
 * Helpers for golden-bytes tests: bytes written out field by field from Kafka's message schemas
 * (clients/src/main/resources/common/message/*.json), checked both ways against a codec.
 */
import type { ExecutionContext } from 'ava';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';

/** Hex laid out field by field: whitespace is ignored and `|` starts a comment to the end of the line. */
export function golden(s: string): Buffer {
  const hex = s.split('\n').map((line) => line.split('|')[0]!).join('').replace(/\s/g, '');
  if (!/^([0-9a-f]{2})*$/.test(hex)) throw new Error(`not hex: ${hex}`);
  return Buffer.from(hex, 'hex');
}

/** A string's UTF-8 bytes in hex. */
export function hexOf(s: string): string {
  return Buffer.from(s).toString('hex');
}

/** A classic (non-flexible) string: int16 length, then UTF-8 (short strings only). */
export function str16(s: string): string {
  return Buffer.from([0, Buffer.byteLength(s)]).toString('hex') + hexOf(s);
}

/** A compact (flexible) string: length + 1 as an unsigned varint (short strings: one byte), then UTF-8. */
export function compact(s: string): string {
  return Buffer.from([Buffer.byteLength(s) + 1]).toString('hex') + hexOf(s);
}

/** Decoding `bytes` gives `value` (consuming every byte), and encoding `value` gives `bytes` back. */
export function check<T>(t: ExecutionContext, bytes: Buffer, value: T, enc: (w: Writer, v: T) => void, dec: (r: Reader) => T): void {
  const r = new Reader(bytes);
  t.deepEqual(dec(r), value);
  t.is(r.remaining, 0, 'decoder consumed every byte');
  const w = new Writer(64);
  enc(w, value);
  t.is(Buffer.from(w.toBuffer()).toString('hex'), bytes.toString('hex'));
}
