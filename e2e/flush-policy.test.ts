/**
 * The flush policy seen from outside: a real node under `strace` (attached to its pid, every thread)
 * shows which fsync(2) calls reach the partition's .log file while a client produces over TCP.
 * flush.messages=1 means every acknowledged produce was fsynced first; flush.ms fsyncs on its own
 * shortly after; no policy means no fsync of the log at all while serving.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import test from 'ava';
import { NodeProcess } from './lib/node-process.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';

const haveStrace = requireTool('strace');
const maybe = haveStrace ? test.serial : test.skip;

interface Tracer {
  child: ChildProcess;
  /** fsync/fdatasync calls on a segment `.log` of `topic` so far. */
  logFsyncs(topic: string): number;
  stop(): Promise<void>;
}

/** Attaches strace to every thread of `pid`, resolving once it reports being attached. */
async function traceFsyncs(pid: number): Promise<Tracer> {
  // -y prints each fd's path, so the fsyncs of one partition's segment can be told apart.
  const child = spawn('strace', ['-f', '-y', '-e', 'trace=fsync,fdatasync', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('strace to attach', () => {
    if (child.exitCode !== null) throw new Error(`strace exited: ${out}`);
    return out.includes(`Process ${pid} attached`) ? true : undefined;
  }, 10_000, 20);
  return {
    child,
    logFsyncs: (topic) => out.split('\n').filter((l) => /f(data)?sync\(\d+</.test(l) && l.includes(`/${topic}-0/`) && l.includes('.log>')).length,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT');
      await gone;
    },
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
