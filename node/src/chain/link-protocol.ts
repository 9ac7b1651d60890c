/**
 * The chain replication link: vonnegut's internal, non-Kafka API (key 1000, `ChainReplicate`), on the
 * same port as Kafka traffic.
 *
 * A node opens a link to its successor with one Kafka-framed request:
 *
 *   RequestHeader v1 (api_key=1000, api_version=0, correlation_id, client_id=<sender name>)
 *   Hello => epoch:int32 from:string to:string
 *
 * The successor takes the connection over (no Kafka response follows) and both sides then exchange
 * size-prefixed link messages, `size:int32 type:int8 body`, in either direction:
 *
 *   upstream -> downstream
 *     1 Append    => epoch:int32 topic:string partition:int32 partition_count:int32 batches:bytes
 *                                                                 (offsets already set)
 *     2 Truncate  => epoch:int32 topic:string partition:int32 offset:int64   (drop offsets >= offset;
 *                                                                 past the log end: restart the log empty at
 *                                                                 offset, the sender's retention took the gap)
 *     3 Create    => epoch:int32 topic:string partition_count:int32 topic_id:uuid
 *                                                                 (the sender's id for the topic, KIP-516: the
 *                                                                 receiver takes it; sent on creation, growth and
 *                                                                 for every topic on each sync, so the head's id
 *                                                                 reaches every member)
 *     4 Delete    => epoch:int32 topic:string
 *     5 Ping      => (empty)
 *     6 Config    => epoch:int32 topic:string [name:string value:string]           (the topic's whole set of
 *                                                                                  config overrides, Kafka names;
 *                                                                                  sent after Create and on change)
 *     7 LogStart  => epoch:int32 topic:string partition:int32 offset:int64         (DeleteRecords: the log start
 *                                                                                  offset moves up to offset)
 *   downstream -> upstream
 *    10 State     => epoch:int32 [topic:string partition_count:int32 [partition:int32 log_end:int64 hwm:int64]]
 *    11 Ack       => epoch:int32 [topic:string partition:int32 hwm:int64]  (committed offsets: the tail's log end)
 *    12 Pong      => chain_ready:int8 tail:string                 (this node and all after it are linked, and
 *                                                                 who it believes the tail is: '' if unknown)
 *    13 Error     => error_code:int16 message:string epoch:int32  (the sender's current epoch; then it closes
 *                                                                 the link)
 *
 * Fencing: every message that changes a log, and every Ack, carries the chain epoch of the link (its
 * Hello's). A receiver refuses a mutating message whose epoch is not its own current epoch, and a sender
 * ignores an Ack from another epoch, so nothing a deposed node sends can change a log or commit a record
 * once the receiver has moved on (version 2; version 1 had none on Config and LogStart, version 0 none
 * at all). Version 3 adds topic_id to Create; the two read each other's Create (a version-2 reader ignores
 * the trailing id, a version-3 reader takes a missing one as zero: no id), so chains upgrade one node at a time.
 *
 * Messages on one link are processed in order, which is what lets Append be pipelined without waiting
 * for acknowledgements: an Ack for offset N covers every earlier Append on the link.
 */
import { DecodeError } from '../protocol/errors.ts';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import { ZERO_UUID } from '../protocol/uuid.ts';

export const LINK_API_VERSION = 3;

export interface Hello {
  epoch: number;
  from: string;
  to: string;
}

export interface PartitionState {
  partition: number;
  logEnd: number;
  hwm: number;
}

export interface TopicState {
  topic: string;
  partitionCount: number;
  partitions: PartitionState[];
}

export interface ConfigEntry {
  name: string;
  value: string;
}

export interface AckEntry {
  topic: string;
  partition: number;
  hwm: number;
}

export type LinkMessage =
  | { type: 'append'; epoch: number; topic: string; partition: number; partitionCount: number; batches: Buffer }
  | { type: 'truncate'; epoch: number; topic: string; partition: number; offset: number }
  | { type: 'create'; epoch: number; topic: string; partitionCount: number; topicId: Buffer }
  | { type: 'delete'; epoch: number; topic: string }
  | { type: 'ping' }
  | { type: 'config'; epoch: number; topic: string; configs: ConfigEntry[] }
  | { type: 'logStart'; epoch: number; topic: string; partition: number; offset: number }
  | { type: 'state'; epoch: number; topics: TopicState[] }
  | { type: 'ack'; epoch: number; acks: AckEntry[] }
  | { type: 'pong'; chainReady: boolean; tail: string }
  | { type: 'error'; errorCode: number; message: string; epoch: number };

const TYPE_CODES = {
  append: 1,
  truncate: 2,
  create: 3,
  delete: 4,
  ping: 5,
  config: 6,
  logStart: 7,
  state: 10,
  ack: 11,
  pong: 12,
  error: 13,
} as const satisfies Record<LinkMessage['type'], number>;

/** Reads the Hello body that follows the Kafka request header. */
export function decodeHello(r: Reader): Hello {
  return { epoch: r.int32(), from: r.string(), to: r.string() };
}

