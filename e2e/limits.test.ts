/**
 * Connection limits and backpressure against a real node process: --max-connections,
 * --idle-timeout-ms, --max-in-flight-requests, and a client that pipelines Fetch requests without ever
 * reading its socket (the node must stop reading rather than buffer responses without bound).
 */
import fs from 'node:fs';
import net from 'node:net';
import test from 'ava';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { encodeFetchRequest, decodeFetchResponse } from '../node/src/protocol/apis/fetch.ts';
import { requestHeaderVersion, writeRequestHeader } from '../node/src/protocol/header.ts';
import { encodeFrame } from '../node/src/protocol/frame.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { NodeProcess } from './lib/node-process.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { waitFor } from './lib/tools.ts';

const nodes: NodeProcess[] = [];
const wires: KafkaWire[] = [];
test.after.always(async () => {
  for (const w of wires) w.close();
  await Promise.all(nodes.map((n) => n.destroy()));
});

async function start(args: string[]): Promise<NodeProcess> {
  const n = new NodeProcess({ args });
  nodes.push(n);
  return n.start();
}

async function connect(address: string): Promise<KafkaWire> {
  const w = await KafkaWire.connect(address);
  wires.push(w);
  return w;
}

/** Resident set size of a process, from /proc (VmRSS), in bytes. */
function rssOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** A Fetch v4 body that long-polls (waits up to maxWaitMs for minBytes). */
function fetchBody(topic: string, offset: number, maxBytes: number, maxWaitMs: number, minBytes: number): (w: Writer) => void {
  return (w) => encodeFetchRequest(w, 4, {
    replicaId: -1, maxWaitMs, minBytes, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes }] }],
    forgottenTopicsData: [], rackId: '',
  });
}

test('--max-connections: connections beyond the limit are closed at once, and a freed slot is usable again', async (t) => {
  const node = await start(['--max-connections', '3']);
  const held = await Promise.all([0, 1, 2].map(() => connect(node.address)));
  for (const w of held) t.is((await w.apiVersions()).errorCode, 0);
  const extra = await connect(node.address);
  // The kernel completes the handshake; the server closes the socket on accept without answering.
  await t.throwsAsync(extra.apiVersions(), undefined, 'the fourth connection gets no answer');
  await extra.closed;
  t.true(extra.isClosed);
  for (const w of held) t.is((await w.apiVersions()).errorCode, 0, 'the three admitted connections keep working');

  held[0]!.close();
  await held[0]!.closed;
  const again = await waitFor('a slot frees up', async () => {
    const w = await connect(node.address);
    try {
      await w.apiVersions();
      return w;
    } catch {
      return undefined;
    }
  }, 10_000, 50);
  t.is((await again.apiVersions()).errorCode, 0);
});

test('--idle-timeout-ms: a silent connection is closed, a busy one is not', async (t) => {
  // 3 s: a busy connection's gap between requests stays far below it even when a loaded machine stalls
  // the test or the node for a second (600 ms with a 150 ms pause closed the busy one at load average 50).
  const node = await start(['--idle-timeout-ms', '3000']);
  const idle = await connect(node.address);
  const busy = await connect(node.address);
  t.is((await idle.apiVersions()).errorCode, 0);
  const since = Date.now();
  // The busy one asks again as soon as each answer comes, for 7 s, well past the idle timeout.
  while (Date.now() - since < 7000) t.is((await busy.apiVersions()).errorCode, 0);
  await waitFor('the idle connection closed', () => (idle.isClosed ? true : undefined), 60_000);
  t.false(busy.isClosed, 'the busy connection stays open');
  await idle.closed;
});

