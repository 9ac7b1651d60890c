/**
 * A progress bar on stderr (so `--json` output on stdout stays machine-readable), or a no-op when stderr
 * is not a terminal or the caller asks for quiet.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  phase(name: string): void;
  add(bytes: number): void;
  stop(): void;
}

/** A bar over `totalBytes` of work spread across named phases. */
export function progress(totalBytes: number, enabled: boolean): Progress {
  if (!enabled) return { phase: () => {}, add: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{phase} [{bar}] {percentage}% | {value}/{total} MiB', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const mib = (b: number): number => Math.round(b / (1024 * 1024));
  let done = 0;
  let phase = '';
  bar.start(mib(totalBytes), 0, { phase });
  return {
    phase(name) {
      phase = name.padEnd(16);
      bar.update(mib(done), { phase });
    },
    add(bytes) {
      done += bytes;
      // Updating per call would cost more than a 100 KiB append; the bar redraws on its own timer.
      if ((done & 0xfffff) < bytes) bar.update(mib(done), { phase });
    },
    stop() {
      bar.update(mib(totalBytes), { phase });
      bar.stop();
    },
  };
}
