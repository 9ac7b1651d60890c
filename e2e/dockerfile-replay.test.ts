// The image proven without a container engine: the Dockerfile is parsed (never copied here) and its
// stages replayed into temporary directories: the build stage compiles, the deps stage runs the same
// `npm ci --omit=dev ...` with the same .npmrc, the final stage holds exactly what its COPY lines name.
// Then `serve`, `operator` (against the fake API server) and `sidecar` start from the final directory
// with plain node (no tsx exists there) and each must answer.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npm, parseDockerfile, replayDockerfile, type Stage } from './lib/dockerfile.ts';
import { spawnUntil, type Spawned } from './lib/spawn-line.ts';
import { FakeApiServer } from '../operator/test/helpers/fake-apiserver.ts';
import { waitFor } from '../operator/test/helpers/wait.ts';
import { vgc } from '../operator/test/helpers/fixtures.ts';
import { createClient } from '../node/src/index.ts';
import { parse as parseYaml } from 'yaml';
import { nodeLoad, operatorLoad, peakRssMiB } from './lib/memory-load.ts';
import { NODE_RESOURCES, SIDECAR_RESOURCES } from '../operator/src/builders/statefulset.ts';

/** `256Mi` in MiB (the only unit the limits here use). */
const mebibytes = (q: string): number => {
  const m = /^(\d+)Mi$/.exec(q);
  if (!m) throw new Error(`memory quantity ${q}: expected <n>Mi`);
  return Number(m[1]);
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LISTEN = /vonnegut listening on (\S+):(\d+) admin (\d+)/;
const LISTEN_ANY = /vonnegut listening on /;
const NS = 'ns1';

/**
 * The RUN commands the replay knows. The build stage's full `npm ci` (dev dependencies included, same
 * lock) is stood in for by the repository's own node_modules: installing the whole dev tree again would
 * only re-download it. The production install is run for real, with the Dockerfile's flags.
 */
async function runCommand(command: string, stage: Stage): Promise<'ran' | { skip: string }> {
  const words = command.split(/\s+/);
  const env = { ...process.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };
  if (words[0] === 'npm' && words[1] === 'ci') {
    if (!words.includes('--omit=dev')) {
      const lock = fs.readFileSync(path.join(stage.dir, 'package-lock.json'), 'utf8');
      if (lock !== fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) throw new Error('build stage lock differs from the repository\'s');
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(stage.dir, 'node_modules'));
      return { skip: 'full install stood in for by the repository\'s node_modules (same lock)' };
    }
    await npm(words.slice(1), stage.dir, env);
    return 'ran';
  }
  if (words[0] === 'npm' && words[1] === 'run') {
    await npm(words.slice(1), stage.dir, env);
    return 'ran';
  }
  if (command === 'npm cache clean --force') return { skip: 'would empty this machine\'s shared npm cache; in the image it only shrinks the layer' };
  if (words[0] === 'ln' && words[1] === '-s' && words[2]?.startsWith(`${stage.workdir}/`)) {
    const target = path.join(stage.dir, words[2].slice(stage.workdir.length + 1));
    if (!fs.existsSync(target)) throw new Error(`${command}: ${target} does not exist in the image`);
    return { skip: 'links into /usr/local/bin; the test runs the target itself' };
  }
  if ((words[0] === 'mkdir' && words[1] === '-p') || words[0] === 'chown') return { skip: 'the data directory; each test process gets its own' };
  throw new Error(`RUN ${command}: not known to the replay; teach e2e/dockerfile-replay.test.ts what it does`);
}

