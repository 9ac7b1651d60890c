/**
 * Bounds-checked reader over a Buffer for Kafka's primitive types (classic and flexible encodings).
 * Every length is checked against the bytes that remain before anything is allocated, so a length
 * field of 2^31 in hostile input costs nothing but a DecodeError.
 */
import { DecodeError } from './errors.ts';

export class Reader {
  offset: number;
  readonly buf: Buffer;
  readonly end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new DecodeError(`need ${n} bytes at offset ${this.offset}, have ${this.end - this.offset}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  uint8(): number {
    this.need(1);
    return this.buf[this.offset++]!;
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** An int64 that must fit a JS number exactly (offsets, timestamps): larger values are malformed input. */
  int64n(): number {
    const v = this.int64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DecodeError(`int64 ${v} out of safe range`);
    }
    return Number(v);
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  uuid(): Buffer {
    return this.raw(16);
  }

  /** Unsigned LEB128 varint of up to 32 bits (flexible versions' lengths and tags). */
  uvarint(): number {
    // One byte (values below 128) is most lengths and record fields: no loop, no power.
    const o = this.offset;
    if (o < this.end) {
      const b = this.buf[o]!;
      if (b < 0x80) {
        this.offset = o + 1;
        return b;
      }
    }
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.uint8();
      if (shift === 28 && b > 0x0f) throw new DecodeError('unsigned varint longer than 32 bits');
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  /** Zigzag varint of up to 32 bits (record fields). */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Zigzag varlong (record timestamp and offset deltas), which must fit a JS number. */
  varlong(): number {
    // Up to 7 bytes (49 bits) in plain numbers, exact: every record's timestamp delta comes through
    // here, and BigInt arithmetic per record was a visible share of a consumer's decoding.
    const buf = this.buf;
    let o = this.offset;
    let u = 0;
    let scale = 1;
    for (let i = 0; i < 7 && o < this.end; i++, scale *= 128) {
      const b = buf[o++]!;
      u += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.offset = o;
        return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      }
    }
    return this.varlongSlow();
  }

  /** varlong of 8 to 10 bytes (or truncated), with BigInt. */
  private varlongSlow(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.uint8();
      if (shift > 63n) throw new DecodeError('varlong longer than 64 bits');
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    const v = (result >> 1n) ^ -(result & 1n);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DecodeError(`varlong ${v} out of safe range`);
    }
    return Number(v);
  }

  /** `n` raw bytes as a view into the underlying buffer (no copy). */
  raw(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  skip(n: number): void {
    this.need(n);
    this.offset += n;
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw new DecodeError('null where a string is required');
    return s;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    return this.raw(len).toString('utf8');
  }

  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new DecodeError('null where a compact string is required');
    return s;
  }

  compactNullableString(): string | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    return this.raw(len).toString('utf8');
  }

  bytes(): Buffer {
    const b = this.nullableBytes();
    if (b === null) throw new DecodeError('null where bytes are required');
    return b;
  }

  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    return this.raw(len);
  }

  compactBytes(): Buffer {
    const b = this.compactNullableBytes();
    if (b === null) throw new DecodeError('null where compact bytes are required');
    return b;
  }

  compactNullableBytes(): Buffer | null {
    const len = this.uvarint() - 1;
    if (len < 0) return null;
    return this.raw(len);
  }

  /** Bytes with a zigzag varint length (record keys, values, header keys and values); -1 is null. */
  varintBytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    return this.raw(len);
  }

  /** An array with an int32 count; each element needs at least one byte, which bounds the count. */
  array<T>(item: (r: Reader) => T): T[] {
    const n = this.nullableArrayCount(this.int32());
    return n === null ? [] : this.items(n, item);
  }

  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.nullableArrayCount(this.int32());
    return n === null ? null : this.items(n, item);
  }

  compactArray<T>(item: (r: Reader) => T): T[] {
    const n = this.nullableArrayCount(this.uvarint() - 1);
    return n === null ? [] : this.items(n, item);
  }

  compactNullableArray<T>(item: (r: Reader) => T): T[] | null {
    const n = this.nullableArrayCount(this.uvarint() - 1);
    return n === null ? null : this.items(n, item);
  }

  private nullableArrayCount(n: number): number | null {
    if (n < 0) return null;
    if (n > this.remaining) throw new DecodeError(`array of ${n} elements in ${this.remaining} bytes`);
    return n;
  }

  private items<T>(n: number, item: (r: Reader) => T): T[] {
    const out: T[] = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }

  /** Tagged fields of flexible versions: returns the ones present by tag, as raw bytes. */
  taggedFields(): Map<number, Buffer> {
    const n = this.uvarint();
    if (n > this.remaining) throw new DecodeError(`${n} tagged fields in ${this.remaining} bytes`);
    const out = new Map<number, Buffer>();
    for (let i = 0; i < n; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      out.set(tag, this.raw(size));
    }
    return out;
  }
}
