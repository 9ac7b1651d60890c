/** Spawns a process and waits for the first output line matching a pattern (how tests learn bound ports). */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Spawned {
  child: ChildProcess;
  /** The matching line's groups. */
  match: RegExpExecArray;
  /** Milliseconds from spawn to the matching line. */
  ms: number;
  /** Everything written to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command args` and resolves once a stdout or stderr line matches `pattern`. */
export function spawnUntil(command: string, args: string[], pattern: RegExp, opts: SpawnOptions = {}, timeoutMs = 60_000): Promise<Spawned> {
  const started = performance.now();
  const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 30_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(1000);
      reject(new Error(`${command} ${args.join(' ')}: no line matching ${pattern} within ${timeoutMs} ms:\n${out.slice(-4000)}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.length > 400_000) out = out.slice(-200_000);
      const match = pattern.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      // Keep draining the pipes so a chatty process never blocks on a full one.
      child.stdout!.on('data', (x: Buffer) => { out = (out + x.toString()).slice(-200_000); });
      child.stderr!.on('data', (x: Buffer) => { out = (out + x.toString()).slice(-200_000); });
      resolve({ child, match, ms: performance.now() - started, output: () => out, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited (${code ?? signal}) before printing ${pattern}:\n${out.slice(-4000)}`));
    });
  });
}
