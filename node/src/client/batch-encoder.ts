/**
 * The producer's RecordBatch v2 encoder, tuned for the hot path: it measures every record first, then
 * allocates the batch once and writes records straight into it (one copy of each value, no scratch
 * buffers, zigzag varints in plain numbers instead of BigInt). Its bytes are identical to
 * protocol/record-batch.ts's `encodeRecordBatch`, which remains the reference and which compressed
 * batches still go through (compression needs the uncompressed records in one buffer anyway).
 */
import { crc32c } from '@node-rs/crc32';
import { encodeRecordBatch, type RecordInput } from '../protocol/record-batch.ts';
import type { CompressionName } from '../protocol/compression.ts';

const BATCH_HEADER_SIZE = 61;
const LOG_OVERHEAD = 12;
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;

/** An idempotent producer's identity and the sequence of a batch's first record. */
export interface BatchProducer {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

/** Encodes `records` as one batch (base offset 0: the head assigns offsets), optionally as an idempotent producer's. */
export function encodeBatch(records: readonly RecordInput[], compression: CompressionName = 'none', now = Date.now(), producer?: BatchProducer): Buffer {
  if (compression !== 'none') return encodeRecordBatch({ records: [...records], compression, timestamp: now, ...producer });
  const n = records.length;
  const baseTimestamp = n > 0 ? records[0]!.timestamp ?? now : now;
  let maxTimestamp = n > 0 ? -Infinity : now;
  // Pass 1: sizes. Strings are converted once here and the Buffers kept for pass 2.
  const keys: (Buffer | null)[] = new Array<Buffer | null>(n);
  const values: (Buffer | null)[] = new Array<Buffer | null>(n);
  const bodySizes = new Array<number>(n);
  let total = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    const ts = r.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const k = toBytes(r.key ?? null);
    const v = toBytes(r.value);
    keys[i] = k;
    values[i] = v;
    let size = 1 + varlongSize(ts - baseTimestamp) + varintSize(i) + bytesSize(k) + bytesSize(v);
    const headers = r.headers;
    size += varintSize(headers?.length ?? 0);
    if (headers) for (const h of headers) size += bytesSize(Buffer.byteLength(h.key)) + bytesSize(toBytes(h.value));
    bodySizes[i] = size;
    total += varintSize(size) + size;
  }
  const buf = Buffer.allocUnsafe(total);
  buf.writeBigInt64BE(0n, 0);
  buf.writeInt32BE(total - LOG_OVERHEAD, 8);
  buf.writeInt32BE(-1, 12); // partition leader epoch: the head stamps its own
  buf.writeInt8(2, 16); // magic
  buf.writeInt16BE(0, ATTRIBUTES_AT); // no compression, CreateTime, not transactional
  buf.writeInt32BE(Math.max(n - 1, 0), 23);
  buf.writeBigInt64BE(BigInt(baseTimestamp), 27);
  buf.writeBigInt64BE(BigInt(maxTimestamp), 35);
  buf.writeBigInt64BE(BigInt(producer?.producerId ?? -1), 43);
  buf.writeInt16BE(producer?.producerEpoch ?? -1, 51);
  buf.writeInt32BE(producer?.baseSequence ?? -1, 53);
  buf.writeInt32BE(n, 57);
  // Pass 2: records.
  let at = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    at = uvarint(buf, at, zigzag(bodySizes[i]!));
    buf[at++] = 0; // record attributes
    at = uvarint(buf, at, zigzag((r.timestamp ?? now) - baseTimestamp));
    at = uvarint(buf, at, zigzag(i));
    at = writeBytes(buf, at, keys[i]!);
    at = writeBytes(buf, at, values[i]!);
    const headers = r.headers;
    at = uvarint(buf, at, zigzag(headers?.length ?? 0));
    if (headers) {
      for (const h of headers) {
        const len = Buffer.byteLength(h.key);
        at = uvarint(buf, at, zigzag(len));
        at += buf.write(h.key, at, 'utf8');
        at = writeBytes(buf, at, toBytes(h.value));
      }
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(ATTRIBUTES_AT)), CRC_AT);
  return buf;
}

function toBytes(v: Buffer | string | null): Buffer | null {
  return v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** Zigzag in doubles: exact for |v| < 2^52, which covers offsets, sizes and timestamp deltas. */
function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function uvarintSize(z: number): number {
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

function varintSize(v: number): number {
  return uvarintSize(zigzag(v));
}

const varlongSize = varintSize;

/** Size of a varint-length-prefixed byte array (length -1 for null), or of a length alone. */
function bytesSize(b: Buffer | null | number): number {
  if (b === null) return 1;
  const len = typeof b === 'number' ? b : b.length;
  return varintSize(len) + len;
}

function uvarint(buf: Buffer, at: number, z: number): number {
  while (z >= 0x80) {
    buf[at++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[at++] = z;
  return at;
}

function writeBytes(buf: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return uvarint(buf, at, 1); // zigzag(-1)
  at = uvarint(buf, at, zigzag(b.length));
  b.copy(buf, at);
  return at + b.length;
}
