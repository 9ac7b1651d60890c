/**
 * Where produced batches are written to segment files.
 *
 * `event-loop` (default): every partition group's pwritev runs synchronously on the event loop. The bytes
 * were just read from the socket on this thread, so the page-cache copy is cheap here (about 0.25 ms per
 * MiB), and nothing has to be handed over.
 *
 * `thread-pool`: a group of at least OFFLOAD_MIN_BYTES is written on libuv's thread pool
 * (UV_THREADPOOL_SIZE threads, 4 unless set), so the event loop goes on serving other connections while
 * the kernel copies it, or holds the writer up for writeback; smaller groups stay on the loop, because a
 * hand-off costs 35-60 µs of CPU on a 2-vCPU VM (two cross-CPU wake-ups), more than the copy of 200 KiB.
 * Under load a partition's groups grow (produces wait while its write is in flight), so the big writes
 * go to the pool exactly when the loop is busiest. Measured on the 2-core VM (docs/performance.md): it
 * lowers event-loop stalls and half-load p99 under a saturating load, but the pool's copy of bytes that
 * are hot in the loop's core costs more (server CPU per MiB under librdkafka 1.4-1.9x, the event loop's
 * own share unchanged), so it is the choice for disks whose writeback stalls, not the default.
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
