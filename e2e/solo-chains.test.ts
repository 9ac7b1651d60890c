/**
 * A cluster of single-node chains (`--replicas 1`, what a user starts with): two node processes, each
 * its own chain, found through static lists; real kcat against both.
 */
import test from 'ava';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { freePort } from './lib/ports.ts';
import { createTopicAt } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const soloTest = requireTool('kcat') ? test.serial : test.skip;
const nodes: NodeProcess[] = [];

test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
});

interface KcatMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: { leader: number }[] }[];
}

soloTest('two solo chains: every node lists both brokers under the same ids and names the owning node leader; kcat produces and consumes on both', async (t) => {
  const ports = [await freePort(), await freePort()];
  const addr = (i: number) => `127.0.0.1:${ports[i]}`;
  const cluster = `static:a0=${addr(0)},static:b0=${addr(1)}`;
  for (const [i, name] of ['a0', 'b0'].entries()) {
    nodes.push(await startNodeProcess({ port: ports[i]!, args: ['--node-name', name, '--discovery', `static:${name}=${addr(i)}`, '--replicas', '1', '--cluster', cluster] }));
  }
  // Enough topics that the least-loaded placement puts some on each chain.
  const topics = ['s0', 's1', 's2', 's3'];
  for (const topic of topics) t.is(await waitFor(`create ${topic}`, async () => ((await createTopicAt(addr(0), topic, 1)) === 0 ? 0 : undefined), 30_000), 0);
  const views = await Promise.all([0, 1].map((i) => waitFor(`every topic in metadata from ${addr(i)}`, async () => {
    const meta = JSON.parse((await run('kcat', ['-b', addr(i), '-L', '-J'])).stdout.toString()) as KcatMetadata;
    return topics.every((x) => meta.topics.some((m) => m.topic === x && m.partitions[0]!.leader >= 0)) ? meta : undefined;
  }, 30_000)));
  for (const meta of views) {
    t.is(meta.brokers.length, 2, JSON.stringify(meta.brokers));
    t.deepEqual(new Set(meta.brokers.map((b) => b.name)), new Set([addr(0), addr(1)]));
  }
  t.deepEqual(views[0]!.brokers.sort((a, b) => a.id - b.id), views[1]!.brokers.sort((a, b) => a.id - b.id), 'both nodes give each broker the same id');
  const leaders = new Set(views[0]!.topics.filter((m) => topics.includes(m.topic)).map((m) => views[0]!.brokers.find((b) => b.id === m.partitions[0]!.leader)?.name));
  t.deepEqual(leaders, new Set([addr(0), addr(1)]), 'topics lead on both chains');
  for (const topic of topics) {
    await run('kcat', ['-b', addr(0), '-P', '-t', topic, '-X', 'message.timeout.ms=20000'], { input: `hello ${topic}\n`, timeoutMs: 30_000 });
    const out = await run('kcat', ['-b', addr(1), '-C', '-t', topic, '-o', 'beginning', '-c', '1', '-e'], { timeoutMs: 30_000 });
    t.is(out.stdout.toString().trim(), `hello ${topic}`);
  }
});
