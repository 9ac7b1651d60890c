/**
 * The chart's alert rules (charts/vonnegut/rules/vonnegut.rules.yaml, as shipped) loaded into a real
 * Prometheus that scrapes a real 3-node chain: silent while the chain is healthy, VonnegutChainNotWritable
 * goes pending when the chain loses its tail, and clears when the tail is back. The `for:` durations
 * (minutes) are not waited out: pending is the rule's condition holding, which is what a test can see.
 */
import test from 'ava';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChainCluster } from './lib/chain-cluster.ts';
import { PrometheusServer } from './lib/prometheus-server.ts';
import { requireTool, waitFor } from './lib/tools.ts';

const RULES = fileURLToPath(new URL('../charts/vonnegut/rules/vonnegut.rules.yaml', import.meta.url));
const hasTools = requireTool('prometheus') && requireTool('dnsmasq');
const promTest = hasTools ? test.serial : test.skip;

let chain: ChainCluster | undefined;
let prom: PrometheusServer | undefined;

test.after.always(async () => {
  await prom?.stop();
  await chain?.destroy();
});

promTest('real Prometheus with the chart\'s rules: no alert on a healthy chain; losing the tail makes VonnegutChainNotWritable pending for that chain; it clears on recovery', async (t) => {
  chain = new ChainCluster('alerts', 3, 73);
  await chain.start(3);
  const admin = chain.nodes.map((n) => `127.0.0.1:${n!.adminPort}`);
  // The labels the chart's PodMonitor adds on Kubernetes.
  prom = await new PrometheusServer().start({ targets: admin, labels: { namespace: 'e2e', vonnegut_cluster: 'alerts', chain: 'alerts' }, ruleFiles: [path.resolve(RULES)] });

  // Every rule loads and evaluates without error against real series.
  const groups = await waitFor('rules loaded', async () => {
    const g = await prom!.ruleGroups();
    return g.length > 0 ? g : undefined;
  });
  t.deepEqual(groups.map((g) => g.name).sort(), ['vonnegut.chain', 'vonnegut.disk', 'vonnegut.replication']);
  await waitFor('the head scraped as writable', async () => ((await prom!.query('max(vonnegut_chain_writable) == 1')).length === 1 ? true : undefined));
  await waitFor('disk and link series scraped', async () => ((await prom!.query('vonnegut_disk_free_bytes')).length === 3 && (await prom!.query('vonnegut_replication_link_up == 1')).length === 2 ? true : undefined));
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
  const alert = await waitFor('VonnegutChainNotWritable pending', async () => (await prom!.alerts()).find((a) => a.labels.alertname === 'VonnegutChainNotWritable'), 60_000, 250);
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
  await waitFor('VonnegutChainNotWritable resolved', async () => ((await prom!.alerts()).some((a) => a.labels.alertname === 'VonnegutChainNotWritable') ? undefined : true), 60_000, 250);
  t.pass();
});
