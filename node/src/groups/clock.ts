/**
 * Time as the group coordinator sees it. Session and rebalance timeouts go through this interface so the
 * state machine's tests drive time by hand instead of sleeping.
 */

/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms` milliseconds unless cancelled. */
  schedule(ms: number, fn: () => void): Timer;
}

/** Wall-clock time and real timers; unref'd so a pending session timeout never keeps a process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
