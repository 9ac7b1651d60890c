/**
 * Where produced batches are written to segment files.
 *
 * `thread-pool` (default): a partition's group of produces of at least OFFLOAD_MIN_BYTES is written with
 * one pwritev on libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 unless set), so the event loop goes
 * on serving other connections while the kernel copies it into the page cache, or holds the writer up
 * for writeback. A smaller group is written on the event loop: handing a write to the pool and back
 * costs 35-60 µs of CPU on a 2-vCPU VM (two cross-CPU wake-ups; 64 KiB writes cost 58 µs more each
 * handed off than written in place, 1 MiB ones the same either way), more than the page-cache copy of
 * 200 KiB. Under load a partition's groups grow (produces wait while its write is in flight), so the big
 * writes go to the pool exactly when the loop is busiest. `event-loop`: every write synchronous on the
 * event loop (what vonnegut did before; kept for comparison and as a fallback).
 */
export const LOG_WRITES = ['thread-pool', 'event-loop'] as const;
export type LogWrites = (typeof LOG_WRITES)[number];

/** In `thread-pool` mode, groups of at least this many bytes are written on the pool. */
export const OFFLOAD_MIN_BYTES = 256 * 1024;

/** Whether a group of `requests` is written on libuv's thread pool. */
export function writesOnPool(mode: LogWrites, requests: readonly Buffer[]): boolean {
  if (mode === 'event-loop') return false;
  let bytes = 0;
  for (const r of requests) bytes += r.length;
  return bytes >= OFFLOAD_MIN_BYTES;
}
