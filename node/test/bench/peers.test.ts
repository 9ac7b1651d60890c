/**
 * The peers bench's pure parts: config writers, the shared workload runner, target ratios and their
 * formatting, and the CLI's refusal when the peer servers are missing. The peers themselves run only
 * in `vonnegut bench --peers`, never here.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsConfig, redisConfig, missingPeerBinaries, missingPeersMessage } from '../../../bench/lib/peer-servers.ts';
import { peerRecords, runPeerLoad, type PeerProducer } from '../../../bench/lib/peer-load.ts';
import { formatPeerRatios, formatPeerTable, peerRatios, SYSTEMS, type PeerRow, type SystemName } from '../../../bench/lib/peer-report.ts';
import { checkPeerBinaries, peersOptions, PeersUnavailableError } from '../../../bench/peers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function row(system: SystemName, mibPerSec: number, p99Ms: number): PeerRow {
  return { system, mibPerSec, recordsPerSec: mibPerSec * 1024, p50Ms: p99Ms / 4, p99Ms, serverCpuMsPerMiB: 10, clientCpuMsPerMiB: 5 };
}

test('natsConfig: a single server gets a JetStream file store and no cluster block', (t) => {
  const text = natsConfig({ serverName: 'n0', host: '127.0.0.1', port: 4300, storeDir: '/tmp/x y/store' });
  t.true(text.includes('listen: "127.0.0.1:4300"'));
  t.regex(text, /jetstream \{\n {2}store_dir: "\/tmp\/x y\/store"\n\}/);
  t.false(text.includes('cluster'));
});

test('natsConfig: an R3 member listens for routes on its own host and routes to every member', (t) => {
  const routes = ['127.0.0.21:6300', '127.0.0.22:6300', '127.0.0.23:6300'];
  const text = natsConfig({ serverName: 'n1', host: '127.0.0.22', port: 4300, storeDir: '/d', cluster: { name: 'bench', port: 6300, routes } });
  t.true(text.includes('server_name: "n1"'));
  t.true(text.includes('listen: "127.0.0.22:6300"'));
  t.true(text.includes('routes: ["nats-route://127.0.0.21:6300", "nats-route://127.0.0.22:6300", "nats-route://127.0.0.23:6300"]'));
});

test('redisConfig: loopback, AOF fsynced every second, no RDB snapshots', (t) => {
  const lines = redisConfig({ port: 6400, dir: '/tmp/r' }).trim().split('\n');
  for (const want of ['bind 127.0.0.1', 'port 6400', 'dir "/tmp/r"', 'appendonly yes', 'appendfsync everysec', 'save ""']) t.true(lines.includes(want), want);
});

test('runPeerLoad hands every record to exactly one operation of at most `batch` records (recording producers, no server)', async (t) => {
  const values = peerRecords(1000, 64);
  const seen: number[] = [];
  const sizes: number[] = [];
  const producers: PeerProducer[] = Array.from({ length: 3 }, () => ({
    async send(records) {
      sizes.push(records.length);
      await new Promise((r) => setImmediate(r));
      for (const r of records) seen.push(r.readUInt32BE(0));
    },
    close: async () => {},
  }));
  const res = await runPeerLoad({ producers, batch: 32, values });
  t.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  t.true(sizes.every((n) => n <= 32));
  t.is(res.operations, Math.ceil(1000 / 32));
  t.is(res.bytes, 1000 * 64);
  t.is(res.records, 1000);
  t.true(res.latencyMs.p50 <= res.latencyMs.p99 && res.latencyMs.p99 <= res.latencyMs.max);
});

test('runPeerLoad fails when a producer reports an unacknowledged operation', async (t) => {
  const producers: PeerProducer[] = [{ send: async () => Promise.reject(new Error('nack')), close: async () => {} }];
  await t.throwsAsync(runPeerLoad({ producers, batch: 4, values: peerRecords(8, 16) }), { message: 'nack' });
});

test('peerRatios: issue 8 targets pass at 1.5x and fail on throughput or on a worse 3-node p99', (t) => {
  const rows = [
    row(SYSTEMS.vonnegut1, 150, 10), row(SYSTEMS.vonnegut3, 90, 20),
    row(SYSTEMS.jetstream1, 100, 10), row(SYSTEMS.jetstream3, 60, 19), row(SYSTEMS.redis, 101, 5),
  ];
  const r = peerRatios(rows);
  t.deepEqual(r.map((x) => [x.ours, x.theirs]), [
    [SYSTEMS.vonnegut3, SYSTEMS.jetstream3], [SYSTEMS.vonnegut1, SYSTEMS.jetstream1], [SYSTEMS.vonnegut1, SYSTEMS.redis],
  ]);
  t.is(r[0]!.throughputRatio, 1.5);
  t.false(r[0]!.ok, '3-node p99 20 ms is worse than JetStream R3 19 ms');
  t.true(r[1]!.ok, '1-node 1.5x JetStream R1; its p99 is not part of the target');
  t.false(r[2]!.ok, '150 / 101 is below 1.5');
  t.true(peerRatios([...rows.slice(0, 3), row(SYSTEMS.jetstream3, 60, 21)])[0]!.ok);
});

test('peerRatios leaves out targets whose systems did not run', (t) => {
  t.deepEqual(peerRatios([row(SYSTEMS.vonnegut1, 1, 1), row(SYSTEMS.redis, 1, 1)]).map((x) => x.theirs), [SYSTEMS.redis]);
});

test('formatPeerTable and formatPeerRatios print every system, its ratio to JetStream R3 and each verdict', (t) => {
  const rows = [row(SYSTEMS.vonnegut3, 90, 10), row(SYSTEMS.jetstream3, 60, 19)];
  const table = formatPeerTable(rows).split('\n');
  t.is(table.length, 3);
  t.regex(table[1]!, /^vonnegut 3-node chain\s+90\.0\s+92160\s+2\.50\s+10\.00\s+1\.50x\s+10\.0\s+5\.0$/);
  t.regex(table[2]!, /^JetStream R3 .* 1\.00x/);
  t.deepEqual(formatPeerRatios(peerRatios(rows)), [
    'vonnegut 3-node chain / JetStream R3: throughput 1.50x (target >= 1.5x), p99 0.53x (target <= 1x)  ok',
  ]);
});

test('missing peer binaries are named with the Debian packages to install', (t) => {
  t.deepEqual(missingPeerBinaries((cmd) => (cmd === 'redis-server' ? '/usr/bin/redis-server' : null)), ['nats-server']);
  const msg = missingPeersMessage(['nats-server', 'redis-server']);
  t.true(msg.includes('needs nats-server and redis-server on PATH'));
  t.true(msg.includes('apt-get install --no-install-recommends nats-server redis-server'));
  t.throws(() => checkPeerBinaries(() => null), { instanceOf: PeersUnavailableError });
});

test('peersOptions rejects a flag that is not a positive integer', (t) => {
  t.is(peersOptions({}, false).batch, 32);
  t.throws(() => peersOptions({ producers: '0' }, false), { instanceOf: RangeError, message: /--producers must be a positive integer/ });
  t.throws(() => peersOptions({ batch: 'x' }, false), { instanceOf: RangeError });
});

test('vonnegut bench --peers without nats-server and redis-server on PATH exits 2 and says what to install', (t) => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-empty-path-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli/vonnegut.ts'), 'bench', '--peers'], {
      cwd: ROOT, env: { ...process.env, PATH: empty }, encoding: 'utf8', timeout: 180_000,
    });
    t.is(r.status, 2, r.stderr);
    t.regex(r.stderr, /vonnegut: bench --peers needs nats-server and redis-server on PATH/);
    t.is(r.stdout, '');
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
