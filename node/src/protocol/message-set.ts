/**
 * MessageSet: the record format of magic 0 and 1 (Kafka < 0.11), which old clients (kafka-node, kcat with
 * broker.version.fallback < 0.11) still send in Produce v0-2 and expect from Fetch v0-3.
 *
 *   MessageSet => [offset:int64 message_size:int32 Message]        (no count: entries run to the end)
 *   Message v0 => crc:uint32 magic:int8(0) attributes:int8 key:bytes value:bytes
 *   Message v1 => crc:uint32 magic:int8(1) attributes:int8 timestamp:int64 key:bytes value:bytes
 *
 * crc is CRC-32 (IEEE, not the CRC-32C of magic 2) over magic..end. attributes bits 0-2 are the codec;
 * bit 3 (v1) is the timestamp type (1 = LogAppendTime). A compressed message is a wrapper whose value is a
 * compressed inner MessageSet. In magic 1 the inner offsets are relative and the wrapper carries the
 * absolute offset of the last inner message (KIP-31); in magic 0 inner offsets are taken as they are.
 * Fetch responses may end with a truncated message (the broker cuts at max_bytes): `allowTruncatedTail`
 * drops it, as clients do; a Produce request must not have one.
 *
 * Magic-0 lz4 used a broken frame-header checksum (KAFKA-3160); decompression here uses the standard
 * frame reader, so such legacy lz4 wrappers may be rejected as corrupt.
 */
import { crc32 } from 'node:zlib';
import { decompress, MAX_DECOMPRESSED_BYTES } from './compression.ts';
import { DecodeError, KafkaError } from './errors.ts';
import { Reader } from './reader.ts';
import { Writer } from './writer.ts';

/** offset:int64 + message_size:int32, the bytes before each message. */
export const MESSAGE_SET_LOG_OVERHEAD = 12;
/** crc + magic + attributes + key length + value length. */
const MESSAGE_V0_MIN = 4 + 1 + 1 + 4 + 4;
/** v0 + timestamp. */
const MESSAGE_V1_MIN = MESSAGE_V0_MIN + 8;
/** Position of the magic byte in a MessageSet entry and in a RecordBatch alike. */
const MAGIC_POSITION = 16;
const CODEC_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;

export interface MessageSetRecord {
  offset: number;
  /** -1 for magic 0. */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

export interface DecodedMessageSet {
  /** Magic of the first message (0 or 1); an empty set reports 0. */
  magic: 0 | 1;
  /** Codec of the first wrapper message, 0 when uncompressed. */
  codec: number;
  /** 0 CreateTime, 1 LogAppendTime (magic 1 only). */
  timestampType: 0 | 1;
  records: MessageSetRecord[];
  /** True when a truncated trailing message was dropped. */
  truncated: boolean;
}

export interface DecodeMessageSetOptions {
  /** Drop a truncated final message instead of failing (Fetch responses). */
  allowTruncatedTail?: boolean;
  /** Cap on each wrapper's decompressed size. */
  maxDecompressedBytes?: number;
}

/** The magic byte of the first entry of a records field (0/1 MessageSet, 2 RecordBatch), or null if too short. */
export function recordsMagic(records: Buffer): number | null {
  return records.length > MAGIC_POSITION ? records.readInt8(MAGIC_POSITION) : null;
}

/** Decodes a MessageSet, checking every CRC (a mismatch is CORRUPT_MESSAGE) and expanding compressed wrappers. */
export function decodeMessageSet(buf: Buffer, opts: DecodeMessageSetOptions = {}): DecodedMessageSet {
  const out: DecodedMessageSet = { magic: 0, codec: 0, timestampType: 0, records: [], truncated: false };
  const maxBytes = opts.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  let first = true;
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < MESSAGE_SET_LOG_OVERHEAD) return truncatedTail(out, opts);
    const size = buf.readInt32BE(pos + 8);
    if (size < MESSAGE_V0_MIN) throw new KafkaError('CORRUPT_MESSAGE', `message size ${size} below minimum`);
    if (buf.length - pos - MESSAGE_SET_LOG_OVERHEAD < size) return truncatedTail(out, opts);
    const offset = readOffset(buf, pos);
    const msg = readMessage(buf.subarray(pos + MESSAGE_SET_LOG_OVERHEAD, pos + MESSAGE_SET_LOG_OVERHEAD + size));
    if (first) {
      out.magic = msg.magic;
      out.codec = msg.codec;
      out.timestampType = msg.timestampType;
      first = false;
    }
    if (msg.codec === 0) {
      out.records.push({ offset, timestamp: msg.timestamp, key: msg.key, value: msg.value });
    } else {
      out.records.push(...expandWrapper(offset, msg, maxBytes));
    }
    pos += MESSAGE_SET_LOG_OVERHEAD + size;
  }
  return out;
}

