/**
 * Where a real node writes produced batches, seen from outside with `strace -f` attached to every
 * thread: with `--log-writes thread-pool` a group of at least OFFLOAD_MIN_BYTES is written to the
 * partition's `.log` on a thread other than the event loop's (libuv's pool) and a smaller one on the
 * event loop's own thread; by default (`event-loop`) every write is on the event loop's thread.
 * Either way every acknowledged record reads back in order.
 */
import test, { type ExecutionContext } from 'ava';
import { NodeProcess } from './lib/node-process.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { attachStrace, onSegmentLog } from './lib/strace.ts';
import { OFFLOAD_MIN_BYTES } from '../node/src/server/log-writes.ts';

const haveStrace = requireTool('strace');
const maybe = haveStrace ? test.serial : test.skip;

interface SegmentWrite {
  /** The thread that made the call (strace leaves `[pid N]` off for the process's first thread). */
  tid: number;
  bytes: number;
}

/** The pwrite/pwritev calls on a `.log` segment of `topic`, in order. */
function segmentWrites(lines: string[], topic: string, pid: number): SegmentWrite[] {
  return lines.filter((l) => /\bp?writev?(64|2)?\(\d+</.test(l) && onSegmentLog(l, topic) && /= \d+$/.test(l))
    .map((l) => ({ tid: Number(/^\[pid\s+(\d+)\]/.exec(l)?.[1] ?? pid), bytes: Number(/= (\d+)$/.exec(l)![1]) }));
}

const SMALL = ['s1', 's2'];
const LARGE = 'L'.repeat(OFFLOAD_MIN_BYTES + 44 * 1024);

/** Produces a small and a large request in turn, one at a time, each its own group, under strace. */
async function produceTraced(t: ExecutionContext, args: string[], topic: string): Promise<{ pid: number; writes: SegmentWrite[] }> {
  const node = await new NodeProcess({ args }).start();
  t.teardown(() => node.destroy());
  await produceTo(node.address, topic, 0, ['first'], 1); // creates the topic before tracing starts
  const pid = node.child!.pid!;
  const trace = await attachStrace(pid, ['pwrite64', 'pwritev', 'pwritev2', 'write', 'writev']);
  t.teardown(() => trace.stop());
  const rounds = 6;
  for (let i = 0; i < rounds; i++) {
    t.is((await produceTo(node.address, topic, 0, SMALL, 1)).errorCode, 0);
    t.is((await produceTo(node.address, topic, 0, [LARGE], 1)).errorCode, 0);
  }
  const writes = await waitFor('the segment writes in the trace', () => {
    const w = segmentWrites(trace.lines(), topic, pid);
    return w.length >= 2 * rounds ? w : undefined;
  }, 30_000, 50);
  const back = await fetchFrom(node.address, topic, 0, 0);
  t.deepEqual(back.decoded.map((r) => r.value?.toString()), ['first', ...Array.from({ length: rounds }, () => [...SMALL, LARGE]).flat()]);
  t.is(writes.filter((w) => w.bytes >= OFFLOAD_MIN_BYTES).length, rounds);
  return { pid, writes };
}

const describe = (writes: SegmentWrite[]): string => writes.map((w) => `${w.bytes}B@${w.tid}`).join(' ');

maybe('thread-pool: large groups are written off the event loop\'s thread, small ones on it', async (t) => {
  const { pid, writes } = await produceTraced(t, ['--log-writes', 'thread-pool'], 'lw-pool');
  const large = writes.filter((w) => w.bytes >= OFFLOAD_MIN_BYTES);
  const small = writes.filter((w) => w.bytes < OFFLOAD_MIN_BYTES);
  t.true(large.every((w) => w.tid !== pid), `${describe(writes)}; event loop ${pid}`);
  t.true(small.every((w) => w.tid === pid), `${describe(writes)}; event loop ${pid}`);
});

maybe('event-loop (default): every segment write runs on the event loop\'s thread', async (t) => {
  const { pid, writes } = await produceTraced(t, [], 'lw-loop');
  t.true(writes.every((w) => w.tid === pid), `${describe(writes)}; event loop ${pid}`);
});

test('a bad --log-writes value stops the node with one clear line', async (t) => {
  const node = new NodeProcess({ args: ['--log-writes', 'io-uring'] });
  const err = await t.throwsAsync(node.start());
  t.regex(String(err?.message), /log writes must be one of thread-pool, event-loop, got "io-uring"/);
  await node.destroy();
});
