/**
 * Record-batch compression codecs, numbered as Kafka numbers them in bits 0-2 of a batch's attributes:
 * 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. What is compressed is the records section of a batch (every
 * record, back to back); the batch header and record count stay uncompressed.
 *
 *   gzip    RFC 1952 (node:zlib).
 *   snappy  read: raw snappy (librdkafka, kafkajs-snappy) or xerial framing (Kafka's Java client):
 *             "\x82SNAPPY\x00" int32 version int32 compatible, then chunks of int32 length + raw snappy.
 *           write: xerial, as Kafka itself writes it. Every client reads xerial (librdkafka and
 *           kafkajs-snappy detect the magic), while older Java clients' SnappyInputStream handles raw
 *           blocks only through a fallback, so xerial is the form that every reader accepts.
 *   lz4     the LZ4 frame format (magic 0x184D2204), as Kafka uses for magic 2.
 *   zstd    a zstd frame; the wasm module must be loaded once with `initCompression()`.
 *
 * Decompression is bounded by MAX_DECOMPRESSED_BYTES (or a caller's smaller cap): where the format
 * declares the output size up front (snappy, zstd and lz4 frames with a content size) it is checked before
 * anything is allocated; gzip is stopped by zlib at the cap; LZ4 frames without a content size expand at
 * most ~255x, so their output is bounded by the input a batch can carry and is checked afterwards.
 * Everything here is synchronous after `initCompression()`; the module holds no per-call state.
 */
import * as zlib from 'node:zlib';
import * as snappy from 'snappy';
import * as lz4 from 'lz4-napi';
import * as zstd from '@bokuweb/zstd-wasm';
import { DecodeError } from './errors.ts';

/** Kafka's compression codec ids (attributes bits 0-2). */
export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof Compression;
export type CompressionCode = (typeof Compression)[CompressionName];

/** Largest output any decompression may produce: a zip bomb costs a DecodeError, not the heap. */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;
/** snappy-java's default block size, which Kafka's SnappyOutputStream uses. */
const XERIAL_BLOCK_BYTES = 32 * 1024;
const ZSTD_MAGIC = 0xfd2fb528;
const LZ4_MAGIC = 0x184d2204;
/** Kafka's default zstd level (ZSTD_CLEVEL_DEFAULT). */
const ZSTD_LEVEL = 3;
/** First output buffer for zstd frames that do not declare their size; doubled up to the cap. */
const ZSTD_FIRST_GUESS_BYTES = 1024 * 1024;

let zstdReady: Promise<void> | undefined;
let zstdLoaded = false;

/** Loads the zstd wasm module once; call (and await) before compressing or decompressing zstd. */
export function initCompression(): Promise<void> {
  zstdReady ??= zstd.init().then(() => {
    zstdLoaded = true;
  });
  return zstdReady;
}

/** The codec name for an attributes value or codec id; throws DecodeError for ids 5-7. */
export function compressionName(code: number): CompressionName {
  switch (code & 0x07) {
    case 0: return 'none';
    case 1: return 'gzip';
    case 2: return 'snappy';
    case 3: return 'lz4';
    case 4: return 'zstd';
    default: throw new DecodeError(`unknown compression codec ${code & 0x07}`);
  }
}

/** Compresses `data` with the codec Kafka numbers `code`. */
export function compress(code: CompressionCode, data: Buffer): Buffer {
  switch (code) {
    case Compression.none: return data;
    case Compression.gzip: return zlib.gzipSync(data);
    case Compression.snappy: return xerialCompress(data);
    case Compression.lz4: return lz4.compressFrameSync(data);
    case Compression.zstd: return Buffer.from(zstd.compress(data, ZSTD_LEVEL));
  }
}

/** Decompresses `data`; malformed input or output beyond `maxBytes` is a DecodeError. */
export function decompress(code: number, data: Buffer, maxBytes = MAX_DECOMPRESSED_BYTES): Buffer {
  const name = compressionName(code);
  try {
    let out: Buffer;
    switch (name) {
      case 'none': out = data; break;
      case 'gzip': out = zlib.gunzipSync(data, { maxOutputLength: maxBytes }); break;
      case 'snappy': out = snappyDecompress(data, maxBytes); break;
      case 'lz4': out = lz4Decompress(data, maxBytes); break;
      case 'zstd': out = zstdDecompress(data, maxBytes); break;
    }
    if (out.length > maxBytes) throw new DecodeError(`${name} output of ${out.length} bytes exceeds ${maxBytes}`);
    return out;
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(`${name} decompression failed: ${(err as Error).message}`);
  }
}

function xerialCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_MAGIC, int32(1), int32(1)];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_BYTES) {
    const block = snappy.compressSync(data.subarray(at, Math.min(at + XERIAL_BLOCK_BYTES, data.length)));
    parts.push(int32(block.length), block);
  }
  return Buffer.concat(parts);
}

function snappyDecompress(data: Buffer, maxBytes: number): Buffer {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) {
    return rawSnappy(data, maxBytes);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_BYTES;
  while (at < data.length) {
    if (at + 4 > data.length) throw new DecodeError('xerial snappy chunk length truncated');
    const len = data.readInt32BE(at);
    at += 4;
    if (len < 0 || at + len > data.length) throw new DecodeError(`xerial snappy chunk of ${len} bytes truncated`);
    const chunk = rawSnappy(data.subarray(at, at + len), maxBytes - total);
    total += chunk.length;
    chunks.push(chunk);
    at += len;
  }
  return Buffer.concat(chunks, total);
}

/** A raw snappy block starts with its uncompressed length as an unsigned varint: check it first. */
function rawSnappy(data: Buffer, maxBytes: number): Buffer {
  let len = 0;
  for (let i = 0, shift = 0; ; i++, shift += 7) {
    if (i >= data.length || i >= 5) throw new DecodeError('snappy length header malformed');
    const b = data[i]!;
    len += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  if (len > maxBytes) throw new DecodeError(`snappy block declares ${len} bytes, more than ${maxBytes}`);
  return snappy.uncompressSync(data, { asBuffer: true }) as Buffer;
}

function lz4Decompress(data: Buffer, maxBytes: number): Buffer {
  // Frame header: magic, FLG (bit 3 = content size present), BD, then the 8-byte content size if present.
  if (data.length >= 14 && data.readUInt32LE(0) === LZ4_MAGIC && (data[4]! & 0x08) !== 0) {
    const size = Number(data.readBigUInt64LE(6));
    if (size > maxBytes) throw new DecodeError(`lz4 frame declares ${size} bytes, more than ${maxBytes}`);
  }
  return lz4.decompressFrameSync(data);
}

function zstdDecompress(data: Buffer, maxBytes: number): Buffer {
  if (!zstdLoaded) throw new Error('zstd used before initCompression() resolved');
  const declared = zstdContentSize(data);
  if (declared !== null) {
    if (declared > maxBytes) throw new DecodeError(`zstd frame declares ${declared} bytes, more than ${maxBytes}`);
    return Buffer.from(zstd.decompress(data, { defaultHeapSize: Math.max(declared, 1) }));
  }
  // Streaming writers (Kafka's Java client, librdkafka) omit the size: grow the output buffer up to the cap.
  for (let guess = Math.min(ZSTD_FIRST_GUESS_BYTES, maxBytes); ; guess = Math.min(guess * 2, maxBytes)) {
    try {
      return Buffer.from(zstd.decompress(data, { defaultHeapSize: guess }));
    } catch (err) {
      if (guess >= maxBytes) throw new DecodeError(`zstd frame malformed or larger than ${maxBytes} bytes: ${(err as Error).message}`);
    }
  }
}

/** The content size a zstd frame header declares, or null when it declares none. */
function zstdContentSize(data: Buffer): number | null {
  if (data.length < 5 || data.readUInt32LE(0) !== ZSTD_MAGIC) throw new DecodeError('not a zstd frame');
  const descriptor = data[4]!;
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const dictIdBytes = [0, 1, 2, 4][descriptor & 0x03]!;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
  if (fcsBytes === 0) return null;
  const at = 5 + (singleSegment ? 0 : 1) + dictIdBytes;
  if (at + fcsBytes > data.length) throw new DecodeError('zstd frame header truncated');
  switch (fcsBytes) {
    case 1: return data[at]!;
    case 2: return data.readUInt16LE(at) + 256;
    case 4: return data.readUInt32LE(at);
    default: return Number(data.readBigUInt64LE(at));
  }
}

function int32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v, 0);
  return b;
}