/** Writes a Hello body. */
export function encodeHello(w: Writer, h: Hello): void {
  w.int32(h.epoch).string(h.from).string(h.to);
}

/** Encodes one link message (without the size prefix). */
export function encodeLinkMessage(m: LinkMessage): Buffer {
  const w = new Writer(m.type === 'append' ? m.batches.length + 64 : 64);
  w.int8(TYPE_CODES[m.type]);
  switch (m.type) {
    case 'append':
      w.int32(m.epoch).string(m.topic).int32(m.partition).int32(m.partitionCount).bytes(m.batches);
      break;
    case 'truncate':
      w.int32(m.epoch).string(m.topic).int32(m.partition).int64(m.offset);
      break;
    case 'create':
      w.int32(m.epoch).string(m.topic).int32(m.partitionCount).uuid(m.topicId);
      break;
    case 'delete':
      w.int32(m.epoch).string(m.topic);
      break;
    case 'ping':
      break;
    case 'config':
      w.int32(m.epoch).string(m.topic).array(m.configs, (x, c) => x.string(c.name).string(c.value));
      break;
    case 'logStart':
      w.int32(m.epoch).string(m.topic).int32(m.partition).int64(m.offset);
      break;
    case 'state':
      w.int32(m.epoch).array(m.topics, (x, t) => {
        x.string(t.topic).int32(t.partitionCount);
        x.array(t.partitions, (y, p) => y.int32(p.partition).int64(p.logEnd).int64(p.hwm));
      });
      break;
    case 'ack':
      w.int32(m.epoch).array(m.acks, (x, a) => x.string(a.topic).int32(a.partition).int64(a.hwm));
      break;
    case 'pong':
      w.boolean(m.chainReady).string(m.tail);
      break;
    case 'error':
      w.int16(m.errorCode).string(m.message).int32(m.epoch);
      break;
  }
  return w.toBuffer();
}

/** Decodes one link message; throws DecodeError on anything malformed. */
export function decodeLinkMessage(buf: Buffer): LinkMessage {
  const r = new Reader(buf);
  const code = r.int8();
  switch (code) {
    case TYPE_CODES.append:
      return { type: 'append', epoch: r.int32(), topic: r.string(), partition: r.int32(), partitionCount: r.int32(), batches: r.bytes() };
    case TYPE_CODES.truncate:
      return { type: 'truncate', epoch: r.int32(), topic: r.string(), partition: r.int32(), offset: r.int64n() };
    case TYPE_CODES.create:
      // A version-2 sender (mid rolling upgrade) ends Create before topic_id: read as no id (zero).
      return { type: 'create', epoch: r.int32(), topic: r.string(), partitionCount: r.int32(), topicId: r.remaining >= 16 ? r.uuid() : ZERO_UUID };
    case TYPE_CODES.delete:
      return { type: 'delete', epoch: r.int32(), topic: r.string() };
    case TYPE_CODES.ping:
      return { type: 'ping' };
    case TYPE_CODES.config:
      return { type: 'config', epoch: r.int32(), topic: r.string(), configs: r.array((x) => ({ name: x.string(), value: x.string() })) };
    case TYPE_CODES.logStart:
      return { type: 'logStart', epoch: r.int32(), topic: r.string(), partition: r.int32(), offset: r.int64n() };
    case TYPE_CODES.state:
      return {
        type: 'state',
        epoch: r.int32(),
        topics: r.array((x) => ({
          topic: x.string(),
          partitionCount: x.int32(),
          partitions: x.array((y) => ({ partition: y.int32(), logEnd: y.int64n(), hwm: y.int64n() })),
        })),
      };
    case TYPE_CODES.ack:
      return { type: 'ack', epoch: r.int32(), acks: r.array((x) => ({ topic: x.string(), partition: x.int32(), hwm: x.int64n() })) };
    case TYPE_CODES.pong:
      return { type: 'pong', chainReady: r.boolean(), tail: r.string() };
    case TYPE_CODES.error:
      return { type: 'error', errorCode: r.int16(), message: r.string(), epoch: r.int32() };
    default:
      throw new DecodeError(`unknown link message type ${code}`);
  }
}

/**
 * The bytes of an Append link message up to its batches, size prefix included: `size:int32 type:int8
 * epoch:int32 topic:string partition:int32 partition_count:int32` and the int32 length of `batches:bytes`. The
 * batches follow as they are, so shipping never copies them into a message buffer; a test holds
 * [head, batches] byte-identical to encodeLinkMessage's framed Append.
 */
export function appendMessageHead(epoch: number, topic: string, partition: number, partitionCount: number, batchBytes: number): Buffer {
  const w = new Writer(36 + topic.length * 3);
  w.int32(0).int8(TYPE_CODES.append).int32(epoch).string(topic).int32(partition).int32(partitionCount).int32(batchBytes);
  w.patchInt32(0, w.offset - 4 + batchBytes);
  return w.toBuffer();
}
