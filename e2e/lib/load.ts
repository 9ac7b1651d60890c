/** Load generators for failure tests. */
import { produceTo } from './raw-kafka.ts';
import { waitFor } from './tools.ts';

/**
 * Produces numbered batches with acks=-1 until stopped, as an idempotent producer (producer id and
 * sequence numbers): a failed batch is retried with the same sequence until acknowledged, so a retry of
 * a batch that did commit before its answer was lost is recognised instead of stored twice.
 */
export function startLoad(address: string, topic: string) {
  const acked: string[] = [];
  let stop = false;
  let errors = 0;
  const producerId = 1 + Math.floor(Math.random() * 1e9);
  const done = (async () => {
    for (let n = 0; !stop; n++) {
      const ids = Array.from({ length: 10 }, (_, j) => `m-${n}-${j}`);
      for (;;) {
        const res = await produceTo(address, topic, 0, ids, -1, 30_000, { producerId, producerEpoch: 0, baseSequence: n * 10 }).catch(() => ({ errorCode: -1 }));
        if (res.errorCode === 0) {
          acked.push(...ids);
          break;
        }
        errors++;
        if (stop) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  })();
  return {
    acked,
    errors: () => errors,
    /** Resolves once `more` further records are acknowledged. */
    progress: (more: number) => {
      const target = acked.length + more;
      return waitFor(`${more} more acknowledged records`, () => (acked.length >= target ? true : undefined), 60_000, 20);
    },
    stop: async () => {
      stop = true;
      await done;
    },
  };
}

