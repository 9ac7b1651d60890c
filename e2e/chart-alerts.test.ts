/**
 * The chart's monitoring against a real Prometheus scraping a real 3-node chain. The dashboard's queries
 * (charts/vonnegut/dashboards/vonnegut.json) all return data under load. The alert rules
 * (charts/vonnegut/rules/vonnegut.rules.yaml, as shipped) are silent while the chain is healthy;
 * VonnegutChainNotWritable goes pending when the chain loses its tail and clears when the tail is back.
 * The `for:` durations (minutes) are not waited out: pending is the rule's condition holding, which is
 * what a test can see.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandVariables } from '../operator/test/helpers/promql.ts';
import { ChainCluster } from './lib/chain-cluster.ts';
import { startLoad } from './lib/load.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { PrometheusServer } from './lib/prometheus-server.ts';
import { requireTool, waitFor } from './lib/tools.ts';

const RULES = fileURLToPath(new URL('../charts/vonnegut/rules/vonnegut.rules.yaml', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../charts/vonnegut/dashboards/vonnegut.json', import.meta.url));
const hasTools = requireTool('prometheus') && requireTool('dnsmasq');
const promTest = hasTools ? test.serial : test.skip;

let chain: ChainCluster | undefined;
let prom: PrometheusServer | undefined;

test.after.always(async () => {
  await prom?.stop();
  await chain?.destroy();
});

/** The chain and a Prometheus scraping it with the chart's rules, started once for both tests. */
async function setup(): Promise<{ chain: ChainCluster; prom: PrometheusServer }> {
  if (!chain) {
    chain = new ChainCluster('alerts', 3, 73);
    await chain.start(3);
  }
  if (!prom) {
    const admin = chain.nodes.map((n) => `127.0.0.1:${n!.adminPort}`);
    // The labels the chart's PodMonitor adds on Kubernetes.
    prom = await new PrometheusServer().start({ targets: admin, labels: { namespace: 'e2e', vonnegut_cluster: 'alerts', chain: 'alerts' }, ruleFiles: [path.resolve(RULES)] });
  }
  return { chain, prom };
}

promTest('real Prometheus: every query of the chart\'s dashboard returns data for a chain under produce and fetch load', async (t) => {
  const { chain, prom } = await setup();
  const [head, middle, tail] = chain.nodes.map((n) => n!);
  const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets?: { expr: string; refId: string }[] }[] };
  const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((q) => ({ what: `${p.title} ${q.refId}`, expr: expandVariables(q.expr) })));
  const load = startLoad(head.address, 'dash');
  try {
    await load.progress(50);
    // A read at the tail for the fetch panels, and a misrouted produce for the errors panel.
    t.true((await fetchFrom(tail.address, 'dash', 0, 0)).decoded.length > 0);
    t.is((await produceTo(middle.address, 'dash', 0, ['misrouted'])).errorCode, 6);
    let empty: string[] = [];
    await waitFor('every dashboard query to return data', async () => {
      empty = [];
      for (const q of queries) if ((await prom.query(q.expr)).length === 0) empty.push(q.what);
      return empty.length === 0 ? true : undefined;
    }, 90_000, 1000).catch(() => undefined);
    t.deepEqual(empty, [], 'panels without data');
    t.true(queries.length >= 20);
  } finally {
    await load.stop();
  }
});

promTest('real Prometheus with the chart\'s rules: no alert on a healthy chain; losing the tail makes VonnegutChainNotWritable pending for that chain; it clears on recovery', async (t) => {
  const { chain, prom } = await setup();
  // Every rule loads and evaluates without error against real series.
  const groups = await waitFor('rules loaded', async () => {
    const g = await prom.ruleGroups();
    return g.length > 0 ? g : undefined;
  });
  t.deepEqual(groups.map((g) => g.name).sort(), ['vonnegut.chain', 'vonnegut.disk', 'vonnegut.replication']);
  await waitFor('the head scraped as writable', async () => ((await prom.query('max(vonnegut_chain_writable) == 1')).length === 1 ? true : undefined));
  await waitFor('disk and link series scraped', async () => ((await prom.query('vonnegut_disk_free_bytes')).length === 3 && (await prom.query('vonnegut_replication_link_up == 1')).length === 2 ? true : undefined));
  // Healthy and idle: whatever an earlier load left in flight has been acknowledged and scraped.
  await waitFor('no replication lag or uncommitted records', async () => ((await prom.query('max(vonnegut_replication_lag_records) > 0 or max(vonnegut_partition_uncommitted_records) > 0')).length === 0 ? true : undefined));
  await prom.evaluatedSinceNow();
  for (const g of await prom.ruleGroups()) for (const r of g.rules) t.is(r.health, 'ok', `${r.name}: ${r.lastError ?? ''}`);
  // The disk alerts read this machine's real filesystem, which the test does not control.
  const active = await prom.alerts();
  const hostDisk = active.filter((a) => a.labels.alertname!.startsWith('VonnegutDisk'));
  if (hostDisk.length > 0) t.log(`host disk alerts: ${hostDisk.map((a) => `${a.labels.alertname} ${a.state}`).join(', ')}`);
  t.deepEqual(active.filter((a) => !hostDisk.includes(a)).map((a) => a.labels.alertname), [], 'a healthy chain raises no alert');

  // The tail leaves the chain (gone from discovery and killed): the head refuses writes.
  await chain.publish(2);
  await chain.nodes[2]!.kill('SIGKILL');
  const alert = await waitFor('VonnegutChainNotWritable pending', async () => (await prom.alerts()).find((a) => a.labels.alertname === 'VonnegutChainNotWritable'), 60_000, 250);
  t.is(alert.state, 'pending');
  t.is(alert.labels.chain, 'alerts');
  t.is(alert.labels.namespace, 'e2e');
  t.is(alert.labels.severity, 'critical');
  t.is(alert.annotations.summary, 'Chain e2e/alerts accepts no writes');
  t.false((await chain.status(0)).writable);

  // Back to three members: writable again, and the alert resolves.
  await chain.publish(3);
  await chain.nodes[2]!.start();
  await chain.waitWritable(60_000);
  await waitFor('VonnegutChainNotWritable resolved', async () => ((await prom.alerts()).some((a) => a.labels.alertname === 'VonnegutChainNotWritable') ? undefined : true), 60_000, 250);
  t.pass();
});
