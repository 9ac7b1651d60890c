/**
 * A recompression worker thread (recompress-pool.ts): takes a request's batches and a codec, answers the
 * recompressed batches (recompress.ts), or `same` when nothing needed a change, or the error that
 * refused them, described so the pool can rebuild it as the same typed error.
 */
import { parentPort } from 'node:worker_threads';
import { initCompression, type CompressionCode } from '../protocol/compression.ts';
import { recompressBatches } from '../protocol/recompress.ts';
import { DecodeError, KafkaError } from '../protocol/errors.ts';
import type { RecompressJob, RecompressReply } from './recompress-messages.ts';

await initCompression();
const port = parentPort!;
port.on('message', (job: RecompressJob) => {
  let reply: RecompressReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const input = Buffer.from(job.batches);
    const out = recompressBatches(input, job.codec as CompressionCode);
    if (out === input) {
      reply = { id: job.id, same: true };
    } else {
      // Transfer only an ArrayBuffer that holds exactly the output: a pooled one would take its
      // neighbours along (and detach Node's pool in this thread).
      const own = out.byteOffset === 0 && out.buffer.byteLength === out.length ? out.buffer as ArrayBuffer : new Uint8Array(out).buffer;
      reply = { id: job.id, batches: own };
      transfer = [own];
    }
  } catch (err) {
    const kind = err instanceof KafkaError ? 'kafka' : err instanceof DecodeError ? 'decode' : 'other';
    reply = { id: job.id, error: { kind, codeName: err instanceof KafkaError ? err.codeName : undefined, message: (err as Error).message } };
  }
  port.postMessage(reply, transfer);
});
port.postMessage({ ready: true });
