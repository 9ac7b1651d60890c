/**
 * Every store call has a deadline: a node whose store has lost quorum (or whose API server is gone)
 * must get an answer, a CoordinationError, in bounded time rather than hang its failover loop.
 */
import { CoordinationError } from './store.ts';

/** Runs `fn` with an absolute deadline; rejects with CoordinationError on timeout or any failure. */
export async function withDeadline<T>(what: string, timeoutMs: number, fn: (deadline: Date) => Promise<T>): Promise<T> {
  const deadline = new Date(Date.now() + timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoordinationError(`${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // Promise.race handles the loser's later rejection, so an abandoned call never becomes unhandled.
    return await Promise.race([fn(deadline), timeout]);
  } catch (err) {
    if (err instanceof CoordinationError) throw err;
    throw new CoordinationError(`${what}: ${err instanceof Error ? err.message : String(err)}`, err);
  } finally {
    clearTimeout(timer);
  }
}
