/**
 * Retention on served nodes (real processes): with small segments and a short
 * `--retention-check-interval-ms`, a solo node keeps each partition within retention.bytes plus one
 * segment over a long produce, and a 3-node chain deletes on every member but never a segment holding
 * offsets its chain has not committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ChainCluster } from './lib/chain-cluster.ts';
import { NodeProcess } from './lib/node-process.ts';
import { createTopicAt, fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { requireTool, waitFor } from './lib/tools.ts';

const SEGMENT_BYTES = 16 * 1024;
const RETENTION_BYTES = 4 * SEGMENT_BYTES;
/** Index files beside the segments: a few entries per 16 KiB segment. */
const INDEX_SLACK_BYTES = 1024;
/** What a partition directory may hold once a retention check has run. */
const BOUND = RETENTION_BYTES + SEGMENT_BYTES + INDEX_SLACK_BYTES;
const RETENTION_FLAGS = ['--segment-bytes', String(SEGMENT_BYTES), '--retention-bytes', String(RETENTION_BYTES), '--retention-check-interval-ms', '100'];
/** One produce request: 15 records of 1000 bytes, just under a segment, so each request fills one. */
const RECORDS_PER_REQUEST = 15;

const nodes: NodeProcess[] = [];
const clusters: ChainCluster[] = [];
test.after.always(async () => {
  await Promise.all([...nodes.map((n) => n.destroy()), ...clusters.map((c) => c.destroy())]);
});

/** Values whose text names their producer's sequence number, padded to 1000 bytes. */
function values(from: number): string[] {
  return Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => `v${from + i}:`.padEnd(1000, 'x'));
}

