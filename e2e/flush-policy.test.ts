/**
 * The flush policy seen from outside: a real node under `strace` (attached to its pid, every thread)
 * shows which fsync(2) calls reach the partition's .log file while a client produces over TCP.
 * flush.messages=1 means every acknowledged produce was fsynced first; flush.ms fsyncs on its own
 * shortly after; no policy means no fsync of the log at all while serving.
 */
import test from 'ava';
import { NodeProcess } from './lib/node-process.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { attachStrace, onSegmentLog } from './lib/strace.ts';

const haveStrace = requireTool('strace');
const maybe = haveStrace ? test.serial : test.skip;

interface Tracer {
  /** fsync/fdatasync calls on a segment `.log` of `topic` so far. */
  logFsyncs(topic: string): number;
  stop(): Promise<void>;
}

/** strace on every thread of `pid`, counting fsyncs per partition segment (-y prints each fd's path). */
async function traceFsyncs(pid: number): Promise<Tracer> {
  const trace = await attachStrace(pid, ['fsync', 'fdatasync']);
  return {
    logFsyncs: (topic) => trace.lines().filter((l) => /f(data)?sync\(\d+</.test(l) && onSegmentLog(l, topic)).length,
    stop: () => trace.stop(),
  };
}

async function nodeWith(t: import('ava').ExecutionContext, args: string[]): Promise<{ node: NodeProcess; tracer: Tracer }> {
  const node = await new NodeProcess({ args }).start();
  t.teardown(() => node.destroy());
  // The topic exists before tracing starts, so creating it (which fsyncs nothing of ours) is not counted.
  await produceTo(node.address, 'probe', 0, ['p'], 1);
  const tracer = await traceFsyncs(node.child!.pid!);
  t.teardown(() => tracer.stop());
  return { node, tracer };
}

maybe('flush.messages=1: every produce fsyncs the segment (inside its append, so before its acknowledgement)', async (t) => {
  const { node, tracer } = await nodeWith(t, ['--flush-messages', '1']);
  const before = tracer.logFsyncs('fm');
  for (let i = 0; i < 20; i++) {
    const r = await produceTo(node.address, 'fm', 0, [`v${i}`], 1);
    t.is(r.errorCode, 0);
    // strace writes its line before the traced call returns, so by the ack the line is (almost) there:
    // wait for it rather than assuming stderr has been read.
    await waitFor(`fsync of produce ${i}`, () => (tracer.logFsyncs('fm') >= before + i + 1 ? true : undefined), 5000, 5);
  }
  t.true(tracer.logFsyncs('fm') >= before + 20);
});

maybe('flush.ms: an unflushed record is fsynced on the timer without further writes', async (t) => {
  const { node, tracer } = await nodeWith(t, ['--flush-ms', '200']);
  const r = await produceTo(node.address, 'fms', 0, ['one'], 1);
  t.is(r.errorCode, 0);
  await waitFor('the timer fsync of the segment', () => (tracer.logFsyncs('fms') >= 1 ? true : undefined), 10_000, 20);
  t.pass();
});

maybe('no flush policy: serving produces never fsyncs the segment; a clean shutdown does', async (t) => {
  const { node, tracer } = await nodeWith(t, []);
  for (let i = 0; i < 50; i++) t.is((await produceTo(node.address, 'none', 0, [`v${i}`], 1)).errorCode, 0);
  t.is(tracer.logFsyncs('none'), 0);
  // The positive control: the same tracer does see the segment's fsync when the node closes its logs.
  await node.kill('SIGTERM');
  await waitFor('the shutdown fsync of the segment', () => (tracer.logFsyncs('none') >= 1 ? true : undefined), 10_000, 20);
  t.pass();
});
