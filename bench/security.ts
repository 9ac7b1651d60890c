/**
 * What TLS and SASL cost: the native client's produce and fetch throughput, and the time to open one
 * connection, against three single-node servers started side by side in one run (PLAINTEXT, SSL,
 * SASL_SSL with SCRAM-SHA-512), each reported as a ratio against PLAINTEXT from the same run.
 *
 *   npm run bench:security -- [--mib 32] [--record 1024] [--batch 100] [--concurrency 8] [--rounds 3] [--connects 20] [--json]
 *
 * Certificates come from the `openssl` binary (EC P-256, as e2e/lib/certs.ts makes them). Rounds rotate
 * which protocol goes first; medians are reported. A connection is timed from dial to ready for requests
 * (TCP, TLS handshake, SASL exchange), opened and closed one at a time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createClient, type ClientOptions } from '../node/src/client/index.ts';
import { dial, type DialOptions } from '../node/src/security/dial.ts';
import { makeCa, makeServerCert } from '../e2e/lib/certs.ts';
import { cpuMeter, startServer, stopServer, type BenchServer } from './lib/server.ts';
import { medianOf } from './lib/measure.ts';

const MiB = 1024 * 1024;
const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_SSL'] as const;
type Protocol = (typeof PROTOCOLS)[number];
const USER = { name: 'bench', password: 'bench-password' };

interface Options { mib: number; recordBytes: number; batch: number; concurrency: number; rounds: number; connects: number }
/** One round of one protocol; cpu fields are the server's CPU milliseconds per MiB. */
interface Sample { produceMiBs: number; fetchMiBs: number; connectMs: number; produceCpuMsPerMiB: number; fetchCpuMsPerMiB: number }

async function pooled(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await task(next++);
  }));
}

async function round(address: string, serverPid: number | undefined, security: Pick<ClientOptions, 'tls' | 'sasl'>, topic: string, values: Buffer[], o: Options): Promise<Sample> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  const dialOpts: DialOptions = { ...(security.tls !== undefined ? { tls: security.tls } : {}), ...(security.sasl ? { sasl: security.sasl } : {}) };
  const connects: number[] = [];
  for (let i = 0; i < o.connects; i++) {
    const t0 = process.hrtime.bigint();
    const s = await dial(host!, port, dialOpts);
    connects.push(Number(process.hrtime.bigint() - t0) / 1e6);
    s.destroy();
  }
  const client = await createClient({ endpoints: address, poolSize: 2, ...security });
  try {
    await client.createTopic(topic);
    const bytes = values.length * o.recordBytes;
    let meter = cpuMeter([serverPid]);
    let t0 = process.hrtime.bigint();
    await pooled(Math.ceil(values.length / o.batch), o.concurrency, async (i) => {
      await client.produce(topic, values.slice(i * o.batch, (i + 1) * o.batch), { acks: -1 });
    });
    const produceS = Number(process.hrtime.bigint() - t0) / 1e9;
    const produceCpuMsPerMiB = meter.perMiB(bytes).server;
    meter = cpuMeter([serverPid]);
    t0 = process.hrtime.bigint();
    let got = 0;
    for await (const f of client.read(topic, { offset: 0, maxBytes: MiB, endOffset: values.length })) got += f.records.length;
    if (got !== values.length) throw new Error(`read ${got} of ${values.length} records`);
    const fetchS = Number(process.hrtime.bigint() - t0) / 1e9;
    return { produceMiBs: bytes / MiB / produceS, fetchMiBs: bytes / MiB / fetchS, connectMs: medianOf(connects), produceCpuMsPerMiB, fetchCpuMsPerMiB: meter.perMiB(bytes).server };
  } finally {
    await client.close();
  }
}

