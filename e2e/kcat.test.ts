import test from 'ava';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { requireTool, run } from './lib/tools.ts';

const hasKcat = requireTool('kcat');
const kcatTest = hasKcat ? test.serial : test.skip;

let node: NodeProcess;
test.before(async () => {
  if (hasKcat) node = await startNodeProcess();
});
test.after.always(async () => {
  await node?.destroy();
});

const N = 10_000;
const lines = Array.from({ length: N }, (_, i) => `key-${i}\tvalue-${i}-${'x'.repeat(i % 50)}`).join('\n') + '\n';

kcatTest('kcat produces 10,000 keyed messages with headers and consumes them back in order', async (t) => {
  const p = await run('kcat', ['-b', node.address, '-P', '-t', 'kcat-plain', '-K', '\t', '-H', 'origin=kcat', '-H', 'n=1'], { input: lines });
  t.is(p.code, 0, p.stderr);
  const c = await run('kcat', ['-b', node.address, '-C', '-t', 'kcat-plain', '-o', 'beginning', '-e', '-q', '-f', '%o|%k|%s|%h\n']);
  t.is(c.code, 0, c.stderr);
  const got = c.stdout.toString().trimEnd().split('\n');
  t.is(got.length, N);
  for (let i = 0; i < N; i++) {
    const expected = `${i}|key-${i}|value-${i}-${'x'.repeat(i % 50)}|origin=kcat,n=1`;
    if (got[i] !== expected) return t.fail(`record ${i}: ${got[i]} != ${expected}`);
  }
  t.pass();
});

for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
  kcatTest(`kcat round-trips 10,000 messages compressed with ${codec}`, async (t) => {
    const topic = `kcat-${codec}`;
    const p = await run('kcat', ['-b', node.address, '-P', '-t', topic, '-K', '\t', '-z', codec], { input: lines });
    t.is(p.code, 0, p.stderr);
    const c = await run('kcat', ['-b', node.address, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n']);
    t.is(c.code, 0, c.stderr);
    t.is(c.stdout.toString(), lines);
  });
}
