/**
 * What a new user meets in the first hour (issue 16): a data dir two processes share, a busy admin port,
 * an unusable data dir, and the small lies (`clean:false` on a new dir, `replicas 0`, the --help grammar).
 * Each test starts real `vonnegut serve` processes.
 */
import test from 'ava';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeProcess } from './lib/node-process.ts';
import { run, type RunResult } from './lib/tools.ts';
import { createClient, openLog } from '../node/src/index.ts';
import { DnsServer } from './lib/dns.ts';
import { requireTool } from './lib/tools.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'node/src/main.ts');
const nodes: NodeProcess[] = [];
test.after.always(async () => {
  for (const n of nodes) await n.destroy();
});

/** Runs `vonnegut ARGS` to its exit (a start that must fail), bounded by a generous deadline. */
function vonnegut(args: string[]): Promise<RunResult> {
  return run(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeoutMs: 180_000 });
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-first-hour-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function node(dataDir?: string): NodeProcess {
  const n = new NodeProcess(dataDir ? { dataDir } : {});
  nodes.push(n);
  return n;
}

test('a second serve or openLog on a locked data dir fails at once naming the holder pid; kill -9 frees it', async (t) => {
  const first = await node().start();
  const pid = first.child!.pid!;
  const second = await vonnegut(['serve', '--data-dir', first.dataDir, '--port', '0', '--admin-port', '-1']);
  t.not(second.code, 0);
  t.regex(second.stderr, new RegExp(`data directory .* is in use by pid ${pid}\\b`));
  t.is(second.stdout.toString(), '', 'the second process never listened');
  const err = await t.throwsAsync(openLog({ dataDir: first.dataDir }));
  t.regex(err!.message, new RegExp(`in use by pid ${pid}\\b`));

  // No stale lock after a crash: the kernel drops it with the process.
  await first.kill('SIGKILL');
  const log = await openLog({ dataDir: first.dataDir });
  log.createTopic('after-crash');
  // ...and while the library holds it, a server cannot start there.
  const third = await vonnegut(['serve', '--data-dir', first.dataDir, '--port', '0', '--admin-port', '-1']);
  t.not(third.code, 0);
  t.regex(third.stderr, new RegExp(`in use by this process|in use by pid ${process.pid}\\b`));
  log.close();
  const restarted = await first.start();
  t.truthy(restarted.port);
});

test('a busy admin port or Kafka port stops the start with one error line and a non-zero exit', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => blocker.close());
  const busy = (blocker.address() as net.AddressInfo).port;
  const dir = tempDir(t);

  const admin = await vonnegut(['serve', '--data-dir', path.join(dir, 'a'), '--port', '0', '--admin-port', String(busy)]);
  t.is(admin.code, 1);
  t.regex(admin.stderr, new RegExp(`cannot start: admin port 127\\.0\\.0\\.1:${busy}: .*EADDRINUSE`));
  t.notRegex(admin.stdout.toString(), /listening/);

  const kafka = await vonnegut(['serve', '--data-dir', path.join(dir, 'k'), '--port', String(busy), '--admin-port', '-1']);
  t.is(kafka.code, 1);
  t.regex(kafka.stderr, new RegExp(`cannot start: Kafka port 127\\.0\\.0\\.1:${busy}: .*EADDRINUSE`));
});

test('unusable data dirs fail at once with the path and the reason', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'x');
  const cases: [string, RegExp][] = [
    ['/proc/x', /data directory \/proc\/x is unusable: cannot create \/proc\/x: \/proc does not allow creating x/],
    [file, /data directory .*a-file is unusable: .*a-file is not a directory/],
    [path.join(file, 'below'), /data directory .*a-file\/below is unusable: .*a-file is not a directory/],
    ['/proc', /data directory \/proc is not writable/],
  ];
  for (const [dataDir, reason] of cases) {
    const r = await vonnegut(['serve', '--data-dir', dataDir, '--port', '0', '--admin-port', '-1']);
    t.is(r.code, 1, dataDir);
    t.regex(r.stderr, reason, dataDir);
  }
});

test('a brand-new data dir logs clean:true; topics describe on one node names one replica', async (t) => {
  const dir = tempDir(t);
  const n = await node(path.join(dir, 'new')).start();
  const loaded = n.stderr.split('\n').find((l) => l.includes('"logs loaded"'));
  t.regex(loaded ?? '', /"clean":true/);
  const created = await vonnegut(['topics', 'create', 'first', '-b', n.address]);
  t.is(created.code, 0, created.stderr);
  const described = await vonnegut(['topics', 'describe', 'first', '-b', n.address]);
  t.is(described.code, 0, described.stderr);
  t.regex(described.stdout.toString(), /partition 0\thead \S+\ttail \S+\treplicas 1 \(node 0\)/);
});

test('serve --help shows the static discovery grammar the README uses', async (t) => {
  const help = await vonnegut(['serve', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout.toString(), /static:name=host:port/);
});

const hasDnsmasq = requireTool('dnsmasq');
(hasDnsmasq ? test : test.skip)(`a native client on an SRV name that does not exist says which lookup failed, where, and the way out${hasDnsmasq ? '' : ' (skipped: no dnsmasq)'}`, async (t) => {
  const dns = new DnsServer();
  t.teardown(() => dns.destroy());
  await dns.setSrv('_kafka._tcp.other.test', [{ target: 'n0.other.test', address: '127.0.0.1', port: 9 }]);
  const client = await createClient({ endpoints: 'srv:_kafka._tcp.vg-a.default.svc.cluster.local', dnsServer: dns.address });
  t.teardown(() => client.close());
  const err = await t.throwsAsync(client.listTopics());
  t.regex(err!.message, new RegExp(`SRV lookup of _kafka\\._tcp\\.vg-a\\.default\\.svc\\.cluster\\.local failed: .+ at ${dns.address}; outside Kubernetes give host:port endpoints`));
});