test('Dockerfile replay: the image\'s files and production install run serve, operator and sidecar with plain node, each within its memory limit', async (t) => {
  t.timeout(600_000);
  const started = performance.now();
  const into = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-image-'));
  const stages = await replayDockerfile(parseDockerfile(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')), { context: ROOT, into, runCommand });
  const replayMs = performance.now() - started;
  const image = stages.at(-1)!;
  t.log(`replayed ${stages.length} stages in ${(replayMs / 1000).toFixed(1)} s; image copies ${image.copied.join(', ')}`);
  for (const s of stages) for (const k of s.skipped) t.log(`skipped in ${s.name ?? 'image'}: ${k}`);
  // Node LTS still supported (22 or 24), the same base for every stage.
  for (const s of stages) t.regex(s.image, /^node:(22|24)[-.]/);
  // What the image must not hold: sources, dev tools, the test harness.
  for (const absent of ['node_modules/typescript', 'node_modules/tsx', 'node_modules/ava', 'node/src', 'operator/src', 'e2e', 'bench', 'dist/bench', 'dist/e2e']) {
    t.false(fs.existsSync(path.join(image.dir, absent)), `${absent} is not in the image`);
  }
  t.deepEqual(image.entrypoint, ['vonnegut']);
  const bin = path.join(image.dir, 'bin/vonnegut.js');
  const env = { ...process.env, ...image.env };
  const procs: Spawned[] = [];
  t.teardown(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    fs.rmSync(into, { recursive: true, force: true });
  });
  const vonnegut = async (args: string[], pattern: RegExp, extraEnv: NodeJS.ProcessEnv = {}): Promise<Spawned> => {
    // Generous: on a loaded shared machine a cold start has taken over 10 s.
    const p = await spawnUntil(process.execPath, [bin, ...args], pattern, { cwd: image.dir, env: { ...env, ...extraEnv } }, 180_000);
    procs.push(p);
    return p;
  };

  // serve: a record produced and read back through the native client.
  const dataDir = fs.mkdtempSync(path.join(into, 'data-'));
  const tokenFile = path.join(dataDir, 'admin-token');
  const serve = await vonnegut(['serve', '--port', '0', '--admin-port', '0', '--data-dir', dataDir, '--admin-token-file', tokenFile], LISTEN);
  const [, host, port, adminPort] = serve.match;
  const client = await createClient({ endpoints: `${host}:${port}` });
  try {
    await client.produce('replay', ['from the image'], { acks: -1 });
    const { records } = await client.fetch('replay', { offset: 0 });
    t.deepEqual(records.map((r) => r.value?.toString()), ['from the image']);
  } finally {
    await client.close();
  }

  // Cold start to listening, built (the image's plain node) against tsx (what `npm start` runs), in turns.
  const coldStarts = { dist: [serve.ms], tsx: [] as number[] };
  for (let i = 0; i < 3; i++) {
    const tsx = await spawnUntil(process.execPath, ['--import', 'tsx', path.join(ROOT, 'node/src/main.ts'), 'serve', '--port', '0', '--admin-port', '-1', '--data-dir', fs.mkdtempSync(path.join(into, 'data-'))], LISTEN_ANY, { cwd: ROOT });
    await tsx.stop();
    coldStarts.tsx.push(tsx.ms);
    if (i === 2) break;
    const built = await vonnegut(['serve', '--port', '0', '--admin-port', '-1', '--data-dir', fs.mkdtempSync(path.join(into, 'data-'))], LISTEN_ANY);
    await built.stop();
    coldStarts.dist.push(built.ms);
  }
  const ms = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
  t.log(`cold start to listening: node dist ${ms(coldStarts.dist)} ms; tsx ${ms(coldStarts.tsx)} ms`);

  // operator: against the fake API server, through a kubeconfig file as in a cluster.
  const api = new FakeApiServer();
  await api.start();
  t.teardown(() => api.stop());
  const kubeconfig = path.join(into, 'kubeconfig');
  fs.writeFileSync(kubeconfig, api.kubeConfig().exportConfig());
  const chain = vgc('logs', { chains: 1, replicas: 1 });
  api.put({ apiVersion: chain.apiVersion, kind: chain.kind, metadata: { name: 'logs', namespace: NS }, spec: chain.spec });
  const operator = await vonnegut(['operator', '--metrics-host', '127.0.0.1', '--metrics-port', '0'], /"metricsPort":(\d+)/, { KUBECONFIG: kubeconfig });
  const metricsPort = operator.match[1];
  await waitFor('operator ready', async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).status === 200, 60_000, 100);
  await waitFor('StatefulSet applied', () => api.get('apps/v1', 'StatefulSet', NS, 'logs-0'), 60_000, 100);

  // sidecar: pushes settings with the node's admin token (the log line follows a 204), reads the node's
  // status and writes its report Lease.
  const sidecar = await vonnegut(['sidecar'], /pushed settings to node/, {
    KUBECONFIG: kubeconfig, POD_NAME: 'logs-0-0', POD_NAMESPACE: NS, VONNEGUT_RESOURCE: 'logs', VONNEGUT_CHAIN: 'logs-0',
    VONNEGUT_ADMIN_URL: `http://127.0.0.1:${adminPort}`, VONNEGUT_ADMIN_TOKEN_FILE: tokenFile, VONNEGUT_SIDECAR_INTERVAL_MS: '200',
  });
  const report = await waitFor('sidecar report', () => api.get('coordination.k8s.io/v1', 'Lease', NS, 'logs-0-0.status')?.metadata.annotations?.['vonnegut.io/status'], 60_000, 100);
  t.is((JSON.parse(report) as { role?: string }).role, 'solo');

  // Memory that fits: each process's peak RSS under a representative load, x 1.3 headroom, within the
  // limit the operator's builders and the chart set.
  await nodeLoad(`${host}:${port}`, 32);
  await operatorLoad(api, NS, 20, 3);
  // The sidecar has ticked all along; one more topic proves it still reports after the load.
  const after = await createClient({ endpoints: `${host}:${port}` });
  await after.produce('after-load', ['x'], { acks: -1 }).finally(() => after.close());
  await waitFor('sidecar reports after the load', () => api.get('coordination.k8s.io/v1', 'Lease', NS, 'logs-0-0.status')?.metadata.annotations?.['vonnegut.io/status']?.includes('after-load'), 120_000, 100);
  const values = parseYaml(fs.readFileSync(path.join(ROOT, 'charts/vonnegut/values.yaml'), 'utf8')) as { resources: { limits: { memory: string } } };
  const limits = { node: NODE_RESOURCES.limits.memory, operator: values.resources.limits.memory, sidecar: SIDECAR_RESOURCES.limits.memory };
  const peaks = { node: peakRssMiB(serve.child.pid!), operator: peakRssMiB(operator.child.pid!), sidecar: peakRssMiB(sidecar.child.pid!) };
  for (const k of ['node', 'operator', 'sidecar'] as const) {
    const limit = mebibytes(limits[k]);
    t.log(`${k}: peak RSS ${peaks[k].toFixed(0)} MiB, limit ${limit} MiB (${((limit / peaks[k] - 1) * 100).toFixed(0)}% headroom)`);
    t.true(peaks[k] * 1.3 <= limit, `${k} peak ${peaks[k].toFixed(0)} MiB x 1.3 fits its ${limits[k]} limit`);
  }
  t.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
});
