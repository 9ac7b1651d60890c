/**
 * Minimal types for the kafkajs internals the independent-decoder tests use (kafkajs ships no types
 * for its protocol modules). Only what the tests call is declared.
 */
declare module 'kafkajs/src/protocol/decoder.js' {
  class Decoder {
    constructor(buf: Buffer);
    readonly offset: number;
    canReadInt64(): boolean;
    readInt64(): { toString(): string };
  }
  export = Decoder;
}

declare module 'kafkajs/src/protocol/encoder.js' {
  class Encoder {
    constructor();
    readonly buffer: Buffer;
  }
  export = Encoder;
}

declare module 'kafkajs/src/protocol/recordBatch/v0/decoder.js' {
  import Decoder = require('kafkajs/src/protocol/decoder.js');
  interface KafkaJSRecord {
    offset: string;
    timestamp: string;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, Buffer | null | (Buffer | null)[]>;
  }
  interface KafkaJSBatch {
    firstOffset: string;
    lastOffsetDelta: number;
    partitionLeaderEpoch: number;
    records: KafkaJSRecord[];
  }
  function decodeRecordBatch(decoder: Decoder): Promise<KafkaJSBatch>;
  export = decodeRecordBatch;
}

declare module 'kafkajs/src/protocol/recordBatch/v0/index.js' {
  import Encoder = require('kafkajs/src/protocol/encoder.js');
  export function RecordBatch(opts: {
    compression?: number;
    firstOffset?: unknown;
    firstTimestamp?: number;
    maxTimestamp?: number;
    lastOffsetDelta?: number;
    records: Encoder[];
  }): Promise<Encoder>;
}

declare module 'kafkajs/src/protocol/recordBatch/record/v0/index.js' {
  import Encoder = require('kafkajs/src/protocol/encoder.js');
  function encodeRecord(opts: {
    offsetDelta?: number;
    timestampDelta?: number;
    key: Buffer | string | null;
    value: Buffer | string | null;
    headers?: Record<string, Buffer | string>;
  }): Encoder;
  export = encodeRecord;
}
