/** Waiting for an event with a deadline. */
import type { EventEmitter } from 'node:events';

/** Resolves true at the first `event` whose first argument `matches`, false after `timeoutMs`. */
export function waitForEvent(emitter: EventEmitter, event: string, matches: (arg: unknown) => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (found: boolean) => {
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(found);
    };
    const listener = (arg: unknown) => {
      if (matches(arg)) done(true);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    emitter.on(event, listener);
  });
}
