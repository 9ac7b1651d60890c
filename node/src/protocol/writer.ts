/**
 * Growable writer for Kafka's primitive types (classic and flexible encodings). The buffer doubles as
 * it fills, so encoding a response costs amortised O(size) with few allocations.
 */
import { writeUvarint, zigzag } from './varint.ts';

export class Writer {
  private buf: Buffer;
  /** Bytes written to this writer's own buffer (external chunks are not counted). */
  offset = 0;
  /**
   * With `keepBytesOver` set, `raw` keeps byte arrays of at least that size by reference instead of
   * copying them: a Fetch response's records go to the socket as they were read, and the writer holds
   * only the small fields around them. `toChunks` then returns the pieces in order.
   */
  private readonly keepBytesOver: number;
  private external: { at: number; bytes: Buffer }[] = [];
  private externalBytes = 0;

  constructor(initialSize = 256, opts: { keepBytesOver?: number } = {}) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.keepBytesOver = opts.keepBytesOver ?? 0;
  }

  /** Every byte written, own and external. */
  get length(): number {
    return this.offset + this.externalBytes;
  }

  private ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.offset + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  /** The bytes written so far (a view, valid until the next write). Not for writers holding external chunks. */
  toBuffer(): Buffer {
    if (this.external.length > 0) throw new Error('writer holds external chunks: use toChunks()');
    return this.buf.subarray(0, this.offset);
  }

  /** Everything written, in order: views of the own buffer between the external chunks kept by reference. */
  toChunks(): Buffer[] {
    const out: Buffer[] = [];
    let from = 0;
    for (const { at, bytes } of this.external) {
      if (at > from) out.push(this.buf.subarray(from, at));
      out.push(bytes);
      from = at;
    }
    if (this.offset > from || out.length === 0) out.push(this.buf.subarray(from, this.offset));
    return out;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset);
    this.offset += 1;
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.offset);
    this.offset += 4;
    return this;
  }

  int64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v), this.offset);
    this.offset += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.offset);
    this.offset += 8;
    return this;
  }

  uuid(v: Buffer): this {
    return this.raw(v.length === 16 ? v : Buffer.alloc(16));
  }

  uvarint(v: number): this {
    this.ensure(5);
    this.offset = writeUvarint(this.buf, this.offset, v);
    return this;
  }

  varint(v: number): this {
    return this.uvarint(zigzag(v));
  }

  varlong(v: number): this {
    let z = BigInt(v);
    z = (z << 1n) ^ (z >> 63n);
    z = BigInt.asUintN(64, z);
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.offset++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.offset++] = Number(z);
    return this;
  }

  raw(b: Uint8Array): this {
    if (this.keepBytesOver > 0 && b.length >= this.keepBytesOver) {
      const bytes = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      this.external.push({ at: this.offset, bytes });
      this.externalBytes += b.length;
      return this;
    }
    this.ensure(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  string(s: string): this {
    return this.nullableString(s);
  }

  nullableString(s: string | null): this {
    if (s === null) return this.int16(-1);
    const len = Buffer.byteLength(s);
    this.int16(len);
    this.ensure(len);
    this.buf.write(s, this.offset, 'utf8');
    this.offset += len;
    return this;
  }

  compactString(s: string): this {
    return this.compactNullableString(s);
  }

  compactNullableString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const len = Buffer.byteLength(s);
    this.uvarint(len + 1);
    this.ensure(len);
    this.buf.write(s, this.offset, 'utf8');
    this.offset += len;
    return this;
  }

  bytes(b: Uint8Array): this {
    return this.nullableBytes(b);
  }

  nullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    return this.int32(b.length).raw(b);
  }

  compactBytes(b: Uint8Array): this {
    return this.compactNullableBytes(b);
  }

  compactNullableBytes(b: Uint8Array | null): this {
    if (b === null) return this.uvarint(0);
    return this.uvarint(b.length + 1).raw(b);
  }

  /** Bytes with a zigzag varint length (record fields); null is -1. */
  varintBytes(b: Uint8Array | null): this {
    if (b === null) return this.varint(-1);
    return this.varint(b.length).raw(b);
  }

  array<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, item);
  }

  compactArray<T>(items: readonly T[], item: (w: Writer, v: T) => void): this {
    this.uvarint(items.length + 1);
    for (const v of items) item(this, v);
    return this;
  }

  compactNullableArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.uvarint(0);
    return this.compactArray(items, item);
  }

  /** Tagged fields of flexible versions; vonnegut writes none unless given. */
  taggedFields(fields?: ReadonlyMap<number, Uint8Array>): this {
    if (!fields || fields.size === 0) return this.uvarint(0);
    const tags = [...fields.keys()].sort((a, b) => a - b);
    this.uvarint(tags.length);
    for (const tag of tags) {
      const v = fields.get(tag)!;
      this.uvarint(tag).uvarint(v.length).raw(v);
    }
    return this;
  }

  /** Reserves an int32 to be filled later (lengths known only after the body is written). */
  reserveInt32(): number {
    const at = this.offset;
    this.int32(0);
    return at;
  }

  /** Fills an int32 reserved with `reserveInt32`. */
  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }
}
