/**
 * The producer's RecordBatch v2 encoder, tuned for the hot path: it measures every record first, then
 * allocates the batch once and writes records straight into it (one copy of each value, no scratch
 * buffers, zigzag varints in plain numbers instead of BigInt). Its bytes are identical to
 * protocol/record-batch.ts's `encodeRecordBatch`, which remains the reference and which compressed
 * batches still go through (compression needs the uncompressed records in one buffer anyway). The
 * header layout and the CRC are record-batch.ts's `sealBatch`; the varints are protocol/varint.ts's.
 */
import { BATCH_HEADER_SIZE, encodeRecordBatch, NO_PARTITION_LEADER_EPOCH, sealBatch, type RecordInput } from '../protocol/record-batch.ts';
import type { CompressionName } from '../protocol/compression.ts';
import { varintSize, writeUvarint, zigzag } from '../protocol/varint.ts';

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
  // Pass 2: records.
  let at = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    at = writeUvarint(buf, at, zigzag(bodySizes[i]!));
    buf[at++] = 0; // record attributes
    at = writeUvarint(buf, at, zigzag((r.timestamp ?? now) - baseTimestamp));
    at = writeUvarint(buf, at, zigzag(i));
    at = writeBytes(buf, at, keys[i]!);
    at = writeBytes(buf, at, values[i]!);
    const headers = r.headers;
    at = writeUvarint(buf, at, zigzag(headers?.length ?? 0));
    if (headers) {
      for (const h of headers) {
        const len = Buffer.byteLength(h.key);
        at = writeUvarint(buf, at, zigzag(len));
        at += buf.write(h.key, at, 'utf8');
        at = writeBytes(buf, at, toBytes(h.value));
      }
    }
  }
  return sealBatch(buf, {
    baseOffset: 0,
    partitionLeaderEpoch: NO_PARTITION_LEADER_EPOCH, // the head stamps its own
    attributes: 0, // no compression, CreateTime, not transactional
    recordsCount: n,
    baseTimestamp,
    maxTimestamp,
    producerId: producer?.producerId ?? -1,
    producerEpoch: producer?.producerEpoch ?? -1,
    baseSequence: producer?.baseSequence ?? -1,
  });
}

function toBytes(v: Buffer | string | null): Buffer | null {
  return v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

const varlongSize = varintSize;

/** Size of a varint-length-prefixed byte array (length -1 for null), or of a length alone. */
function bytesSize(b: Buffer | null | number): number {
  if (b === null) return 1;
  const len = typeof b === 'number' ? b : b.length;
  return varintSize(len) + len;
}

function writeBytes(buf: Buffer, at: number, b: Buffer | null): number {
  if (b === null) return writeUvarint(buf, at, 1); // zigzag(-1)
  at = writeUvarint(buf, at, zigzag(b.length));
  b.copy(buf, at);
  return at + b.length;
}
