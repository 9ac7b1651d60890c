/** The node's local admin API, as the sidecar uses it: settings without a restart, drain, status. */
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { ChainCluster, portFreeOn } from './lib/chain-cluster.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';
import type { Readiness } from '../node/src/metrics/admin-server.ts';
import type { NodeStatus } from '../operator/src/sidecar/node-admin-api.ts';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../node/src/main.ts');

let node: NodeProcess;
/** The 3-node chain of the /readyz test, which the status test after it reuses. */
let chain: ChainCluster | undefined;
test.before(async () => {
  node = await startNodeProcess({ args: ['--segment-bytes', '1048576'] });
});
test.after.always(async () => {
  await node?.destroy();
  await chain?.destroy();
});

/** Runs `vonnegut status` with the given flags. */
const status = (...args: string[]) => run(process.execPath, ['--import', 'tsx', MAIN, 'status', ...args], { timeoutMs: 60_000 });

const admin = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${node.adminPort}${path}`, init);

test.serial('PUT /v1/config changes segment size and retention without a restart; bad settings get 400', async (t) => {
  t.is((await produceTo(node.address, 'cfg', 0, ['x'.repeat(3000)])).errorCode, 0);
  const put = (body: unknown) => admin('/v1/config', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.is((await put({ segmentBytes: 'big' })).status, 400);
  t.is((await put({ flushEverything: true })).status, 400);
  t.is((await put({ segmentBytes: 4096, logLevel: 'debug' })).status, 204);
  // With 4 KiB segments, three more 3 KB batches roll new segments.
  for (let i = 0; i < 3; i++) t.is((await produceTo(node.address, 'cfg', 0, ['y'.repeat(3000)])).errorCode, 0);
  const fs = await import('node:fs');
  const segments = fs.readdirSync(`${node.dataDir}/cfg-0`).filter((f) => f.endsWith('.log'));
  t.true(segments.length >= 3, `segments rolled at the new size: ${segments.join(', ')}`);
});

test.serial('vonnegut status --json is the node\'s /v1/status; an unreachable admin API fails with exit code 1', async (t) => {
  for (let i = 0; i < 2; i++) t.is((await produceTo(node.address, 'stat', 0, ['x'])).errorCode, 0);
  const out = await status('--admin', `127.0.0.1:${node.adminPort}`, '--json');
  t.is(out.code, 0, out.stderr);
  const printed = JSON.parse(out.stdout.toString()) as NodeStatus & { epoch: number; replicas: number };
  t.deepEqual(printed, (await (await admin('/v1/status')).json()) as NodeStatus);
  t.is(printed.role, 'solo');
  t.is(printed.replicas, 1);
  t.true(printed.partitions.some((p) => p.topic === 'stat' && p.highWatermark === 2));
  const text = await status('--admin', `127.0.0.1:${node.adminPort}`);
  t.regex(text.stdout.toString(), /^stat\s+0\s+0\s+2\s+2\s+0$/m);

  const closed = await portFreeOn(['127.0.0.1']);
  const down = await status('--admin', `127.0.0.1:${closed}`);
  t.is(down.code, 1);
  t.regex(down.stderr, /cannot reach the admin API at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  const bad = await status('--admin', 'http://[not a url');
  t.is(bad.code, 2, bad.stderr);
});

test.serial('POST /v1/drain makes the node unready and says so in /v1/status; a node outside any coordinated chain is drained at once', async (t) => {
  t.is((await admin('/readyz')).status, 200);
  t.is((await admin('/v1/drain', { method: 'POST' })).status, 202);
  await waitFor('unready', async () => ((await admin('/readyz')).status === 503 ? true : undefined));
  const status = (await (await admin("/v1/status")).json()) as NodeStatus;
  t.true(status.draining);
  await waitFor('drained', async () => ((await (await admin('/v1/status')).json()) as NodeStatus).drained);
  t.is((await admin('/readyz')).status, 503, 'a drained node stays unready');
  t.is(status.role, 'solo');
  t.true(status.partitions.some((p) => p.topic === 'cfg' && p.highWatermark === 4));
});

const chainTest = requireTool('dnsmasq') ? test.serial : test.skip;

/** A member's /readyz: HTTP status and the checks it reports. */
async function readyz(c: ChainCluster, i: number): Promise<{ status: number; body: Readiness }> {
  const res = await fetch(`http://127.0.0.1:${c.nodes[i]!.adminPort}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness };
}