/** Bytes of every file in a partition directory. */
function dirBytes(dataDir: string, topic: string, partition: number): number {
  const dir = path.join(dataDir, `${topic}-${partition}`);
  return fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

/** A counter's value from a node's /metrics. */
async function metric(adminPort: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

/** Reads a partition from `from` to the high-water mark at one node; every record's value, in order. */
async function readAll(address: string, topic: string, partition: number, from: number): Promise<{ offsets: number[]; values: string[] }> {
  const offsets: number[] = [];
  const vals: string[] = [];
  for (let next = from; ;) {
    const got = await fetchFrom(address, topic, partition, next, 1024 * 1024);
    if (got.errorCode !== 0) throw new Error(`fetch ${topic}-${partition}@${next}: error ${got.errorCode}`);
    if (got.decoded.length === 0) return { offsets, values: vals };
    for (const r of got.decoded) {
      if (r.offset < next) continue;
      offsets.push(r.offset);
      vals.push(r.value!.toString().split(':')[0]!);
    }
    next = offsets[offsets.length - 1]! + 1;
  }
}

test.serial('a served node with --retention-bytes keeps every partition within retention + one segment over a long produce', async (t) => {
  const node = new NodeProcess({ args: RETENTION_FLAGS });
  const status = async (p: number) => {
    const res = await fetch(`http://127.0.0.1:${node.adminPort}/v1/status`);
    return ((await res.json()) as { partitions: { topic: string; partition: number; logStartOffset: number; highWatermark: number }[] })
      .partitions.find((x) => x.topic === 'kept' && x.partition === p)!;
  };
  nodes.push(node);
  await node.start();
  t.is(await createTopicAt(node.address, 'kept', 2), 0);

  const rounds = 40; // ~600 KB per partition, ten times what retention keeps
  for (let round = 0; round < rounds; round++) {
    for (const p of [0, 1]) {
      const r = await produceTo(node.address, 'kept', p, values(round * RECORDS_PER_REQUEST));
      t.is(r.errorCode, 0);
    }
    // Retention runs every 100 ms: disk use must come back within the bound, round after round.
    for (const p of [0, 1]) {
      await waitFor(`kept-${p} within ${BOUND} bytes after round ${round}`, () => (dirBytes(node.dataDir, 'kept', p) <= BOUND ? true : undefined), 60_000, 20);
    }
  }

  const total = rounds * RECORDS_PER_REQUEST;
  for (const p of [0, 1]) {
    const { logStartOffset, highWatermark } = await status(p);
    t.is(highWatermark, total);
    t.true(logStartOffset > 0, `kept-${p} deleted old segments (log start ${logStartOffset})`);
    // What is left is the newest suffix, whole and in order, from the log start to the end.
    const left = await readAll(node.address, 'kept', p, logStartOffset);
    t.deepEqual(left.offsets, Array.from({ length: total - logStartOffset }, (_, i) => logStartOffset + i));
    t.deepEqual(left.values, left.offsets.map((o) => `v${o}`));
    t.true(left.offsets.length * 1000 >= RETENTION_BYTES - SEGMENT_BYTES, `kept-${p} keeps at least retention.bytes minus one segment`);
  }
  t.true(await metric(node.adminPort, 'vonnegut_log_retention_deleted_segments_total') > 0);
});

const chainTest = requireTool('dnsmasq') ? test.serial : test.skip;

chainTest('a 3-node chain deletes old segments on every member, never past what the chain committed', async (t) => {
  const c = new ChainCluster('retain', 3, 93, undefined, RETENTION_FLAGS);
  clusters.push(c);
  await c.start(3);
  const head = c.nodes[0]!;
  t.is(await createTopicAt(head.address, 'chained', 1), 0);

  let sent = 0;
  for (let round = 0; round < 16; round++) {
    t.is((await produceTo(head.address, 'chained', 0, values(sent))).errorCode, 0);
    sent += RECORDS_PER_REQUEST;
  }
  for (let i = 0; i < 3; i++) {
    const member = c.nodes[i]!;
    await waitFor(`member ${i} deleted old segments`, async () => {
      const s = (await c.status(i)).partitions.find((p) => p.topic === 'chained');
      return s && s.logStartOffset > 0 && dirBytes(member.dataDir, 'chained', 0) <= BOUND ? true : undefined;
    }, 60_000);
    const { logStartOffset } = (await c.status(i)).partitions.find((p) => p.topic === 'chained')!;
    const left = await readAll(member.address, 'chained', 0, logStartOffset);
    t.deepEqual(left.values, Array.from({ length: sent - logStartOffset }, (_, j) => `v${logStartOffset + j}`), `member ${i} keeps the newest suffix`);
  }

  // Freeze the tail: nothing more commits. acks=1 produces still append at the head until its link
  // times out; what they add lies above the committed offset, so retention must keep it all.
  const committed = await c.hwm(0, 'chained');
  await c.nodes[2]!.kill('SIGSTOP');
  const appended = await Promise.all(Array.from({ length: 10 }, (_, k) => produceTo(head.address, 'chained', 0, values(sent + k * RECORDS_PER_REQUEST), 1)));
  const accepted = appended.filter((r) => r.errorCode === 0).length;
  t.true(accepted * RECORDS_PER_REQUEST * 1000 > RETENTION_BYTES + 2 * SEGMENT_BYTES, `enough uncommitted data for retention to want it (${accepted} requests accepted)`);
  const checks = await metric(head.adminPort, 'vonnegut_log_retention_checks_total');
  await waitFor('ten more retention checks at the head', async () => ((await metric(head.adminPort, 'vonnegut_log_retention_checks_total')) >= checks + 10 ? true : undefined), 30_000);
  const frozen = (await c.status(0)).partitions.find((p) => p.topic === 'chained')!;
  t.is(frozen.highWatermark, committed, 'nothing committed while the tail is frozen');
  t.true(frozen.logEndOffset > committed + (RETENTION_BYTES + SEGMENT_BYTES) / 1000);
  t.true(frozen.logStartOffset <= committed, `head log start ${frozen.logStartOffset} stays at or below the committed offset ${committed}`);

  // Once the tail is back the suffix commits and retention catches up on every member.
  await c.nodes[2]!.kill('SIGCONT');
  const end = frozen.logEndOffset;
  for (let i = 0; i < 3; i++) {
    await waitFor(`member ${i} committed and trimmed`, async () => {
      const s = (await c.status(i)).partitions.find((p) => p.topic === 'chained');
      return s && s.highWatermark === end && s.logStartOffset > committed && dirBytes(c.nodes[i]!.dataDir, 'chained', 0) <= BOUND ? true : undefined;
    }, 60_000);
  }
});

chainTest('a member rejoining with an empty disk after retention restarts its log at its predecessor\'s log start', async (t) => {
  const c = new ChainCluster('rejoin', 3, 94, undefined, RETENTION_FLAGS);
  clusters.push(c);
  await c.start(3);
  const head = c.nodes[0]!;
  t.is(await createTopicAt(head.address, 'wiped', 1), 0);
  let sent = 0;
  for (let round = 0; round < 12; round++) {
    t.is((await produceTo(head.address, 'wiped', 0, values(sent))).errorCode, 0);
    sent += RECORDS_PER_REQUEST;
  }
  const middleStart = await waitFor('the middle deleted old segments', async () => {
    const s = (await c.status(1)).partitions.find((p) => p.topic === 'wiped');
    return s && s.logStartOffset > 0 ? s.logStartOffset : undefined;
  }, 60_000);

  const tail = c.nodes[2]!;
  await tail.kill('SIGKILL');
  for (const f of fs.readdirSync(tail.dataDir)) fs.rmSync(path.join(tail.dataDir, f), { recursive: true, force: true });
  await tail.start(90_000);
  const rejoined = await waitFor('the wiped tail caught up', async () => {
    const s = (await c.status(2)).partitions.find((p) => p.topic === 'wiped');
    return s && s.logEndOffset === sent && s.highWatermark === sent ? s : undefined;
  }, 60_000);
  // It holds what its predecessor still had (retention may have moved on meanwhile), nothing before it.
  t.true(rejoined.logStartOffset >= middleStart, `tail restarts at ${rejoined.logStartOffset}, the middle's start was ${middleStart}`);
  const left = await readAll(tail.address, 'wiped', 0, rejoined.logStartOffset);
  t.deepEqual(left.values, Array.from({ length: sent - rejoined.logStartOffset }, (_, j) => `v${rejoined.logStartOffset + j}`));
  await c.waitWritable(60_000);
  t.is((await produceTo(head.address, 'wiped', 0, values(sent))).errorCode, 0, 'the chain takes writes again');
});
