/**
 * OffsetDelete (key 47), version 0 (not flexible).
 *
 *   Request  => group_id:string [name:string [partition_index:int32]]
 *   Response => error_code:int16 throttle_time_ms:int32 [name:string [partition_index:int32 error_code:int16]]
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';

export interface OffsetDeleteRequest {
  groupId: string;
  topics: { name: string; partitions: number[] }[];
}

export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export function decodeOffsetDeleteRequest(r: Reader, _version: number): OffsetDeleteRequest {
  const groupId = r.string();
  const topics = r.array((x) => ({ name: x.string(), partitions: x.array((y) => y.int32()) }));
  return { groupId, topics };
}

export function encodeOffsetDeleteRequest(w: Writer, _version: number, req: OffsetDeleteRequest): void {
  w.string(req.groupId).array(req.topics, (x, t) => x.string(t.name).array(t.partitions, (y, p) => y.int32(p)));
}

export function encodeOffsetDeleteResponse(w: Writer, _version: number, res: OffsetDeleteResponse): void {
  w.int16(res.errorCode).int32(res.throttleTimeMs);
  w.array(res.topics, (x, t) => x.string(t.name).array(t.partitions, (y, p) => y.int32(p.partitionIndex).int16(p.errorCode)));
}

export function decodeOffsetDeleteResponse(r: Reader, _version: number): OffsetDeleteResponse {
  const errorCode = r.int16();
  const throttleTimeMs = r.int32();
  const topics = r.array((x) => ({ name: x.string(), partitions: x.array((y) => ({ partitionIndex: y.int32(), errorCode: y.int16() })) }));
  return { errorCode, throttleTimeMs, topics };
}
