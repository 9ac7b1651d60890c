// The chart's alerts and dashboard: promtool checks and unit-tests exactly the rule file the chart
// ships, every metric they read is one the node exports (or the agreed name it will export), and the
// rendered PrometheusRule, PodMonitor and dashboard ConfigMap carry what the files hold.
import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { requireTool } from '../../e2e/lib/tools.ts';
import { ADMIN_PORT_NAME, LABEL_CHAIN, LABEL_CLUSTER, chainLabels } from '../src/names.ts';
import type { ResolvedSpec } from '../src/crd/defaults.ts';
import { chart, helmRun, helmTest, render, root, skipNote } from './helpers/helm.ts';
import { AGREED_HISTOGRAMS, AGREED_METRICS, exportedByNode } from './helpers/node-metric-names.ts';
import { expandVariables, familyOf, metricNames } from './helpers/promql.ts';
import { validateManifest, type ManifestLike } from './helpers/validate.ts';

const execFileP = promisify(execFile);
const RULES = join(root, 'charts/vonnegut/rules/vonnegut.rules.yaml');
const RULE_TESTS = join(root, 'charts/vonnegut/rules/vonnegut.rules.test.yaml');
const DASHBOARD = join(root, 'charts/vonnegut/dashboards/vonnegut.json');

interface Rule { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleFile { groups: { name: string; rules: Rule[] }[] }
interface AlertTest { eval_time: string; alertname: string; exp_alerts?: unknown[] }
interface RuleTestFile { rule_files: string[]; tests: { alert_rule_test?: AlertTest[] }[] }
interface Target { expr: string; refId: string }
interface Panel { id: number; type: string; title: string; gridPos: { h: number; w: number; x: number; y: number }; targets?: Target[]; datasource?: { uid: string } }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; query: unknown }[] } }

const hasPromtool = requireTool('promtool');
const promtoolTest = hasPromtool ? test : test.skip;
const promtoolNote = hasPromtool ? '' : ' [promtool not on PATH; apt-get install prometheus]';

