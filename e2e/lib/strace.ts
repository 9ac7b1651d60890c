/** strace attached to every thread of a running process, for tests that look at its syscalls. */
import { spawn } from 'node:child_process';
import { waitFor } from './tools.ts';

export interface Strace {
  /** Every line strace printed so far (`-y`: each fd shown with its path; `[pid N]` names the thread). */
  lines(): string[];
  stop(): Promise<void>;
}

/** Attaches `strace -f -y -e trace=<syscalls>` to `pid`, resolving once it reports being attached. */
export async function attachStrace(pid: number, syscalls: string[]): Promise<Strace> {
  const child = spawn('strace', ['-f', '-y', '-e', `trace=${syscalls.join(',')}`, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('strace to attach', () => {
    if (child.exitCode !== null) throw new Error(`strace exited: ${out}`);
    return out.includes(`Process ${pid} attached`) ? true : undefined;
  }, 10_000, 20);
  return {
    lines: () => out.split('\n'),
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT');
      await gone;
    },
  };
}

/** Whether an strace line is a call on one of `topic`'s partition-0 `.log` segment files. */
export const onSegmentLog = (line: string, topic: string): boolean => line.includes(`/${topic}-0/`) && line.includes('.log>');
