/**
 * A real Prometheus server scrapes a real 3-node chain under produce and fetch load, and its HTTP API
 * shows the `vonnegut_*` series present and moving; `promtool check metrics` accepts the exposition.
 */
import test from 'ava';
import { ChainCluster } from './lib/chain-cluster.ts';
import { PrometheusServer } from './lib/prometheus-server.ts';
import { startLoad } from './lib/load.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { requireTool, run, waitFor } from './lib/tools.ts';

const hasTools = requireTool('prometheus') && requireTool('promtool') && requireTool('dnsmasq');
const promTest = hasTools ? test.serial : test.skip;

/** Families prom-client's default collectors export; promtool rejects some of their names (e.g. gauges ending in _total). */
const PROCESS_FAMILIES = /^(# (HELP|TYPE) )?vonnegut_(process|nodejs)_/;

let chain: ChainCluster | undefined;
const prometheus = new PrometheusServer();
const query = (expr: string) => prometheus.query(expr);

/** The single value of `expr`, once Prometheus has it. */
async function valueOf(expr: string, timeoutMs = 30_000): Promise<number> {
  return waitFor(`a sample of ${expr}`, async () => {
    const r = await query(expr);
    return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
  }, timeoutMs, 250);
}

/** Waits until `expr` (one series) is scraped again with a larger value than it had. */
async function increases(expr: string): Promise<[number, number]> {
  const first = await valueOf(expr);
  const later = await waitFor(`${expr} to grow beyond ${first}`, async () => {
    const v = await valueOf(expr);
    return v > first ? v : undefined;
  }, 30_000, 250);
  return [first, later];
}

test.after.always(async () => {
  await prometheus.stop();
  await chain?.destroy();
});

promTest('a real Prometheus scrapes the chain under load: vonnegut_* series exist and move, and promtool accepts the exposition', async (t) => {
  chain = new ChainCluster('prom', 3, 71);
  await chain.start(3);
  const [head, middle, tail] = chain.nodes.map((n) => n!);
  const instance = (n: typeof head) => `127.0.0.1:${n.adminPort}`;
  await prometheus.start({ targets: [head, middle, tail].map(instance) });

  const load = startLoad(head.address, 'prom');
  try {
    await load.progress(50);
    // A read at the tail, and a produce sent to a non-head, which must show up as a counted error.
    t.true((await fetchFrom(tail.address, 'prom', 0, 0)).decoded.length > 0);
    t.is((await produceTo(middle.address, 'prom', 0, ['misrouted'])).errorCode, 6);

    const up = await waitFor('all three targets up', async () => {
      const r = await query('up{job="vonnegut"} == 1');
      return r.length === 3 ? r : undefined;
    });
    t.is(up.length, 3);

    const [bytesBefore, bytesAfter] = await increases(`vonnegut_topic_bytes_in_total{instance="${instance(head)}",topic="prom"}`);
    t.true(bytesAfter > bytesBefore && bytesBefore > 0, `bytes in ${bytesBefore} -> ${bytesAfter}`);
    const [producesBefore, producesAfter] = await increases(`vonnegut_requests_total{instance="${instance(head)}",api="Produce",outcome="ok"}`);
    t.true(producesAfter > producesBefore);
    await increases(`vonnegut_partition_high_watermark{instance="${instance(tail)}",topic="prom",partition="0"}`);
    t.true((await valueOf(`vonnegut_topic_records_in_total{instance="${instance(head)}",topic="prom"}`)) >= 50);
    t.true((await valueOf(`vonnegut_produce_commit_duration_seconds_count{instance="${instance(head)}"}`)) >= 50);
    t.true((await valueOf(`vonnegut_topic_records_out_total{instance="${instance(tail)}",topic="prom"}`)) > 0);
    t.is(await valueOf(`vonnegut_request_errors_total{instance="${instance(middle)}",api="Produce",error="NOT_LEADER_OR_FOLLOWER"}`), 1);

    // The chain as Prometheus sees it: one node per role, both links up, the head writable.
    for (const [node, role] of [[head, 'head'], [middle, 'middle'], [tail, 'tail']] as const) {
      t.is(await valueOf(`vonnegut_chain_role{instance="${instance(node)}",role="${role}"}`), 1);
      t.is(await valueOf(`vonnegut_chain_members{instance="${instance(node)}"}`), 3);
    }
    const links = await waitFor('two replication links up', async () => {
      const r = await query('vonnegut_replication_link_up == 1');
      return r.length === 2 ? r : undefined;
    });
    t.deepEqual(links.map((s) => s.metric.peer).sort(), ['prom-1', 'prom-2']);
    t.is(await valueOf(`vonnegut_chain_writable{instance="${instance(head)}"}`), 1);
    t.is(await valueOf(`vonnegut_chain_replicas_required{instance="${instance(head)}"}`), 3);
    t.true((await valueOf(`vonnegut_log_size_bytes{instance="${instance(tail)}",topic="prom",partition="0"}`)) > 0);
    t.true((await valueOf(`vonnegut_disk_free_bytes{instance="${instance(head)}"}`)) > 0);
    t.true((await valueOf(`vonnegut_process_resident_memory_bytes{instance="${instance(head)}"}`)) > 0);
  } finally {
    await load.stop();
  }
  // Once the load stops, every record is acknowledged through both links and committed at the head.
  const settled = await waitFor('replication lag 0 on both links', async () => {
    const r = await query('vonnegut_replication_lag_records == 0');
    return r.length === 2 ? r : undefined;
  });
  t.deepEqual(settled.map((s) => s.metric.peer).sort(), ['prom-1', 'prom-2']);
  t.is(await valueOf(`vonnegut_partition_uncommitted_records{instance="${instance(head)}",topic="prom",partition="0"}`), 0);

  // promtool lints our own families; prom-client's default process/nodejs families are filtered out.
  const exposition = await (await fetch(`http://${instance(head)}/metrics`)).text();
  const ours = exposition.split('\n').filter((line) => !PROCESS_FAMILIES.test(line)).join('\n');
  const families = ours.split('\n').filter((l) => l.startsWith('# TYPE vonnegut_')).length;
  t.true(families >= 20, `${families} vonnegut_* families`);
  const lint = await run('promtool', ['check', 'metrics'], { input: ours });
  t.is(lint.code, 0, `promtool: ${lint.stdout.toString()}${lint.stderr}`);
});
