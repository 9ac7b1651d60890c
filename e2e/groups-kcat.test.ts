/**
 * librdkafka's balanced consumer through kcat (`kcat -G`): two processes in one group split a
 * 6-partition topic and read every record exactly once between them; after both leave, a third member
 * of the group starts from the committed offsets and finds nothing left to read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import test from 'ava';
import { Kafka, logLevel } from 'kafkajs';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasKcat = requireTool('kcat');
const TOPIC = 'kcat-six';
const GROUP = 'kcat-group';
const PARTITIONS = 6;
const PER_PARTITION = 100;

let node: NodeProcess;
const children = new Set<ChildProcess>();
test.before(async () => {
  if (hasKcat) node = await startNodeProcess();
});
test.after.always(async () => {
  for (const c of children) c.kill('SIGKILL');
  await node?.destroy();
});

/** A long-running `kcat -G` member; stdout lines are `partition offset value`. */
class KcatMember {
  readonly child: ChildProcess;
  out = '';
  err = '';
  constructor(extra: string[] = []) {
    this.child = spawn('kcat', ['-b', node.address, '-G', GROUP, '-u', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=10000', '-f', '%p %o %s\\n', ...extra, TOPIC], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.child);
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.err += d.toString()));
  }

  lines(): string[] {
    return this.out.split('\n').filter((l) => l.length > 0);
  }

  /** Partitions of the latest "rebalanced ... assigned:" line kcat prints, or null before the first. */
  assigned(): number[] | null {
    const all = [...this.err.matchAll(/rebalanced \(memberid [^)]*\): assigned: ([^\n]*)/g)];
    const last = all[all.length - 1];
    if (!last) return null;
    return [...last[1]!.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  /** SIGTERM: kcat commits its offsets and leaves the group before exiting. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await gone;
    children.delete(this.child);
  }
}

test.serial(hasKcat ? 'two kcat -G members read a 6-partition topic exactly once between them; a later member resumes at the committed end' : 'kcat -G (skipped: kcat not installed)', async (t) => {
  if (!hasKcat) return t.pass();
  // kcat cannot create a topic with partitions: kafkajs admin does.
  const admin = new Kafka({ brokers: [node.address], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  t.true(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true }));
  await admin.disconnect();

  const a = new KcatMember();
  const b = new KcatMember();
  await waitFor('both kcat members assigned', () => {
    const pa = a.assigned();
    const pb = b.assigned();
    if (!pa || !pb || pa.length === 0 || pb.length === 0) return undefined;
    return [...pa, ...pb].sort((x, y) => x - y).join() === '0,1,2,3,4,5' ? true : undefined;
  }, 60_000);

  const expected: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const values = Array.from({ length: PER_PARTITION }, (_, i) => `p${p}-m${i}`);
    expected.push(...values.map((v, i) => `${p} ${i} ${v}`));
    const r = await run('kcat', ['-b', node.address, '-P', '-t', TOPIC, '-p', String(p), '-X', 'acks=all'], { input: values.join('\n') + '\n' });
    t.is(r.code, 0, r.stderr);
  }
  await waitFor('everything consumed', () => (a.lines().length + b.lines().length >= expected.length ? true : undefined), 60_000);
  const pa = a.assigned()!;
  const pb = b.assigned()!;
  await a.stop();
  await b.stop();

  t.deepEqual([...a.lines(), ...b.lines()].sort(), [...expected].sort(), 'every record exactly once across both processes');
  t.true(a.lines().every((l) => pa.includes(Number(l.split(' ')[0]))), 'first member read only its partitions');
  t.true(b.lines().every((l) => pb.includes(Number(l.split(' ')[0]))), 'second member read only its partitions');

  // A new member of the same group starts at the committed offsets: -e exits at the end of every partition.
  const c = new KcatMember(['-e']);
  const exitCode = await new Promise<number | null>((resolve) => c.child.once('exit', (code) => resolve(code)));
  children.delete(c.child);
  t.is(exitCode, 0, c.err.slice(-2000));
  t.deepEqual(c.assigned(), [0, 1, 2, 3, 4, 5], 'the lone member was assigned every partition');
  t.deepEqual(c.lines(), [], `nothing left after the committed offsets\n${c.err.slice(-2000)}`);
});
