/**
 * Kafka RecordBatch v2 (magic 2), the unit of Produce, Fetch and the `.log` file, byte for byte as Kafka
 * (DefaultRecordBatch.java) lays it out. All integers big-endian.
 *
 *   offset  field                 type
 *        0  baseOffset            int64   \  outside the CRC: the log patches these two
 *        8  batchLength           int32    | (bytes after this field)
 *       12  partitionLeaderEpoch  int32   /
 *       16  magic                 int8    (2)
 *       17  crc                   uint32  CRC-32C of bytes 21..end
 *       21  attributes            int16   bits 0-2 compression, 3 timestampType (1 = LogAppendTime),
 *                                         4 transactional, 5 control
 *       23  lastOffsetDelta       int32
 *       27  baseTimestamp         int64
 *       35  maxTimestamp          int64
 *       43  producerId            int64
 *       51  producerEpoch         int16
 *       53  baseSequence          int32
 *       57  recordsCount          int32
 *       61  records               (compressed as a whole when bits 0-2 are set)
 *
 *   Record => length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
 *             key varint-bytes, value varint-bytes, headersCount varint,
 *             [headerKey varint-string, headerValue varint-bytes]     (varints zigzag; length -1 = null)
 *
 * Pure codec: Buffer in, Buffer out; no I/O. Framing helpers read fields in place so the log can walk
 * batches without allocating.
 */
import { crc32c } from '@node-rs/crc32';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';
import { DecodeError, KafkaError } from './errors.ts';
import { Compression, type CompressionName, compress, compressionName, decompress, MAX_DECOMPRESSED_BYTES } from './compression.ts';

/** Bytes before batchLength's span starts: baseOffset + batchLength (Kafka's LOG_OVERHEAD). */
export const LOG_OVERHEAD = 12;
/** Size of the header up to and including recordsCount. */
export const BATCH_HEADER_SIZE = 61;
export const MAGIC = 2;

// Where each header field starts, from the batch's first byte (the table above).
export const BASE_OFFSET_AT = 0;
export const BATCH_LENGTH_AT = 8;
export const PARTITION_LEADER_EPOCH_AT = 12;
export const MAGIC_AT = 16;
export const CRC_AT = 17;
export const ATTRIBUTES_AT = 21;
export const LAST_OFFSET_DELTA_AT = 23;
export const BASE_TIMESTAMP_AT = 27;
export const MAX_TIMESTAMP_AT = 35;
export const PRODUCER_ID_AT = 43;
export const PRODUCER_EPOCH_AT = 51;
export const BASE_SEQUENCE_AT = 53;
export const RECORDS_COUNT_AT = 57;

const TIMESTAMP_TYPE_BIT = 0x08;
export const TRANSACTIONAL_BIT = 0x10;
export const CONTROL_BIT = 0x20;
export const COMPRESSION_MASK = 0x07;

/** Kafka's "no partition leader epoch" (producers send it; the leader stamps its own). */
export const NO_PARTITION_LEADER_EPOCH = -1;

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  /** Derived: codec name from attributes. */
  compression: CompressionName;
  /** Derived: true when timestamps are LogAppendTime (all records carry maxTimestamp). */
  logAppendTime: boolean;
  transactional: boolean;
  control: boolean;
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch {
  header: BatchHeader;
  records: DecodedRecord[];
}

/** What `encodeRecordBatch` takes for one record; strings are UTF-8. */
export interface RecordInput {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: { key: string; value: Buffer | string | null }[];
  timestamp?: number;
}

export interface EncodeBatchOptions {
  records: RecordInput[];
  baseOffset?: number;
  compression?: CompressionName;
  /** Timestamp for records that carry none (default: now). */
  timestamp?: number;
  logAppendTime?: boolean;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  transactional?: boolean;
  control?: boolean;
}

/** Total size on disk of the batch at `pos` (LOG_OVERHEAD + batchLength); needs 12 readable bytes. */
export function batchSize(buf: Buffer, pos: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_AT);
}

/** Base offset of the batch at `pos`, read in place. */
export function batchBaseOffset(buf: Buffer, pos: number): number {
  return Number(buf.readBigInt64BE(pos + BASE_OFFSET_AT));
}

/** lastOffsetDelta of the batch at `pos` (records - 1 in a well-formed batch); needs 27 readable bytes. */
export function batchLastOffsetDelta(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + LAST_OFFSET_DELTA_AT);
}

/** recordsCount of the batch at `pos`; needs 61 readable bytes. */
export function batchRecordsCount(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos + RECORDS_COUNT_AT);
}

