/**
 * One Fetch of one partition and the decoding of its answer into records. Batches are checked (CRC-32C)
 * unless told not to, control batches are skipped, and records before the asked offset (the first
 * batch may start earlier) are dropped, as Kafka consumers do. Record keys and values are views of the
 * response frame, not copies.
 */
import type { DecodedRecord } from '../protocol/record-batch.ts';
import { batchLastOffset, batchPositions, decodeRecordBatch, readBatchHeader, validateBatch } from '../protocol/record-batch.ts';
import type { Connection } from './connection.ts';
import { fetchRequest } from './requests.ts';
import { codeError } from './routing.ts';
import { ErrorCode } from '../protocol/error-codes.ts';

/** Default bytes asked per Fetch. */
export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024;

export interface FetchOptions {
  /** Default 0. */
  partition?: number;
  /** First offset wanted (default 0). */
  offset?: number;
  /** About this many bytes (at least one whole batch comes back). */
  maxBytes?: number;
  /** How long the broker may wait for new data when there is none (default 0: answer at once). */
  maxWaitMs?: number;
  /** Check every batch's CRC-32C (default true). */
  checkCrcs?: boolean;
}

export interface FetchResult {
  /** The next offset to be committed (Kafka's high-water mark). */
  highWaterMark: number;
  records: DecodedRecord[];
  /** Where the next fetch should start: after the last record returned, or the asked offset. */
  nextOffset: number;
}

/** A Fetch answer before its records are decoded: enough to ask for the next range at once. */
export interface RawFetch {
  highWaterMark: number;
  records: Buffer | null;
  offset: number;
  nextOffset: number;
}

/** Fetches one partition over `conn` (the tail) without decoding records. */
export async function fetchRaw(conn: Connection, address: string, topic: string, partition: number, opts: FetchOptions): Promise<RawFetch> {
  const offset = opts.offset ?? 0;
  const maxWaitMs = opts.maxWaitMs ?? 0;
  const res = await conn.request(fetchRequest({
    topic, partition, offset, maxBytes: opts.maxBytes ?? DEFAULT_FETCH_MAX_BYTES, maxWaitMs, minBytes: maxWaitMs > 0 ? 1 : 0,
  }));
  if (res.errorCode !== 0) throw codeError(res.errorCode, `fetch from ${address}`);
  const p = res.topics[0]?.partitions[0];
  if (!p) throw codeError(ErrorCode.UNKNOWN_SERVER_ERROR.code, `empty Fetch response from ${address}`);
  if (p.errorCode !== 0) throw codeError(p.errorCode, `fetch ${topic}-${partition}@${offset} from ${address}`);
  // KIP-392: a head names the tail instead of answering; this client reads at the tail it knows, so
  // the view is stale (the chain changed): refresh it and retry.
  if (p.preferredReadReplica >= 0) throw codeError(ErrorCode.NOT_LEADER_OR_FOLLOWER.code, `${address} heads ${topic}'s chain; read at broker ${p.preferredReadReplica}`);
  let nextOffset = offset;
  if (p.records) for (const { position } of batchPositions(p.records)) nextOffset = Math.max(nextOffset, batchLastOffset(p.records, position) + 1);
  return { highWaterMark: p.highWatermark, records: p.records, offset, nextOffset };
}

/** Decodes a raw answer's records at or after the asked offset. */
export function decodeFetch(raw: RawFetch, checkCrcs = true): FetchResult {
  const records: DecodedRecord[] = [];
  const buf = raw.records;
  if (buf) {
    for (const { position, size } of batchPositions(buf)) {
      if (checkCrcs) validateBatch(buf, position, position + size);
      const bytes = buf.subarray(position, position + size);
      // A control batch (transaction marker) carries no user records, but its offsets are consumed.
      if (readBatchHeader(bytes, 0).control) continue;
      for (const r of decodeRecordBatch(bytes).records) if (r.offset >= raw.offset) records.push(r);
    }
  }
  return { highWaterMark: raw.highWaterMark, records, nextOffset: raw.nextOffset };
}

/** Fetches one partition over `conn` (the tail) and decodes the records at or after `offset`. */
export async function fetchPartition(conn: Connection, address: string, topic: string, partition: number, opts: FetchOptions): Promise<FetchResult> {
  return decodeFetch(await fetchRaw(conn, address, topic, partition, opts), opts.checkCrcs ?? true);
}

/** Fetch answers `readRanges` keeps arrived or in flight beyond the one its caller is handling (at most 2 MiB by default). */
export const READ_AHEAD = 2;

/**
 * Raw answers from `offset` up to `end` (exclusive; default the high-water mark of the first answer), in
 * order. Each answer, as soon as it arrives, asks for the range after it (the next offset is known from
 * its batch headers), while fewer than `depth` answers wait unread: the broker reads and sends the next
 * ranges while the caller decodes, instead of one round trip per result.
 */
export async function* readRanges(ask: (offset: number) => Promise<RawFetch>, offset: number, end: number | undefined, depth = READ_AHEAD): AsyncGenerator<RawFetch> {
  const queue: Promise<RawFetch>[] = [];
  /** An answer whose next range is not asked yet because `depth` answers were waiting. */
  let held: RawFetch | null = null;
  let stopped = false;
  const more = (raw: RawFetch): boolean => raw.nextOffset > raw.offset && raw.nextOffset < (end ??= raw.highWaterMark);
  const issue = (at: number): void => {
    const p = ask(at);
    queue.push(p);
    p.then((raw) => {
      if (stopped || !more(raw)) return;
      if (queue.length < depth) issue(raw.nextOffset);
      else held = raw;
    }, () => undefined);
  };
  issue(offset);
  try {
    while (queue.length > 0) {
      const raw = await queue.shift()!;
      end ??= raw.highWaterMark;
      if (held && queue.length < depth) {
        const h: RawFetch = held;
        held = null;
        issue(h.nextOffset);
      }
      yield raw;
    }
  } finally {
    // A caller that stops early (or a failed fetch) leaves answers nobody awaits.
    stopped = true;
    for (const p of queue) p.catch(() => undefined);
  }
}
