/**
 * Zigzag and unsigned LEB128 varints on plain numbers, written straight into a Buffer: the record fields of
 * RecordBatch v2 (lengths, deltas) and flexible versions' lengths and tags. Doubles hold every integer
 * below 2^53, so zigzag values are exact for |v| < 2^52, which covers offsets, sizes and timestamp deltas;
 * Writer.varlong keeps a BigInt path for the full 64-bit range.
 */

/** Zigzag encoding of a signed integer (0, -1, 1, -2 … -> 0, 1, 2, 3 …). */
export function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

/** Bytes of the unsigned varint `z`. */
export function uvarintSize(z: number): number {
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/** Bytes of the zigzag varint `v`. */
export function varintSize(v: number): number {
  return uvarintSize(zigzag(v));
}

/** Writes the unsigned varint `z` at `at` (the caller made room); returns the position after it. */
export function writeUvarint(buf: Buffer, at: number, z: number): number {
  while (z >= 0x80) {
    buf[at++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}