/** Last offset of the batch at `pos` (baseOffset + lastOffsetDelta); needs 27 readable bytes. */
export function batchLastOffset(buf: Buffer, pos: number): number {
  return batchBaseOffset(buf, pos) + batchLastOffsetDelta(buf, pos);
}

/** Bytes the batch walker reads: a window over a file (storage/file-window.ts) or, directly, a Buffer. */
export interface BatchBytes {
  /** buf[at, at + length) are the bytes [position, position + length), or null past the end. */
  view(position: number, length: number): { buf: Buffer; at: number } | null;
}

/** What the walker hands `visit` for each batch: buf[at..] holds its header (its whole bytes with `whole`). */
export type BatchVisitor = (position: number, size: number, buf: Buffer, at: number) => boolean | void;

/**
 * The batch walker: visits each whole batch of `src` in [start, end) in order (no CRC check; see
 * `batchProblem`). Stops at a partial batch, at a length below the header size, or when `visit` returns
 * false, and returns the position it stopped at: the end of the whole batches walked. `whole` makes each
 * view hold the whole batch rather than its 61-byte header.
 */
export function walkBatches(src: Buffer | BatchBytes, start: number, end: number, visit: BatchVisitor, opts: { whole?: boolean } = {}): number {
  let pos = start;
  if (Buffer.isBuffer(src)) {
    // A buffer is its own view: no windows, no allocation per batch (the append and read paths walk these).
    while (end - pos >= BATCH_HEADER_SIZE) {
      const size = batchSize(src, pos);
      if (size < BATCH_HEADER_SIZE || pos + size > end || visit(pos, size, src, pos) === false) return pos;
      pos += size;
    }
    return pos;
  }
  for (;;) {
    const head = src.view(pos, BATCH_HEADER_SIZE);
    if (head === null) return pos;
    const size = batchSize(head.buf, head.at);
    if (size < BATCH_HEADER_SIZE || pos + size > end) return pos;
    const v = opts.whole ? src.view(pos, size) : head;
    if (v === null || visit(pos, size, v.buf, v.at) === false) return pos;
    pos += size;
  }
}

/** Length of the whole batches at the start of `buf` (a read may end inside a batch). */
export function wholeBatchesLength(buf: Buffer): number {
  return walkBatches(buf, 0, buf.length, () => true);
}

/**
 * Records in a buffer of whole batches, from their headers (lastOffsetDelta + 1 each: one step per
 * batch, never per record, no BigInt reads), for metrics. Stops at a trailing partial header.
 */
export function recordCount(batches: Buffer): number {
  let n = 0;
  for (let pos = 0; batches.length - pos >= BATCH_HEADER_SIZE; pos += batchSize(batches, pos)) n += batchLastOffsetDelta(batches, pos) + 1;
  return n;
}

/** Producer id, epoch, first sequence, record count and control bit of the batch at `pos` (idempotence); needs 61 bytes. */
export function batchProducer(buf: Buffer, pos: number): { producerId: number; producerEpoch: number; baseSequence: number; lastOffsetDelta: number; control: boolean } {
  return {
    producerId: Number(buf.readBigInt64BE(pos + PRODUCER_ID_AT)),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH_AT),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE_AT),
    lastOffsetDelta: batchLastOffsetDelta(buf, pos),
    control: (buf.readInt16BE(pos + ATTRIBUTES_AT) & CONTROL_BIT) !== 0,
  };
}

/** Max timestamp of the batch at `pos`; needs 43 readable bytes. */
export function batchMaxTimestamp(buf: Buffer, pos: number): number {
  return Number(buf.readBigInt64BE(pos + MAX_TIMESTAMP_AT));
}

/** Parses the 61-byte header at `pos`; DecodeError if it is not all there. */
export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  const r = new Reader(buf, pos);
  const baseOffset = r.int64n();
  const batchLength = r.int32();
  const partitionLeaderEpoch = r.int32();
  const magic = r.int8();
  const crc = r.uint32();
  const attributes = r.int16();
  const lastOffsetDelta = r.int32();
  const baseTimestamp = r.int64n();
  const maxTimestamp = r.int64n();
  const producerId = r.int64n();
  const producerEpoch = r.int16();
  const baseSequence = r.int32();
  const recordsCount = r.int32();
  return {
    baseOffset, batchLength, partitionLeaderEpoch, magic, crc, attributes, lastOffsetDelta,
    baseTimestamp, maxTimestamp, producerId, producerEpoch, baseSequence, recordsCount,
    compression: compressionName(attributes),
    logAppendTime: (attributes & TIMESTAMP_TYPE_BIT) !== 0,
    transactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    control: (attributes & CONTROL_BIT) !== 0,
  };
}