test('--max-in-flight-requests: a connection has at most that many requests being served at once', async (t) => {
  // Long-polling fetches on an empty partition each take maxWaitMs; served together they finish in
  // about maxWaitMs, served two at a time in about (count / 2) * maxWaitMs.
  const limited = await start(['--max-in-flight-requests', '2']);
  const open = await start([]);
  const WAIT_MS = 800;
  const COUNT = 6;
  const timeFetches = async (node: NodeProcess): Promise<number> => {
    t.is((await produceTo(node.address, 'poll', 0, ['x'])).errorCode, 0);
    const w = await connect(node.address);
    const started = Date.now();
    const rs = await Promise.all(Array.from({ length: COUNT }, () => w.send(ApiKey.Fetch, 4, fetchBody('poll', 1, 1024, WAIT_MS, 1))));
    for (const r of rs) t.is(decodeFetchResponse(r, 4).topics[0]!.partitions[0]!.errorCode, 0);
    return Date.now() - started;
  };
  const limitedMs = await timeFetches(limited);
  const openMs = await timeFetches(open);
  t.log(`${COUNT} pipelined ${WAIT_MS} ms long polls: ${limitedMs} ms with 2 in flight, ${openMs} ms with the default 64`);
  t.true(limitedMs >= (COUNT / 2) * WAIT_MS * 0.9, `served two at a time (${limitedMs} ms)`);
  t.true(openMs < 2 * WAIT_MS, `served together without the limit (${openMs} ms)`);
});

test('a client that pipelines Fetch requests and never reads cannot make the node buffer without bound', async (t) => {
  const node = await start([]);
  // 4 MiB of data, so every Fetch answer is up to 1 MiB.
  const value = 'v'.repeat(64 * 1024);
  for (let i = 0; i < 8; i++) t.is((await produceTo(node.address, 'big', 0, Array.from({ length: 8 }, () => value))).errorCode, 0);
  const pid = node.child!.pid!;
  const before = rssOf(pid);

  const sock = net.connect({ host: node.host, port: node.port });
  await new Promise((r) => sock.once('connect', r));
  sock.pause(); // never read: responses pile up in the node unless it stops reading requests
  const REQUESTS = 3000; // ~3 GiB of answers if the node served them all into memory
  let sent = 0;
  let peak = before;
  const body = fetchBody('big', 0, 1024 * 1024, 0, 0);
  for (let i = 0; i < REQUESTS; i++) {
    const hw = new Writer(256);
    writeRequestHeader(hw, requestHeaderVersion(ApiKey.Fetch, 4), { apiKey: ApiKey.Fetch, apiVersion: 4, correlationId: i + 1, clientId: 'slow-reader' });
    body(hw);
    sock.write(encodeFrame(hw.toBuffer()));
    sent++;
    if (i % 100 === 0) {
      // Let the node read what it will, then sample its memory.
      await new Promise((r) => setTimeout(r, 20));
      peak = Math.max(peak, rssOf(pid));
    }
  }
  // Give the node time to serve everything it has read.
  const settleUntil = Date.now() + 2000;
  while (Date.now() < settleUntil) {
    peak = Math.max(peak, rssOf(pid));
    await new Promise((r) => setTimeout(r, 100));
  }
  const growth = peak - before;
  t.log(`sent ${sent} Fetch requests (${sock.writableLength} bytes still queued client-side); node RSS ${(before / 2 ** 20).toFixed(0)} -> peak ${(peak / 2 ** 20).toFixed(0)} MiB, VmHWM ${(rssOf(pid, 'VmHWM') / 2 ** 20).toFixed(0)} MiB`);
  t.true(growth < 256 * 2 ** 20, `node RSS grew by ${(growth / 2 ** 20).toFixed(0)} MiB for ${sent} unread 1 MiB answers`);

  // The node is still fine for everyone else.
  const other = await connect(node.address);
  t.is((await other.apiVersions()).errorCode, 0);
  // Once the reader reads, the node serves the backlog: the answers were real, large Fetch responses.
  let received = 0;
  sock.on('data', (d: Buffer) => (received += d.length));
  sock.resume();
  await waitFor('the slow reader gets 64 MiB of answers', () => (received > 64 * 2 ** 20 ? true : undefined), 30_000, 50);
  sock.destroy();
});
