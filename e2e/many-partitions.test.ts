/**
 * 10,000 topic-partitions on one real node: its file descriptors stay within --max-open-files while
 * every partition is written and read, idle segment files are closed, and a crash restart recovers
 * all of them within the same budget.
 */
import fs from 'node:fs';
import test from 'ava';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeFetchResponse, encodeFetchRequest } from '../node/src/protocol/apis/fetch.ts';
import { decodeProduceResponse, encodeProduceRequest } from '../node/src/protocol/apis/produce.ts';
import { decodeRecordBatches, encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { NodeProcess } from './lib/node-process.ts';
import { createTopicAt } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const PARTITIONS = 10_000;
const MAX_OPEN_FILES = 256;
const TOPIC = 'wide';
/** Descriptors besides segment files that come and go during the test: client sockets being accepted or closed. */
const SOCKETS = 4;

const fdsOf = (pid: number): number => fs.readdirSync(`/proc/${pid}/fd`).length;

/** One Produce request carrying one single-record batch for every partition. */
async function produceAll(wire: KafkaWire): Promise<number[]> {
  const partitions = Array.from({ length: PARTITIONS }, (_, p) => ({ index: p, records: encodeRecordBatch({ records: [{ value: `p${p}` }] }) }));
  const r = await wire.send(ApiKey.Produce, 3, (w) => encodeProduceRequest(w, 3, { transactionalId: null, acks: 1, timeoutMs: 30_000, topics: [{ name: TOPIC, partitions }] }));
  return decodeProduceResponse(r, 3).topics[0]!.partitions.filter((p) => p.errorCode !== 0).map((p) => p.errorCode);
}

/** One Fetch request for every partition from offset 0; the value of each partition's first record. */
async function fetchAll(wire: KafkaWire): Promise<(string | null)[]> {
  const r = await wire.send(ApiKey.Fetch, 4, (w) =>
    encodeFetchRequest(w, 4, {
      replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 64 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: TOPIC, partitions: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 4096 })) }],
      forgottenTopicsData: [], rackId: '',
    }));
  const values: (string | null)[] = new Array(PARTITIONS).fill(null);
  for (const p of decodeFetchResponse(r, 4).topics[0]!.partitions) {
    const first = p.records ? [...decodeRecordBatches(p.records)][0]?.records[0] : undefined;
    values[p.partitionIndex] = p.errorCode === 0 && first?.value ? first.value.toString() : null;
  }
  return values;
}

test('10,000 partitions on one node stay within --max-open-files, close idle files, and survive a crash restart', async (t) => {
  t.timeout(180_000);
  const node = new NodeProcess({ args: ['--max-open-files', String(MAX_OPEN_FILES), '--file-idle-timeout-ms', '1000'] });
  await node.start();
  t.teardown(() => node.destroy());
  const pid = (): number => node.child!.pid!;
  const baseline = fdsOf(pid());

  t.is(await createTopicAt(node.address, TOPIC, PARTITIONS), 0);
  t.true(fdsOf(pid()) <= baseline + MAX_OPEN_FILES + SOCKETS, `after create: ${fdsOf(pid())} fds, baseline ${baseline}`);

  const wire = await KafkaWire.connect(node.address);
  t.deepEqual(await produceAll(wire), [], 'every partition accepted its batch');
  t.true(fdsOf(pid()) <= baseline + MAX_OPEN_FILES + SOCKETS, `after produce: ${fdsOf(pid())} fds`);
  const values = await fetchAll(wire);
  t.deepEqual(values.filter((v, p) => v !== `p${p}`), [], 'every partition reads back its record');
  t.true(fdsOf(pid()) <= baseline + MAX_OPEN_FILES + SOCKETS, `after fetch: ${fdsOf(pid())} fds`);
  wire.close();
  // The budget is visible to Prometheus too.
  const scrape = await (await fetch(`http://127.0.0.1:${node.adminPort}/metrics`)).text();
  const open = Number(/^vonnegut_open_segment_files (\d+)$/m.exec(scrape)?.[1]);
  t.true(open > 0 && open <= MAX_OPEN_FILES, `vonnegut_open_segment_files ${open}`);

  // Nothing touches the partitions now: their files close after the idle timeout.
  await waitFor('idle segment files to close', () => (fdsOf(pid()) <= baseline + SOCKETS ? true : undefined), 15_000, 100);

  await node.kill('SIGKILL');
  await node.start(120_000);
  const base2 = fdsOf(pid());
  t.true(base2 <= baseline + MAX_OPEN_FILES + SOCKETS, `recovered 10,000 partitions holding ${base2} fds`);
  const again = await KafkaWire.connect(node.address);
  t.deepEqual((await fetchAll(again)).filter((v, p) => v !== `p${p}`), [], 'every record survived the crash');
  again.close();

  if (requireTool('kcat')) {
    const r = await run('kcat', ['-C', '-b', node.address, '-t', TOPIC, '-p', String(PARTITIONS - 1), '-o', 'beginning', '-c', '1', '-e', '-q'], { timeoutMs: 30_000 });
    t.is(r.stdout.toString().trim(), `p${PARTITIONS - 1}`, r.stderr);
  }
});