/**
 * Why the batch at `pos` (within `end`) is not a valid whole batch, or null if it is: framing, magic,
 * counts and CRC-32C. Does not throw, so recovery can use it to find where the good data stops.
 */
export function batchProblem(buf: Buffer, pos: number, end = buf.length): string | null {
  if (end - pos < LOG_OVERHEAD) return `${end - pos} bytes left, a batch needs ${BATCH_HEADER_SIZE}`;
  const length = buf.readInt32BE(pos + BATCH_LENGTH_AT);
  if (length < BATCH_HEADER_SIZE - LOG_OVERHEAD) return `batch length ${length} below the minimum ${BATCH_HEADER_SIZE - LOG_OVERHEAD}`;
  if (end - pos - LOG_OVERHEAD < length) return `batch of ${length} bytes truncated to ${end - pos - LOG_OVERHEAD}`;
  const magic = buf.readInt8(pos + MAGIC_AT);
  if (magic !== MAGIC) return `magic ${magic}, only magic 2 record batches are supported`;
  if (batchLastOffsetDelta(buf, pos) < 0) return 'negative lastOffsetDelta';
  if (batchRecordsCount(buf, pos) < 0) return 'negative record count';
  if ((buf.readInt16BE(pos + ATTRIBUTES_AT) & COMPRESSION_MASK) > Compression.zstd) return 'unknown compression codec';
  const stored = buf.readUInt32BE(pos + CRC_AT);
  const actual = crc32c(buf.subarray(pos + ATTRIBUTES_AT, pos + LOG_OVERHEAD + length));
  if (stored !== actual) return `CRC-32C mismatch: stored ${stored}, computed ${actual}`;
  return null;
}

/** Checks the batch at `pos` (framing, magic, CRC) and returns its size; KafkaError CORRUPT_MESSAGE if bad. */
export function validateBatch(buf: Buffer, pos = 0, end = buf.length): number {
  const problem = batchProblem(buf, pos, end);
  if (problem !== null) throw new KafkaError('CORRUPT_MESSAGE', `record batch at byte ${pos}: ${problem}`);
  return batchSize(buf, pos);
}

/**
 * Kafka's LogAppendTime (message.timestamp.type=LogAppendTime): each batch in `buf` is checked first (a
 * corrupt batch is refused, never re-sealed), then gets the timestamp-type bit and `now` as its max
 * timestamp and a fresh CRC-32C; records are untouched (readers take every record's timestamp from the
 * max timestamp), as Kafka's setMaxTimestamp does. Patches `buf` in place.
 */
export function stampLogAppendTime(buf: Buffer, now: number): void {
  for (let pos = 0; pos < buf.length;) {
    const size = validateBatch(buf, pos);
    buf.writeInt16BE(buf.readInt16BE(pos + ATTRIBUTES_AT) | TIMESTAMP_TYPE_BIT, pos + ATTRIBUTES_AT);
    buf.writeBigInt64BE(BigInt(now), pos + MAX_TIMESTAMP_AT);
    buf.writeUInt32BE(crc32c(buf.subarray(pos + ATTRIBUTES_AT, pos + size)), pos + CRC_AT);
    pos += size;
  }
}

/** Whether any magic-2 batch in `buf` is zstd-compressed (Produce below v7 must refuse those, as Kafka does). */
export function hasZstdBatch(buf: Buffer): boolean {
  for (const { position } of batchPositions(buf)) {
    if (buf[position + MAGIC_AT] === MAGIC && (buf.readInt16BE(position + ATTRIBUTES_AT) & COMPRESSION_MASK) === Compression.zstd) return true;
  }
  return false;
}

/** Positions and sizes of the whole batches in `buf[start, end)`; stops silently at a partial trailing batch. */
export function batchPositions(buf: Buffer, start = 0, end = buf.length): { position: number; size: number }[] {
  const out: { position: number; size: number }[] = [];
  walkBatches(buf, start, end, (position, size) => {
    out.push({ position, size });
  });
  return out;
}

/** Decodes every whole batch in `buf` (a Fetch response's records or a `.log` slice). */
export function* decodeRecordBatches(buf: Buffer, maxBytes = MAX_DECOMPRESSED_BYTES): Generator<DecodedBatch> {
  for (const { position, size } of batchPositions(buf)) yield decodeRecordBatch(buf.subarray(position, position + size), maxBytes);
}

/** Overwrites the base offset; it lies outside the CRC span, so the batch stays valid. */
export function setBaseOffset(buf: Buffer, pos: number, baseOffset: number): void {
  buf.writeBigInt64BE(BigInt(baseOffset), pos + BASE_OFFSET_AT);
}