/** Waits until every listed member answers /readyz with `status`, and returns their answers. */
function allAnswer(c: ChainCluster, members: number[], status: number, what: string) {
  return waitFor(what, async () => {
    const r = await Promise.all(members.map((i) => readyz(c, i)));
    return r.every((x) => x.status === status) ? r : undefined;
  }, 30_000, 100);
}

chainTest('/readyz turns ready only once the chain has its replicas and is linked, and unready when a member is killed or frozen', async (t) => {
  const c = new ChainCluster('ready', 3, 72);
  chain = c;
  {
    c.port = await portFreeOn([0, 1, 2].map((i) => c.address(i)));
    // Two of three members: discovery answers, but the chain is not formed.
    await c.publish(2);
    await Promise.all([c.addNode(0), c.addNode(1)]);
    const partial = await waitFor('both members see 2 of 3', async () => {
      const r = await Promise.all([0, 1].map((i) => readyz(c, i)));
      return r.every((x) => x.body.checks.chainFormed!.detail?.startsWith('2/3')) ? r : undefined;
    });
    for (const r of partial) {
      t.is(r.status, 503);
      t.false(r.body.ready);
      t.false(r.body.checks.chainFormed!.ok);
    }

    await c.publish(3);
    await c.addNode(2);
    const formed = await allAnswer(c, [0, 1, 2], 200, 'all three ready');
    t.true(formed.every((r) => r.body.checks.chainFormed!.ok && r.body.checks.chainLinked!.ok));

    // SIGKILL the tail: DNS still lists it (as a headless Service would), but head and middle lose their link.
    await c.nodes[2]!.kill('SIGKILL');
    const killed = await allAnswer(c, [0, 1], 503, 'head and middle unready after the tail is killed');
    for (const r of killed) {
      t.true(r.body.checks.chainFormed!.ok);
      t.false(r.body.checks.chainLinked!.ok, JSON.stringify(r.body.checks.chainLinked));
    }
    await c.nodes[2]!.start();
    await allAnswer(c, [0, 1, 2], 200, 'all ready after the tail restarts');

    // SIGSTOP the middle: its socket stays open, so only silence tells head and tail it is gone.
    await c.nodes[1]!.kill('SIGSTOP');
    const frozen = await allAnswer(c, [0, 2], 503, 'head and tail unready while the middle is frozen');
    t.true(frozen[0]!.body.checks.chainLinked!.detail!.includes('ready-1'), frozen[0]!.body.checks.chainLinked!.detail);
    t.true(frozen[1]!.body.checks.chainLinked!.detail!.includes('ready-1'), frozen[1]!.body.checks.chainLinked!.detail);
    await c.nodes[1]!.kill('SIGCONT');
    await allAnswer(c, [0, 1, 2], 200, 'all ready after the middle resumes');
  }
});

chainTest('vonnegut status prints a chain member\'s role, the members in order and each partition\'s offsets', async (t) => {
  // Reuses the /readyz test's chain; run alone (--match), it starts one.
  if (!chain) {
    chain = new ChainCluster('ready', 3, 72);
    await chain.start(3);
  }
  const c = chain;
  await c.waitWritable();
  for (let i = 0; i < 3; i++) t.is((await produceTo(c.nodes[0]!.address, 'st', 0, ['a'])).errorCode, 0);
  // The tail commits on append; wait for the head to learn it, so every member shows HWM 3.
  await waitFor('head hwm 3', async () => ((await c.hwm(0, 'st')) === 3 ? true : undefined));
  const out = await status('--admin', `127.0.0.1:${c.nodes[1]!.adminPort}`);
  t.is(out.code, 0, out.stderr);
  const text = out.stdout.toString();
  t.regex(text, /^role\s+middle$/m);
  t.regex(text, /^members\s+ready-0 -> ready-1 -> ready-2\s+\(3 of 3 replicas\)$/m);
  t.regex(text, /^writable\s+no$/m, 'only the head takes writes');
  t.regex(text, /^TOPIC\s+PARTITION\s+LOG START\s+LOG END\s+HWM\s+UNCOMMITTED$/m);
  t.regex(text, /^st\s+0\s+0\s+3\s+3\s+0$/m, text);
  const head = await status('--admin', `http://127.0.0.1:${c.nodes[0]!.adminPort}`);
  t.regex(head.stdout.toString(), /^writable\s+yes$/m);
});