interface Message {
  magic: 0 | 1;
  codec: number;
  timestampType: 0 | 1;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}

function truncatedTail(out: DecodedMessageSet, opts: DecodeMessageSetOptions): DecodedMessageSet {
  if (!opts.allowTruncatedTail) throw new KafkaError('CORRUPT_MESSAGE', 'truncated message at end of message set');
  out.truncated = true;
  return out;
}

function readOffset(buf: Buffer, pos: number): number {
  const r = new Reader(buf, pos, pos + 8);
  return r.int64n();
}

function readMessage(m: Buffer): Message {
  const r = new Reader(m);
  const crc = r.uint32();
  const magic = r.int8();
  if (magic !== 0 && magic !== 1) throw new DecodeError(`message magic ${magic} is not a MessageSet (0 or 1)`);
  if (magic === 1 && m.length < MESSAGE_V1_MIN) throw new KafkaError('CORRUPT_MESSAGE', 'message v1 too short');
  if (crc32(m.subarray(4)) !== crc) throw new KafkaError('CORRUPT_MESSAGE', 'message CRC mismatch');
  const attributes = r.int8();
  const timestamp = magic === 1 ? r.int64n() : -1;
  const key = r.nullableBytes();
  const value = r.nullableBytes();
  if (r.remaining !== 0) throw new KafkaError('CORRUPT_MESSAGE', `${r.remaining} stray bytes after message`);
  const timestampType = magic === 1 && (attributes & TIMESTAMP_TYPE_BIT) !== 0 ? 1 : 0;
  return { magic, codec: attributes & CODEC_MASK, timestampType, timestamp, key, value };
}

/** Inner records of a compressed wrapper, with absolute offsets and (for LogAppendTime) the wrapper's timestamp. */
function expandWrapper(wrapperOffset: number, msg: Message, maxBytes: number): MessageSetRecord[] {
  if (msg.value === null) throw new KafkaError('CORRUPT_MESSAGE', 'compressed message without a value');
  const inner = decodeInner(decompress(msg.codec, msg.value, maxBytes));
  if (inner.length === 0) return [];
  const lastRelative = inner[inner.length - 1]!.offset;
  return inner.map((rec) => ({
    offset: msg.magic === 1 ? wrapperOffset - lastRelative + rec.offset : rec.offset,
    timestamp: msg.timestampType === 1 ? msg.timestamp : rec.timestamp,
    key: rec.key,
    value: rec.value,
  }));
}

/** An inner message set: uncompressed, complete, with the wrapper's magic family. */
function decodeInner(buf: Buffer): MessageSetRecord[] {
  const records: MessageSetRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < MESSAGE_SET_LOG_OVERHEAD) throw new KafkaError('CORRUPT_MESSAGE', 'truncated inner message');
    const size = buf.readInt32BE(pos + 8);
    if (size < MESSAGE_V0_MIN || buf.length - pos - MESSAGE_SET_LOG_OVERHEAD < size) {
      throw new KafkaError('CORRUPT_MESSAGE', `bad inner message size ${size}`);
    }
    const msg = readMessage(buf.subarray(pos + MESSAGE_SET_LOG_OVERHEAD, pos + MESSAGE_SET_LOG_OVERHEAD + size));
    if (msg.codec !== 0) throw new KafkaError('CORRUPT_MESSAGE', 'nested compressed message');
    records.push({ offset: readOffset(buf, pos), timestamp: msg.timestamp, key: msg.key, value: msg.value });
    pos += MESSAGE_SET_LOG_OVERHEAD + size;
  }
  return records;
}

/** Encodes records as an uncompressed MessageSet of the given magic (down-conversion for old Fetch versions). */
export function encodeMessageSet(records: readonly MessageSetRecord[], magic: 0 | 1): Buffer {
  const w = new Writer(64 + records.length * 64);
  for (const rec of records) {
    w.int64(rec.offset);
    const sizeAt = w.reserveInt32();
    const crcAt = w.reserveInt32();
    const start = w.offset;
    w.int8(magic).int8(0);
    if (magic === 1) w.int64(rec.timestamp);
    w.nullableBytes(rec.key).nullableBytes(rec.value);
    const body = w.toBuffer().subarray(start);
    w.patchInt32(sizeAt, w.offset - crcAt);
    w.patchInt32(crcAt, crc32(body) | 0);
  }
  return Buffer.from(w.toBuffer());
}