/** Overwrites the partition leader epoch (outside the CRC span too). */
export function setPartitionLeaderEpoch(buf: Buffer, pos: number, epoch: number): void {
  buf.writeInt32BE(epoch, pos + PARTITION_LEADER_EPOCH_AT);
}

/** Encodes one batch; offsets are baseOffset + index, timestamps default to `timestamp` (or now). */
export function encodeRecordBatch(opts: EncodeBatchOptions): Buffer {
  const { records } = opts;
  const now = opts.timestamp ?? Date.now();
  const baseTimestamp = records.length > 0 ? records[0]!.timestamp ?? now : now;
  let maxTimestamp = records.length > 0 ? -Infinity : now;
  const body = new Writer(64 + records.reduce((n, r) => n + sizeHint(r), 0));
  const scratch = new Writer(256);
  records.forEach((rec, i) => {
    const ts = rec.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
    scratch.offset = 0;
    scratch.int8(0).varlong(ts - baseTimestamp).varint(i).varintBytes(bytesOf(rec.key ?? null)).varintBytes(bytesOf(rec.value));
    const headers = rec.headers ?? [];
    scratch.varint(headers.length);
    for (const h of headers) scratch.varintBytes(Buffer.from(h.key, 'utf8')).varintBytes(bytesOf(h.value));
    body.varint(scratch.offset).raw(scratch.toBuffer());
  });
  const codec = Compression[opts.compression ?? 'none'];
  const recordsBytes = compress(codec, body.toBuffer());

  const attributes = codec | (opts.logAppendTime ? TIMESTAMP_TYPE_BIT : 0) |
    (opts.transactional ? TRANSACTIONAL_BIT : 0) | (opts.control ? CONTROL_BIT : 0);
  const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsBytes.length);
  recordsBytes.copy(buf, BATCH_HEADER_SIZE);
  return sealBatch(buf, {
    baseOffset: opts.baseOffset ?? 0,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH,
    attributes,
    recordsCount: records.length,
    baseTimestamp,
    maxTimestamp,
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
  });
}

/** The header fields an encoder chooses; the length, magic, lastOffsetDelta and CRC follow from them and the bytes. */
export interface BatchHeaderFields {
  baseOffset: number;
  partitionLeaderEpoch: number;
  attributes: number;
  recordsCount: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Default recordsCount - 1; a compacted batch keeps its original one (its records have gaps). */
  lastOffsetDelta?: number;
}

/**
 * Writes the 61-byte header into `buf`, which holds exactly one batch with its records already at
 * BATCH_HEADER_SIZE, then the CRC-32C over attributes..end. Every encoder ends here. Returns `buf`.
 */
export function sealBatch(buf: Buffer, h: BatchHeaderFields): Buffer {
  buf.writeBigInt64BE(BigInt(h.baseOffset), BASE_OFFSET_AT);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, BATCH_LENGTH_AT);
  buf.writeInt32BE(h.partitionLeaderEpoch, PARTITION_LEADER_EPOCH_AT);
  buf.writeInt8(MAGIC, MAGIC_AT);
  buf.writeInt16BE(h.attributes, ATTRIBUTES_AT);
  buf.writeInt32BE(h.lastOffsetDelta ?? Math.max(h.recordsCount - 1, 0), LAST_OFFSET_DELTA_AT);
  buf.writeBigInt64BE(BigInt(h.baseTimestamp), BASE_TIMESTAMP_AT);
  buf.writeBigInt64BE(BigInt(h.maxTimestamp), MAX_TIMESTAMP_AT);
  buf.writeBigInt64BE(BigInt(h.producerId), PRODUCER_ID_AT);
  buf.writeInt16BE(h.producerEpoch, PRODUCER_EPOCH_AT);
  buf.writeInt32BE(h.baseSequence, BASE_SEQUENCE_AT);
  buf.writeInt32BE(h.recordsCount, RECORDS_COUNT_AT);
  buf.writeUInt32BE(crc32c(buf.subarray(ATTRIBUTES_AT)), CRC_AT);
  return buf;
}

/**
 * Re-encodes a batch with only `kept` of its records (the log cleaner's output, Kafka's
 * MemoryRecords.filterTo for magic 2): same base offset, last offset delta, attributes (codec included),
 * producer fields and leader epoch, so every kept record keeps its offset and the batch its span; the
 * offset deltas of the kept records have gaps. A fresh CRC-32C covers the result.
 */
