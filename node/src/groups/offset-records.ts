/**
 * The records of `__consumer_offsets`, in Kafka's own layout (OffsetCommitKey v1, OffsetCommitValue v3)
 * so the topic reads the same as a Kafka broker's:
 *
 *   key   => version:int16(1) group:string topic:string partition:int32
 *   value => version:int16(3) offset:int64 leader_epoch:int32 metadata:string commit_timestamp:int64
 *
 * A null value (tombstone) removes the offset: DeleteGroups writes one per partition.
 * Keys of other versions (2 = group metadata, which vonnegut does not persist) are skipped on load.
 */
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';

const OFFSET_KEY_VERSION = 1;
const OFFSET_VALUE_VERSION = 3;

export interface OffsetKey {
  group: string;
  topic: string;
  partition: number;
}

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export function encodeOffsetKey(k: OffsetKey): Buffer {
  return new Writer(64).int16(OFFSET_KEY_VERSION).string(k.group).string(k.topic).int32(k.partition).toBuffer();
}

/** The offset key, or null for a record that is not an offset commit (group metadata). */
export function decodeOffsetKey(b: Buffer): OffsetKey | null {
  const r = new Reader(b);
  const version = r.int16();
  if (version !== 0 && version !== 1) return null;
  return { group: r.string(), topic: r.string(), partition: r.int32() };
}

export function encodeOffsetValue(v: CommittedOffset): Buffer {
  return new Writer(64)
    .int16(OFFSET_VALUE_VERSION)
    .int64(v.offset)
    .int32(v.leaderEpoch)
    .string(v.metadata)
    .int64(v.commitTimestamp)
    .toBuffer();
}

/** Reads value versions 0-3 (0-1 carry no leader epoch; 1 carries an expire timestamp we ignore). */
export function decodeOffsetValue(b: Buffer): CommittedOffset {
  const r = new Reader(b);
  const version = r.int16();
  const offset = r.int64n();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = r.int64n();
  return { offset, leaderEpoch, metadata, commitTimestamp };
}
