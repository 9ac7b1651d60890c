/**
 * Where a real node writes produced batches, seen from outside with `strace -f` attached to every
 * thread: with the default `--log-writes thread-pool` each pwritev of the partition's `.log` runs on a
 * thread other than the event loop's (libuv's pool), with `--log-writes event-loop` on the event loop's
 * own thread. Either way every acknowledged record reads back in order.
 */
import test, { type ExecutionContext } from 'ava';
import { NodeProcess } from './lib/node-process.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { attachStrace, onSegmentLog } from './lib/strace.ts';

const haveStrace = requireTool('strace');
const maybe = haveStrace ? test.serial : test.skip;

/** Thread ids that wrote (pwrite/pwritev) a `.log` segment of `topic`, one per write. */
function logWriters(lines: string[], topic: string, pid: number): number[] {
  return lines.filter((l) => /\bp?writev?(64|2)?\(\d+</.test(l) && onSegmentLog(l, topic))
    // strace leaves `[pid N]` off for the process's first thread.
    .map((l) => Number(/^\[pid\s+(\d+)\]/.exec(l)?.[1] ?? pid));
}

async function produceTraced(t: ExecutionContext, args: string[], topic: string): Promise<{ pid: number; writers: number[] }> {
  const node = await new NodeProcess({ args }).start();
  t.teardown(() => node.destroy());
  await produceTo(node.address, topic, 0, ['first'], 1); // creates the topic before tracing starts
  const pid = node.child!.pid!;
  const trace = await attachStrace(pid, ['pwrite64', 'pwritev', 'pwritev2', 'write', 'writev']);
  t.teardown(() => trace.stop());
  for (let i = 0; i < 20; i++) t.is((await produceTo(node.address, topic, 0, [`v${i}`, `w${i}`], 1)).errorCode, 0);
  const writers = await waitFor('the segment writes in the trace', () => {
    const w = logWriters(trace.lines(), topic, pid);
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
