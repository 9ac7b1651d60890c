/**
 * Live-server fuzzing: random and mutated frames built from real captured kcat/kafkajs traffic
 * (node/test/fixtures/*.json) fired at a running node over many connections, a bounded number of
 * frames in all, while a well-behaved client keeps producing (acks=-1) and consuming. The client must
 * never see a failure; at the end the node is alive, every stored batch passes its CRC, and the node's
 * peak RSS (VmHWM) is reported and bounded.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { NodeProcess } from './lib/node-process.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { batchProblem, batchSize } from '../node/src/protocol/record-batch.ts';
import { fixtures } from '../node/test/protocol/fixtures.ts';
import { prng } from './lib/prng.ts';

const FRAMES = Number(process.env.FUZZ_LIVE_FRAMES ?? 20000);
const CONNECTIONS = 8;
const SEED = Number(process.env.FUZZ_SEED ?? 777);
const RSS_BOUND = 512 * 1024 * 1024;

const nodes: NodeProcess[] = [];
test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
});

const HOSTILE = ['7fffffff', 'ffffffff', 'fffffffe', '7fff', 'ffff', 'fffe', 'ffffffff0f'].map((h) => Buffer.from(h, 'hex'));

/** 1-3 mutations: bit flip, random byte, truncation, insertion, hostile length field. */
function mutate(input: Buffer, rand: () => number): Buffer {
  let b = Buffer.from(input);
  for (let n = 1 + Math.floor(rand() * 3); n > 0; n--) {
    const pos = Math.floor(rand() * Math.max(1, b.length));
    switch (Math.floor(rand() * 5)) {
      case 0: if (b.length) b[pos] = b[pos]! ^ (1 << Math.floor(rand() * 8)); break;
      case 1: if (b.length) b[pos] = Math.floor(rand() * 256); break;
      case 2: b = b.subarray(0, pos); break;
      case 3: b = Buffer.concat([b.subarray(0, pos), Buffer.from([Math.floor(rand() * 256)]), b.subarray(pos)]); break;
      default: b = Buffer.from(b); HOSTILE[Math.floor(rand() * HOSTILE.length)]!.copy(b, pos);
    }
  }
  return b;
}

const captured = fixtures.flatMap(([, f]) => f.frames.map((fr) => Buffer.from(fr.hex, 'hex')));

/** One fuzz frame with its size prefix: mostly honest sizes (so the body reaches the decoders). */
function fuzzFrame(rand: () => number): Buffer {
  const r = rand();
  const body = r < 0.85
    ? mutate(captured[Math.floor(rand() * captured.length)]!, rand)
    : Buffer.from(Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)));
  const size = Buffer.alloc(4);
  size.writeInt32BE(rand() < 0.95 ? body.length : Math.floor(rand() * 2 ** 32) | 0);
  return Buffer.concat([size, body]);
}

/** Sends `count` fuzz frames over one connection at a time, reconnecting whenever the node closes it. */
async function fuzzer(address: string, count: number, rand: () => number): Promise<{ sent: number; reconnects: number }> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  let sent = 0;
  let reconnects = 0;
  while (sent < count) {
    const sock = net.connect({ host, port });
    sock.on('data', () => {}); // read and discard whatever answers come
    const alive = await new Promise<boolean>((resolve) => {
      sock.once('connect', () => resolve(true));
      sock.once('error', () => resolve(false));
    });
    if (!alive) throw new Error('the node stopped accepting connections');
    let closed = false;
    sock.on('close', () => (closed = true));
    sock.on('error', () => {});
    while (!closed && sent < count) {
      sent++;
      await new Promise<void>((resolve) => sock.write(fuzzFrame(rand), () => resolve()));
      // Yield a little so the node processes frames between writes rather than one huge burst.
      if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    sock.destroy();
    reconnects++;
  }
  return { sent, reconnects };
}

function vm(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** Every .log under the data dir walks as whole batches with valid CRCs to its very end. */
function checkAllLogs(dataDir: string): { files: number; batches: number; problems: string[] } {
  const out = { files: 0, batches: 0, problems: [] as string[] };
  for (const dir of fs.readdirSync(dataDir, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of fs.readdirSync(path.join(dataDir, dir.name)).filter((x) => x.endsWith('.log'))) {
      const buf = fs.readFileSync(path.join(dataDir, dir.name, f));
      out.files++;
      for (let pos = 0; pos < buf.length;) {
        const problem = batchProblem(buf, pos);
        if (problem) {
          out.problems.push(`${dir.name}/${f} at ${pos}: ${problem}`);
          break;
        }
        pos += batchSize(buf, pos);
        out.batches++;
      }
    }
  }
  return out;
}

test('fuzzed frames from captured traffic over many connections never disturb a well-behaved client or the stored data', async (t) => {
  t.timeout(300_000);
  const node = new NodeProcess({ args: ['--max-request-bytes', String(1024 * 1024)] });
  nodes.push(node);
  await node.start();
  const pid = node.child!.pid!;
  const rssBefore = vm(pid, 'VmRSS');

  // The well-behaved client: produce with acks=-1 and read back, until the fuzzers are done.
  let fuzzing = true;
  const acked: string[] = [];
  const failures: string[] = [];
  const good = (async () => {
    // At least 50 rounds, so the client is checked across the whole fuzz run and after it.
    for (let n = 0; fuzzing || n < 50; n++) {
      const values = Array.from({ length: 5 }, (_, j) => `good-${n}-${j}`);
      const res = await produceTo(node.address, 'good', 0, values, -1, 10_000).catch((e: Error) => ({ errorCode: -1, baseOffset: -1, msg: e.message }));
      if (res.errorCode !== 0) {
        failures.push(`produce ${n}: error ${res.errorCode}`);
        continue;
      }
      acked.push(...values);
      const got = await fetchFrom(node.address, 'good', 0, Number(res.baseOffset)).catch(() => null);
      if (!got || got.errorCode !== 0 || got.decoded[0]?.value?.toString() !== values[0]) failures.push(`fetch ${n} did not return what was produced`);
    }
  })();

  const rand = prng(SEED);
  const per = Math.ceil(FRAMES / CONNECTIONS);
  const results = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => fuzzer(node.address, per, prng(Math.floor(rand() * 2 ** 31) + i))));
  fuzzing = false;
  await good;

  const sent = results.reduce((n, r) => n + r.sent, 0);
  const connections = results.reduce((n, r) => n + r.reconnects, 0);
  const hwm = vm(pid, 'VmHWM');
  t.log(`${sent} fuzz frames over ${connections} connections; well-behaved client acknowledged ${acked.length} records; node RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, peak (VmHWM) ${(hwm / 2 ** 20).toFixed(0)} MiB`);
  t.true(sent >= FRAMES);
  t.deepEqual(failures, [], 'the well-behaved client never failed');
  t.true(acked.length > 0);

  t.is(node.child?.exitCode, null, 'the node is alive');
  const wire = await KafkaWire.connect(node.address);
  t.is((await wire.apiVersions()).errorCode, 0);
  const all = await wire.readAll('good', 0);
  wire.close();
  t.deepEqual(all.records.map((r) => r.value!.toString()), acked, 'every acknowledged record is there, in order, once');
  const logs = checkAllLogs(node.dataDir);
  t.log(`${logs.files} log files, ${logs.batches} batches checked`);
  t.deepEqual(logs.problems, [], 'every stored batch passes its CRC');
  t.true(hwm < RSS_BOUND, `peak RSS ${hwm} bytes`);
  t.false(/request handler failed/.test(node.stderr), 'no handler crashed');
});
