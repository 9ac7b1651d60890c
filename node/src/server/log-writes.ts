/**
 * Where produced batches are written to segment files.
 *
 * `thread-pool` (default): each partition's group of produces is written with one pwritev on libuv's
 * thread pool (UV_THREADPOOL_SIZE threads, 4 unless set), so the event loop goes on serving other
 * connections while the page-cache copy runs on another core. `event-loop`: the same write,
 * synchronous on the event loop (what vonnegut did before; kept for comparison and as a fallback).
 */
export const LOG_WRITES = ['thread-pool', 'event-loop'] as const;
export type LogWrites = (typeof LOG_WRITES)[number];
