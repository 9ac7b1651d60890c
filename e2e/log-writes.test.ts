/**
 * Where a real node writes produced batches, seen from outside with `strace -f` attached to every
 * thread: with the default `--log-writes thread-pool` each pwritev of the partition's `.log` runs on a
 * thread other than the event loop's (libuv's pool), with `--log-writes event-loop` on the event loop's
 * own thread. Either way every acknowledged record reads back in order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import test, { type ExecutionContext } from 'ava';
import { NodeProcess } from './lib/node-process.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';

const haveStrace = requireTool('strace');
const maybe = haveStrace ? test.serial : test.skip;

interface Tracer {
  /** Thread ids that wrote (pwrite/pwritev) a `.log` segment of `topic`, one per write. */
  logWriters(topic: string): number[];
  stop(): Promise<void>;
}

async function traceWrites(pid: number): Promise<Tracer> {
  const child: ChildProcess = spawn('strace', ['-f', '-y', '-e', 'trace=pwrite64,pwritev,pwritev2,write,writev', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('strace to attach', () => {
    if (child.exitCode !== null) throw new Error(`strace exited: ${out}`);
    return out.includes(`Process ${pid} attached`) ? true : undefined;
  }, 10_000, 20);
  return {
    logWriters: (topic) => out.split('\n')
      .filter((l) => /\bp?writev?(64|2)?\(\d+</.test(l) && l.includes(`/${topic}-0/`) && l.includes('.log>'))
      // `[pid N]` names the thread; strace leaves it off for the process's first thread.
      .map((l) => Number(/^\[pid\s+(\d+)\]/.exec(l)?.[1] ?? pid)),
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT');
      await gone;
    },
  };
}

async function produceTraced(t: ExecutionContext, args: string[], topic: string): Promise<{ pid: number; writers: number[] }> {
  const node = await new NodeProcess({ args }).start();
  t.teardown(() => node.destroy());
  await produceTo(node.address, topic, 0, ['first'], 1); // creates the topic before tracing starts
  const pid = node.child!.pid!;
  const tracer = await traceWrites(pid);
  t.teardown(() => tracer.stop());
  for (let i = 0; i < 20; i++) t.is((await produceTo(node.address, topic, 0, [`v${i}`, `w${i}`], 1)).errorCode, 0);
  const writers = await waitFor('the segment writes in the trace', () => {
    const w = tracer.logWriters(topic);
    return w.length >= 20 ? w : undefined;
  }, 30_000, 50);
  const back = await fetchFrom(node.address, topic, 0, 0);
  t.deepEqual(back.decoded.map((r) => r.value?.toString()), ['first', ...Array.from({ length: 20 }, (_, i) => [`v${i}`, `w${i}`]).flat()]);
  return { pid, writers };
}

maybe('thread-pool (default): every segment write runs off the event loop\'s thread', async (t) => {
  const { pid, writers } = await produceTraced(t, [], 'lw-pool');
  t.true(writers.every((tid) => tid !== pid), `writers ${[...new Set(writers)].join(', ')}, event loop ${pid}`);
});

maybe('event-loop: every segment write runs on the event loop\'s thread', async (t) => {
  const { pid, writers } = await produceTraced(t, ['--log-writes', 'event-loop'], 'lw-loop');
  t.true(writers.every((tid) => tid === pid), `writers ${[...new Set(writers)].join(', ')}, event loop ${pid}`);
});

test('a bad --log-writes value stops the node with one clear line', async (t) => {
  const node = new NodeProcess({ args: ['--log-writes', 'io-uring'] });
  const err = await t.throwsAsync(node.start());
  t.regex(String(err?.message), /log writes must be one of thread-pool, event-loop, got "io-uring"/);
  await node.destroy();
});