export function encodeRetainedBatch(header: BatchHeader, kept: DecodedRecord[]): Buffer {
  const baseTimestamp = kept.length > 0 ? kept[0]!.timestamp : header.baseTimestamp;
  const body = new Writer(256 + kept.reduce((n, r) => n + 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0) + r.headers.reduce((m, h) => m + 10 + h.key.length * 3 + (h.value?.length ?? 0), 0), 0));
  const scratch = new Writer(256);
  let maxTimestamp = header.logAppendTime ? header.maxTimestamp : -1;
  for (const rec of kept) {
    if (!header.logAppendTime && rec.timestamp > maxTimestamp) maxTimestamp = rec.timestamp;
    scratch.offset = 0;
    scratch.int8(0).varlong(rec.timestamp - baseTimestamp).varint(rec.offset - header.baseOffset).varintBytes(rec.key).varintBytes(rec.value);
    scratch.varint(rec.headers.length);
    for (const h of rec.headers) scratch.varintBytes(Buffer.from(h.key, 'utf8')).varintBytes(h.value);
    body.varint(scratch.offset).raw(scratch.toBuffer());
  }
  const recordsBytes = compress(Compression[header.compression], body.toBuffer());
  const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsBytes.length);
  recordsBytes.copy(buf, BATCH_HEADER_SIZE);
  return sealBatch(buf, {
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    attributes: header.attributes,
    recordsCount: kept.length,
    baseTimestamp,
    maxTimestamp: maxTimestamp < 0 ? header.maxTimestamp : maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    lastOffsetDelta: header.lastOffsetDelta,
  });
}

/**
 * Decodes one batch (decompressing its records) starting at byte 0 of `buf`. Does not check the CRC:
 * call `validateBatch` first on untrusted input. Malformed records are a DecodeError.
 */
export function decodeRecordBatch(buf: Buffer, maxBytes = MAX_DECOMPRESSED_BYTES): DecodedBatch {
  const header = readBatchHeader(buf, 0);
  if (header.magic !== MAGIC) throw new DecodeError(`magic ${header.magic}, only magic 2 is supported`);
  const end = LOG_OVERHEAD + header.batchLength;
  if (header.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || end > buf.length) {
    throw new DecodeError(`batch length ${header.batchLength} does not fit ${buf.length} bytes`);
  }
  const section = buf.subarray(BATCH_HEADER_SIZE, end);
  const recordBytes = header.compression === 'none' ? section : decompress(header.attributes, section, maxBytes);
  const r = new Reader(recordBytes);
  // Each record takes at least 7 bytes, which bounds a hostile count before the array is allocated.
  if (header.recordsCount > recordBytes.length) {
    throw new DecodeError(`${header.recordsCount} records in ${recordBytes.length} bytes`);
  }
  const records: DecodedRecord[] = new Array<DecodedRecord>(header.recordsCount);
  for (let i = 0; i < header.recordsCount; i++) records[i] = readRecord(r, header);
  return { header, records };
}

function readRecord(r: Reader, header: BatchHeader): DecodedRecord {
  const length = r.varint();
  if (length < 0) throw new DecodeError(`negative record length ${length}`);
  const end = r.offset + length;
  if (end > r.end) throw new DecodeError(`record of ${length} bytes truncated`);
  const rr = new Reader(r.buf, r.offset, end);
  r.offset = end;
  rr.int8(); // record attributes: unused by Kafka
  const timestampDelta = rr.varlong();
  const offsetDelta = rr.varint();
  const key = rr.varintBytes();
  const value = rr.varintBytes();
  const headerCount = rr.varint();
  if (headerCount < 0 || headerCount > rr.remaining) throw new DecodeError(`${headerCount} headers in ${rr.remaining} bytes`);
  const headers: RecordHeader[] = new Array<RecordHeader>(headerCount);
  for (let i = 0; i < headerCount; i++) {
    const k = rr.varintBytes();
    if (k === null) throw new DecodeError('null header key');
    headers[i] = { key: k.toString('utf8'), value: rr.varintBytes() };
  }
  return {
    offset: header.baseOffset + offsetDelta,
    timestamp: header.logAppendTime ? header.maxTimestamp : header.baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

function bytesOf(v: Buffer | string | null): Buffer | null {
  if (v === null) return null;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function sizeHint(r: RecordInput): number {
  const len = (v: Buffer | string | null | undefined): number => (v == null ? 0 : v.length * (typeof v === 'string' ? 3 : 1));
  return 24 + len(r.key) + len(r.value) + (r.headers ?? []).reduce((n, h) => n + 10 + h.key.length * 3 + len(h.value), 0);
}
