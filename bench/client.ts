/**
 * Client benchmark: produce and fetch throughput of the native client and of kafkajs 2.2 against the
 * same 1-chain cluster (one `vonnegut serve` child process), in one run, with the same records.
 *
 *   npm run bench:client -- [--mib 64] [--record 1024] [--batch 100] [--concurrency 8] [--rounds 3] [--warmup 2] [--json]
 *
 * Each side writes `--mib` MiB of `--record`-byte values (no keys) to a fresh 1-partition topic in
 * produce calls of `--batch` records, `--concurrency` calls in flight, acks=-1 (committed at the tail),
 * no compression; then reads the topic back from offset 0. The native client reads at the tail with
 * `client.read` as it comes (1 MiB fetches, kafkajs' default maxBytesPerPartition; two fetches ahead;
 * CRCs checked, which kafkajs does not do). kafkajs reads with a consumer group (eachBatch,
 * fromBeginning, its defaults otherwise); its clock starts when the first batch arrives, so the group
 * join and its first fetch are not counted against it. Rounds alternate the two clients; medians are reported, with the range over rounds.
 * `--warmup` rounds run first for both clients and are not counted: both are JavaScript, and their first
 * 100-200 MiB read at half speed or less while V8 compiles the decode paths and sizes its young generation. Each side's CPU per MiB is
 * reported beside its throughput (server from /proc, client this process). Target: native >= 2x.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, CompressionTypes } from 'kafkajs';
import { createClient } from '../node/src/client/index.ts';
import { cpuMeter, startServer, stopServer, type CpuPerMiB } from './lib/server.ts';
import { progress, type Progress } from './lib/progress.ts';
import { medianOf } from './lib/measure.ts';

const MiB = 1024 * 1024;
export const TARGET_RATIO = 2;

interface Options {
  mib: number;
  recordBytes: number;
  batch: number;
  concurrency: number;
  rounds: number;
  warmup: number;
}

interface Side {
  produceMiBs: number;
  fetchMiBs: number;
  produceCpu: CpuPerMiB;
  fetchCpu: CpuPerMiB;
  /** Native only: the same read with checkCrcs false, as kafkajs reads (it never checks a CRC). */
  noCrc?: { fetchMiBs: number; fetchCpu: CpuPerMiB };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` running at once. */
async function pooled(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) await task(next++);
  }));
}

async function nativeRound(address: string, serverPid: number | undefined, topic: string, values: Buffer[], o: Options, bar: Progress): Promise<Side> {
  const client = await createClient({ endpoints: address, poolSize: 2 });
  try {
    await client.createTopic(topic);
    const batches = Math.ceil(values.length / o.batch);
    const bytes = values.length * o.recordBytes;
    bar.phase('native produce');
    let meter = cpuMeter([serverPid]);
    let t0 = process.hrtime.bigint();
    await pooled(batches, o.concurrency, async (i) => {
      const slice = values.slice(i * o.batch, (i + 1) * o.batch);
      await client.produce(topic, slice, { acks: -1 });
      bar.add(slice.length * o.recordBytes);
    });
    const produceS = Number(process.hrtime.bigint() - t0) / 1e9;
    const produceCpu = meter.perMiB(bytes);
    const read = async (checkCrcs: boolean): Promise<{ fetchMiBs: number; fetchCpu: CpuPerMiB }> => {
      bar.phase(checkCrcs ? 'native fetch' : 'native fetch, no CRC check');
        const fetchMeter = cpuMeter([serverPid]);
      const start = process.hrtime.bigint();
      let got = 0;
      for await (const f of client.read(topic, { offset: 0, maxBytes: MiB, checkCrcs, endOffset: values.length })) {
        got += f.records.length;
        for (const r of f.records) bar.add(r.value?.length ?? 0);
      }
      if (got !== values.length) throw new Error(`native read ${got} of ${values.length} records`);
      return { fetchMiBs: bytes / MiB / (Number(process.hrtime.bigint() - start) / 1e9), fetchCpu: fetchMeter.perMiB(bytes) };
    };
    const checked = await read(true);
    return { produceMiBs: bytes / MiB / produceS, produceCpu, ...checked, noCrc: await read(false) };
  } finally {
    await client.close();
  }
}

async function kafkajsRound(address: string, serverPid: number | undefined, topic: string, values: Buffer[], o: Options, bar: Progress): Promise<Side> {
  const kafka = new Kafka({ clientId: 'bench', brokers: [address], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const batches = Math.ceil(values.length / o.batch);
  const bytes = values.length * o.recordBytes;
  bar.phase('kafkajs produce');
  const produceMeter = cpuMeter([serverPid]);
  const t0 = process.hrtime.bigint();
  await pooled(batches, o.concurrency, async (i) => {
    const slice = values.slice(i * o.batch, (i + 1) * o.batch);
    await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: slice.map((value) => ({ value })) });
    bar.add(slice.length * o.recordBytes);
  });
  const produceS = Number(process.hrtime.bigint() - t0) / 1e9;
  const produceCpu = produceMeter.perMiB(bytes);
  await producer.disconnect();

  bar.phase('kafkajs fetch');
  // Includes the group join (a few small requests): CPU per MiB is not clocked from the first batch.
  const fetchMeter = cpuMeter([serverPid]);
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  let first = 0n;
  const done = new Promise<bigint>((resolve) => {
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        if (first === 0n) first = process.hrtime.bigint();
        got += batch.messages.length;
        for (const m of batch.messages) bar.add(m.value?.length ?? 0);
        if (got >= values.length) resolve(process.hrtime.bigint());
      },
    });
  });
  const end = await done;
  const fetchCpu = fetchMeter.perMiB(bytes);
  await consumer.disconnect();
  const fetchS = Number(end - first) / 1e9;
  return { produceMiBs: bytes / MiB / produceS, fetchMiBs: bytes / MiB / fetchS, produceCpu, fetchCpu };
}

/** Runs the bench; returns medians per client and the native/kafkajs ratios. */
export async function runClientBench(o: Options, showProgress: boolean) {
  const count = Math.ceil((o.mib * MiB) / o.recordBytes);
  // Distinct contents per record, made once: both clients send exactly these buffers.
  const values = Array.from({ length: count }, (_, i) => {
    const b = Buffer.alloc(o.recordBytes, i % 251);
    b.writeUInt32BE(i, 0);
    return b;
  });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vonnegut-bench-client-'));
  const node = await startServer(path.join(root, 'node'));
  const bar = progress(count * o.recordBytes * 5 * (o.warmup + o.rounds), showProgress);
  const native: Side[] = [];
  const kjs: Side[] = [];
  try {
    for (let round = 0; round < o.warmup + o.rounds; round++) {
      // Alternate who goes first, so neither always meets a warmer page cache.
      const order = round % 2 === 0 ? ['native', 'kafkajs'] : ['kafkajs', 'native'];
      for (const who of order) {
        const side = who === 'native'
          ? await nativeRound(node.address, node.child.pid, `native-${round}`, values, o, bar)
          : await kafkajsRound(node.address, node.child.pid, `kafkajs-${round}`, values, o, bar);
        if (round >= o.warmup) (who === 'native' ? native : kjs).push(side);
      }
    }
  } finally {
    bar.stop();
    await stopServer(node);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const med = (xs: Side[], k: 'produceMiBs' | 'fetchMiBs') => medianOf(xs.map((x) => x[k]));
  const medCpu = (xs: Side[], k: 'produceCpu' | 'fetchCpu'): CpuPerMiB => ({ server: medianOf(xs.map((x) => x[k].server)), client: medianOf(xs.map((x) => x[k].client)) });
  const side = (xs: Side[]) => ({ produceMiBs: med(xs, 'produceMiBs'), fetchMiBs: med(xs, 'fetchMiBs'), produceCpu: medCpu(xs, 'produceCpu'), fetchCpu: medCpu(xs, 'fetchCpu') });
  const result = {
    native: side(native),
    kafkajs: side(kjs),
    rounds: { native, kafkajs: kjs },
  };
  const noCrc = { fetchMiBs: medianOf(native.map((x) => x.noCrc!.fetchMiBs)), fetchCpu: { server: medianOf(native.map((x) => x.noCrc!.fetchCpu.server)), client: medianOf(native.map((x) => x.noCrc!.fetchCpu.client)) } };
  return {
    ...result,
    nativeNoCrc: noCrc,
    ratio: {
      produce: result.native.produceMiBs / result.kafkajs.produceMiBs, fetch: result.native.fetchMiBs / result.kafkajs.fetchMiBs,
      fetchNoCrc: noCrc.fetchMiBs / result.kafkajs.fetchMiBs,
    },
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const { values: args } = parseArgs({
    options: {
      mib: { type: 'string', default: '64' },
      record: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
    },
  });
  const o: Options = {
    mib: Number(args.mib), recordBytes: Number(args.record), batch: Number(args.batch),
    concurrency: Number(args.concurrency), rounds: Math.max(1, Number(args.rounds)),
    warmup: Math.max(0, Number(args.warmup)),
  };
  const res = await runClientBench(o, !args.json);
  if (args.json) {
    console.log(JSON.stringify({ config: { ...o, target: TARGET_RATIO }, ...res }, null, 2));
  } else {
    console.log(`client bench: ${o.mib} MiB of ${o.recordBytes} B records, ${o.batch} records per call, ${o.concurrency} in flight, acks=-1, median of ${o.rounds} rounds after ${o.warmup} warm-up, 1-node chain in a child process`);
    const cpu = (c: CpuPerMiB) => `(cpu ms/MiB server ${c.server.toFixed(2)} client ${c.client.toFixed(2)})`;
    const range = (xs: Side[], k: 'produceMiBs' | 'fetchMiBs') => `[${Math.min(...xs.map((x) => x[k])).toFixed(0)}-${Math.max(...xs.map((x) => x[k])).toFixed(0)}]`;
    const row = (name: string, r: typeof res.native, rounds: Side[]) =>
      `${name.padEnd(10)} produce ${r.produceMiBs.toFixed(1).padStart(7)} MiB/s ${range(rounds, 'produceMiBs')} ${cpu(r.produceCpu)}   ` +
      `fetch ${r.fetchMiBs.toFixed(1).padStart(7)} MiB/s ${range(rounds, 'fetchMiBs')} ${cpu(r.fetchCpu)}`;
    console.log(row('native', res.native, res.rounds.native));
    console.log(row('kafkajs', res.kafkajs, res.rounds.kafkajs));
    const nc = res.nativeNoCrc;
    console.log(`native, checkCrcs false (as kafkajs reads: it checks no CRC): fetch ${nc.fetchMiBs.toFixed(1)} MiB/s ${cpu(nc.fetchCpu)}, ${res.ratio.fetchNoCrc.toFixed(2)}x kafkajs`);
    const ok = (r: number) => (r >= TARGET_RATIO ? 'ok' : `below target ${TARGET_RATIO}x`);
    console.log(`ratio      produce ${res.ratio.produce.toFixed(2)}x (${ok(res.ratio.produce)})   fetch ${res.ratio.fetch.toFixed(2)}x (${ok(res.ratio.fetch)})`);
    // CPU per MiB survives a busy machine better than MiB/s: what each client spends on the same bytes.
    const cpuRatio = (k: 'produceCpu' | 'fetchCpu') => (res.kafkajs[k].client / res.native[k].client).toFixed(2);
    console.log(`client cpu per MiB, kafkajs / native: produce ${cpuRatio('produceCpu')}x   fetch ${cpuRatio('fetchCpu')}x`);
  }
}
