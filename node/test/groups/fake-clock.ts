/** A hand-driven Clock for the group state machine: time moves only in `advance`, timers fire in order. */
import type { Clock, Timer } from '../../src/groups/clock.ts';

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private entries: Entry[] = [];

  now(): number {
    return this.t;
  }

  schedule(ms: number, fn: () => void): Timer {
    const e: Entry = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.entries.push(e);
    return { cancel: () => (e.cancelled = true) };
  }

  /** Moves time forward, running every timer due on the way (including ones scheduled meanwhile). */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.entries.filter((e) => !e.cancelled && e.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.entries = this.entries.filter((e) => e !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
  }
}

/** Watches a promise so a test can ask, synchronously after `flush`, whether and how it settled. */
export function track<T>(p: Promise<T>): { value: T | undefined } {
  const box: { value: T | undefined } = { value: undefined };
  void p.then((v) => (box.value = v));
  return box;
}

/** Lets resolved promises run their callbacks. */
export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