/** Runs promtool; resolves with its exit code and output instead of rejecting. */
async function promtool(args: string[], cwd?: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileP('promtool', args, { cwd, maxBuffer: 8 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const ruleFile = async (): Promise<RuleFile> => parse(await readFile(RULES, 'utf8')) as RuleFile;
const alerts = (f: RuleFile): Rule[] => f.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
const dashboard = async (): Promise<Dashboard> => JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
const queries = (d: Dashboard): string[] => [
  ...d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...d.templating.list.map((v) => (typeof v.query === 'object' && v.query !== null ? String((v.query as { query: string }).query) : '')),
].filter((q) => q !== '' && q !== 'prometheus').map((q) => q.replace(/^label_values\((.*),\s*\w+\)$/, '$1'));

promtoolTest(`promtool check rules passes on the rule file the chart ships${promtoolNote}`, async (t) => {
  const r = await promtool(['check', 'rules', RULES]);
  t.is(r.code, 0, r.out);
  t.regex(r.out, new RegExp(`SUCCESS: ${alerts(await ruleFile()).length} rules found`));
});

promtoolTest(`promtool test rules: every alert fires on its input series and stays silent on the others${promtoolNote}`, async (t) => {
  const r = await promtool(['test', 'rules', RULE_TESTS]);
  t.is(r.code, 0, r.out);
  // Each alert has a case expecting it to fire and a case (same alertname) expecting silence, or an
  // exact expected list that leaves healthy series out.
  const tests = parse(await readFile(RULE_TESTS, 'utf8')) as RuleTestFile;
  const cases = tests.tests.flatMap((c) => c.alert_rule_test ?? []);
  for (const a of alerts(await ruleFile())) {
    t.true(cases.some((c) => c.alertname === a.alert && (c.exp_alerts?.length ?? 0) > 0), `${a.alert} has a firing case`);
  }
});

promtoolTest(`the rule unit tests are not vacuous: an alert that never fires fails them${promtoolNote}`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vonnegut-rules-'));
  await copyFile(RULE_TESTS, join(dir, 'vonnegut.rules.test.yaml'));
  const original = await ruleFile();
  for (const a of alerts(original)) {
    const broken = structuredClone(original);
    for (const r of broken.groups.flatMap((g) => g.rules)) if (r.alert === a.alert) r.expr = 'vector(1) == 2';
    await writeFile(join(dir, 'vonnegut.rules.yaml'), stringify(broken));
    const r = await promtool(['test', 'rules', 'vonnegut.rules.test.yaml'], dir);
    t.not(r.code, 0, `silencing ${a.alert} went unnoticed`);
    t.regex(r.out, new RegExp(`alertname: ${a.alert}`));
  }
});

promtoolTest(`every dashboard query is valid PromQL (promtool parses each as a recording rule)${promtoolNote}`, async (t) => {
  const d = await dashboard();
  const rules = d.panels.flatMap((p) => (p.targets ?? []).map((q) => ({ record: `dashboard:panel_${p.id}_${q.refId}`, expr: expandVariables(q.expr) })));
  t.true(rules.length >= 20);
  const file = join(await mkdtemp(join(tmpdir(), 'vonnegut-dashboard-')), 'dashboard.rules.yaml');
  await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
  const r = await promtool(['check', 'rules', file]);
  t.is(r.code, 0, r.out);
  // The check is not vacuous: a broken query fails it.
  await writeFile(file, stringify({ groups: [{ name: 'dashboard', rules: [{ record: 'dashboard:broken', expr: 'sum by (topic (rate(x[1m]))' }] }] }));
  t.not((await promtool(['check', 'rules', file])).code, 0);
});

test('alerts cover chain not writable, replication lag growing and disk nearly full, each with severity and summary', async (t) => {
  const all = alerts(await ruleFile());
  const names = all.map((a) => a.alert);
  for (const required of ['VonnegutChainNotWritable', 'VonnegutReplicationLagGrowing', 'VonnegutDiskNearlyFull']) t.true(names.includes(required), required);
  for (const a of all) {
    t.true(['warning', 'critical'].includes(a.labels?.severity ?? ''), `${a.alert} severity`);
    t.truthy(a.annotations?.summary, `${a.alert} summary`);
    t.truthy(a.annotations?.description, `${a.alert} description`);
    t.truthy(a.for, `${a.alert} waits before firing`);
  }
});

test('metricNames finds metric names and skips functions, labels, ranges, keywords and strings', (t) => {
  t.deepEqual(metricNames('histogram_quantile(0.99, sum by (api, le) (rate(vonnegut_request_duration_seconds_bucket{job=~"a|b"}[$__rate_interval])))'), ['vonnegut_request_duration_seconds_bucket']);
  t.deepEqual(metricNames('a_total > 0 and deriv(b[10m]) > 0 unless on(pod) c offset 5m'), ['a_total', 'b', 'c']);
  t.deepEqual(metricNames('x / y{l="and z"} < 0.4 * 3600'), ['x', 'y']);
  t.deepEqual(metricNames('max by (chain) (w) == bool 1'), ['w']);
});

test('every metric the dashboard and alerts read is an agreed name and is exported by the node', async (t) => {
  const exported = await exportedByNode();
  const exportedNames = new Set(exported.map((m) => m.name));
  const histograms = new Set([...AGREED_HISTOGRAMS, ...exported.filter((m) => m.type === 'histogram').map((m) => m.name)]);
  // Guards the check itself: the node's registry really was read, process metrics included.
  t.true(exportedNames.has('vonnegut_process_cpu_seconds_total'));
  t.true(exportedNames.has('vonnegut_requests_total'));
  const exprs = [...alerts(await ruleFile()).map((a) => a.expr), ...queries(await dashboard())];
  const used = [...new Set(exprs.flatMap(metricNames))];
  t.true(used.length >= 20, `the dashboard and alerts read ${used.length} metrics`);
  const families = used.map((n) => familyOf(n, histograms));
  const agreed = (n: string): boolean => AGREED_METRICS.includes(n) || /^vonnegut_(process|nodejs)_/.test(n);
  t.deepEqual(families.filter((n) => !agreed(n)), [], 'not in the agreed list');
  t.deepEqual(families.filter((n) => !exportedNames.has(n)), [], 'not exported by node/src/metrics');
});

test('dashboard: unique panel ids, no overlapping panels, every variable it uses is defined, all four concerns shown', async (t) => {
  const d = await dashboard();
  t.is(d.uid, 'vonnegut-overview');
  const ids = d.panels.map((p) => p.id);
  t.is(new Set(ids).size, ids.length);
  const cells = new Set<string>();
  for (const p of d.panels) {
    const { x, y, w, h } = p.gridPos;
    t.true(x >= 0 && x + w <= 24, `${p.title} fits the 24-column grid`);
    for (let i = x; i < x + w; i++) for (let j = y; j < y + h; j++) {
      t.false(cells.has(`${i},${j}`), `${p.title} overlaps another panel at ${i},${j}`);
      cells.add(`${i},${j}`);
    }
    if (p.type !== 'row') {
      t.is(p.datasource?.uid, '${datasource}', `${p.title} uses the datasource variable`);
      t.true((p.targets ?? []).length > 0, `${p.title} has queries`);
    }
  }
  const defined = new Set(d.templating.list.map((v) => v.name));
  for (const q of queries(d)) {
    for (const [, v] of q.matchAll(/\$(\w+)/g)) if (!v!.startsWith('__')) t.true(defined.has(v!), `$${v} in ${q}`);
  }
  const rows = d.panels.filter((p) => p.type === 'row').map((p) => p.title);
  t.deepEqual(rows.filter((r) => ['Throughput', 'Latency', 'Replication lag', 'Chain health'].includes(r)).sort(), ['Chain health', 'Latency', 'Replication lag', 'Throughput']);
  // kubectl apply (client side) keeps the whole object in an annotation limited to 256 KiB.
  t.true((await readFile(DASHBOARD)).length < 200 * 1024);
});

const monitoringValues = {
  metrics: {
    podMonitor: { enabled: true, labels: { release: 'prom' } },
    prometheusRule: { enabled: true, labels: { release: 'prom' } },
    grafanaDashboard: { enabled: true, namespace: 'grafana', annotations: { grafana_folder: 'vonnegut' } },
  },
};

helmTest(`rendered PrometheusRule is the rule file, and promtool accepts it as rendered${skipNote}${promtoolNote}`, async (t) => {
  const docs = await render(monitoringValues);
  for (const d of docs) t.notThrows(() => validateManifest(d), `${String(d.kind)} ${String(d.metadata?.name)}`);
  const rule = docs.find((d) => d.kind === 'PrometheusRule') as ManifestLike & { metadata: { labels: Record<string, string> }; spec: RuleFile };
  t.is(rule.metadata.labels.release, 'prom');
  t.deepEqual(rule.spec, await ruleFile());
  if (!hasPromtool) return;
  const file = join(await mkdtemp(join(tmpdir(), 'vonnegut-rendered-')), 'rendered.rules.yaml');
  await writeFile(file, stringify(rule.spec));
  const r = await promtool(['check', 'rules', file]);
  t.is(r.code, 0, r.out);
});

helmTest(`rendered dashboard ConfigMap carries the sidecar label and the dashboard file unchanged${skipNote}`, async (t) => {
  const docs = await render(monitoringValues);
  const cm = docs.find((d) => d.kind === 'ConfigMap') as ManifestLike & { metadata: { namespace: string; labels: Record<string, string>; annotations: Record<string, string> }; data: Record<string, string> };
  t.is(cm.metadata.labels.grafana_dashboard, '1');
  t.is(cm.metadata.namespace, 'grafana');
  t.is(cm.metadata.annotations.grafana_folder, 'vonnegut');
  t.is(cm.data['vonnegut.json']?.trim(), (await readFile(DASHBOARD, 'utf8')).trim());
  t.notThrows(() => validateManifest(cm));
});

helmTest(`rendered PodMonitor selects the pods the operator builds, on their admin port, labelled by chain${skipNote}`, async (t) => {
  type PodMonitor = ManifestLike & { spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: { any?: boolean; matchNames?: string[] }; podMetricsEndpoints: { port: string; path: string; relabelings: { sourceLabels: string[]; targetLabel: string }[] }[] } };
  const pm = (await render(monitoringValues)).find((d) => d.kind === 'PodMonitor') as PodMonitor;
  const podLabels = chainLabels({ clusterName: 'logs' } as ResolvedSpec, 'logs-0');
  for (const [k, v] of Object.entries(pm.spec.selector.matchLabels)) t.is(podLabels[k], v, `pods carry ${k}=${v}`);
  t.true(pm.spec.namespaceSelector.any);
  const ep = pm.spec.podMetricsEndpoints[0]!;
  t.is(ep.port, ADMIN_PORT_NAME);
  t.is(ep.path, '/metrics');
  // Prometheus exposes pod label a.b/c as __meta_kubernetes_pod_label_a_b_c.
  const meta = (label: string): string => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
  t.deepEqual(ep.relabelings.map((r) => [r.sourceLabels[0], r.targetLabel]), [[meta(LABEL_CHAIN), 'chain'], [meta(LABEL_CLUSTER), 'vonnegut_cluster']]);
  const scoped = (await render({ ...monitoringValues, watchNamespace: 'team-a' })).find((d) => d.kind === 'PodMonitor') as PodMonitor;
  t.deepEqual(scoped.spec.namespaceSelector, { matchNames: ['team-a'] });
});

helmTest(`the packaged chart ships the rule file and the dashboard, not the rule unit tests${skipNote}`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vonnegut-package-'));
  await helmRun(['package', chart, '--destination', dir]);
  const [tgz] = (await readdir(dir)).filter((f) => f.endsWith('.tgz')).map((f) => join(dir, f));
  if (!tgz) return t.fail('helm package wrote no archive');
  const { stdout } = await execFileP('tar', ['tzf', tgz]);
  const files = stdout.split('\n');
  t.true(files.includes('vonnegut/rules/vonnegut.rules.yaml'));
  t.true(files.includes('vonnegut/dashboards/vonnegut.json'));
  t.false(files.some((f) => f.endsWith('.test.yaml')));
});
