/** What the recompression pool (recompress-pool.ts) and its workers (recompress-worker.ts) send each other. */

/** A job as a worker receives it (`batches` transferred). */
export interface RecompressJob {
  id: number;
  batches: ArrayBuffer;
  codec: number;
}

/** A worker's answer. */
export type RecompressReply =
  | { id: number; same: true }
  | { id: number; batches: ArrayBuffer }
  | { id: number; error: { kind: 'kafka' | 'decode' | 'other'; codeName: string | undefined; message: string } };