/** Runs the bench; returns medians per protocol and ratios against PLAINTEXT. */
export async function runSecurityBench(o: Options, log: (line: string) => void = () => {}) {
  const values = Array.from({ length: Math.ceil((o.mib * MiB) / o.recordBytes) }, (_, i) => {
    const b = Buffer.alloc(o.recordBytes, i % 251);
    b.writeUInt32BE(i, 0);
    return b;
  });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-security-'));
  const ca = await makeCa();
  const cert = await makeServerCert(ca, 'bench', ['IP:127.0.0.1', 'DNS:localhost']);
  const users = path.join(ca.dir, 'users.json');
  fs.writeFileSync(users, JSON.stringify({ users: [USER] }));
  const caPem = fs.readFileSync(ca.caCert);
  const tlsArgs = ['--tls-cert-file', cert.cert, '--tls-key-file', cert.key];
  const args: Record<Protocol, string[]> = {
    PLAINTEXT: [],
    SSL: ['--security-protocol', 'SSL', ...tlsArgs],
    SASL_SSL: ['--security-protocol', 'SASL_SSL', ...tlsArgs, '--sasl-users-file', users],
  };
  const client: Record<Protocol, Pick<ClientOptions, 'tls' | 'sasl'>> = {
    PLAINTEXT: {},
    SSL: { tls: { ca: caPem } },
    SASL_SSL: { tls: { ca: caPem }, sasl: { mechanism: 'SCRAM-SHA-512', username: USER.name, password: USER.password } },
  };
  const servers = new Map<Protocol, BenchServer>();
  const samples = new Map<Protocol, Sample[]>(PROTOCOLS.map((p) => [p, []]));
  try {
    for (const p of PROTOCOLS) servers.set(p, await startServer(path.join(root, p), undefined, { args: args[p] }));
    for (let r = 0; r < o.rounds; r++) {
      // Rotate the order so no protocol always meets the warmest page cache.
      const order = PROTOCOLS.map((_, i) => PROTOCOLS[(i + r) % PROTOCOLS.length]!);
      for (const p of order) {
        samples.get(p)!.push(await round(servers.get(p)!.address, servers.get(p)!.child.pid, client[p], `bench-${r}`, values, o));
        log(`round ${r + 1}/${o.rounds} ${p} done`);
      }
    }
  } finally {
    for (const s of servers.values()) await stopServer(s);
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(ca.dir, { recursive: true, force: true });
  }
  const med = (p: Protocol, k: keyof Sample) => medianOf(samples.get(p)!.map((s) => s[k]));
  const result = Object.fromEntries(PROTOCOLS.map((p) => [p, { produceMiBs: med(p, 'produceMiBs'), fetchMiBs: med(p, 'fetchMiBs'), connectMs: med(p, 'connectMs'), produceCpuMsPerMiB: med(p, 'produceCpuMsPerMiB'), fetchCpuMsPerMiB: med(p, 'fetchCpuMsPerMiB') }])) as Record<Protocol, Sample>;
  const base = result.PLAINTEXT;
  const ratio = Object.fromEntries(PROTOCOLS.map((p) => [p, {
    produce: result[p].produceMiBs / base.produceMiBs, fetch: result[p].fetchMiBs / base.fetchMiBs, connect: result[p].connectMs / base.connectMs,
  }])) as Record<Protocol, { produce: number; fetch: number; connect: number }>;
  return { result, ratio };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const { values: a } = parseArgs({ options: {
    mib: { type: 'string', default: '32' }, record: { type: 'string', default: '1024' }, batch: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, connects: { type: 'string', default: '20' }, json: { type: 'boolean', default: false },
  } });
  const o: Options = { mib: Number(a.mib), recordBytes: Number(a.record), batch: Number(a.batch), concurrency: Number(a.concurrency), rounds: Math.max(1, Number(a.rounds)), connects: Math.max(1, Number(a.connects)) };
  const res = await runSecurityBench(o, a.json ? undefined : (l) => console.error(l));
  if (a.json) {
    console.log(JSON.stringify({ config: o, ...res }, null, 2));
  } else {
    console.log(`security bench: ${o.mib} MiB of ${o.recordBytes} B records, ${o.batch} per call, ${o.concurrency} in flight, acks=-1, native client, median of ${o.rounds} rounds; connect = dial to ready, median of ${o.connects}`);
    for (const p of PROTOCOLS) {
      const r = res.result[p];
      const x = res.ratio[p];
      console.log(`${p.padEnd(10)} produce ${r.produceMiBs.toFixed(1).padStart(7)} MiB/s (${x.produce.toFixed(2)}x, server ${r.produceCpuMsPerMiB.toFixed(2)} cpu ms/MiB)   fetch ${r.fetchMiBs.toFixed(1).padStart(7)} MiB/s (${x.fetch.toFixed(2)}x, server ${r.fetchCpuMsPerMiB.toFixed(2)} cpu ms/MiB)   connect ${r.connectMs.toFixed(2).padStart(7)} ms (${x.connect.toFixed(1)}x)`);
    }
  }
}
