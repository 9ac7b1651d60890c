/**
 * DeleteRecords (key 21), versions 0-2 (v2 flexible; v1 repeats v0).
 *
 *   Request  => [name:string [partition_index:int32 offset:int64]] timeout_ms:int32
 *   Response => throttle_time_ms:int32 [name:string [partition_index:int32 low_watermark:int64 error_code:int16]]
 *
 * `offset` -1 means the high watermark (delete everything committed).
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';
import { rArray, rString, rTags, wArray, wString, wTags } from './fields.ts';

export interface DeleteRecordsRequest {
  topics: { name: string; partitions: { partitionIndex: number; offset: number }[] }[];
  timeoutMs: number;
}

export interface DeleteRecordsPartitionResult {
  partitionIndex: number;
  lowWatermark: number;
  errorCode: number;
}

export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: { name: string; partitions: DeleteRecordsPartitionResult[] }[];
}

const flexible = (version: number): boolean => version >= 2;

export function decodeDeleteRecordsRequest(r: Reader, version: number): DeleteRecordsRequest {
  const flex = flexible(version);
  const topics = rArray(r, flex, (x) => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y) => {
      const partitionIndex = y.int32();
      const offset = y.int64n();
      rTags(y, flex);
      return { partitionIndex, offset };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  const timeoutMs = r.int32();
  rTags(r, flex);
  return { topics, timeoutMs };
}

export function encodeDeleteRecordsRequest(w: Writer, version: number, req: DeleteRecordsRequest): void {
  const flex = flexible(version);
  wArray(w, flex, req.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partitionIndex).int64(p.offset);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  w.int32(req.timeoutMs);
  wTags(w, flex);
}

export function encodeDeleteRecordsResponse(w: Writer, version: number, res: DeleteRecordsResponse): void {
  const flex = flexible(version);
  w.int32(res.throttleTimeMs);
  wArray(w, flex, res.topics, (x, t) => {
    wString(x, flex, t.name);
    wArray(x, flex, t.partitions, (y, p) => {
      y.int32(p.partitionIndex).int64(p.lowWatermark).int16(p.errorCode);
      wTags(y, flex);
    });
    wTags(x, flex);
  });
  wTags(w, flex);
}

export function decodeDeleteRecordsResponse(r: Reader, version: number): DeleteRecordsResponse {
  const flex = flexible(version);
  const throttleTimeMs = r.int32();
  const topics = rArray(r, flex, (x) => {
    const name = rString(x, flex);
    const partitions = rArray(x, flex, (y): DeleteRecordsPartitionResult => {
      const partitionIndex = y.int32();
      const lowWatermark = y.int64n();
      const errorCode = y.int16();
      rTags(y, flex);
      return { partitionIndex, lowWatermark, errorCode };
    });
    rTags(x, flex);
    return { name, partitions };
  });
  rTags(r, flex);
  return { throttleTimeMs, topics };
}
