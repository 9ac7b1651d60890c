// End to end against a real cluster (kind or k3d; see docs/kubernetes.md). Runs only when KUBECONFIG is
// set: it needs the chart installed and the image loadable by the cluster, which no unit run has.
// Creates a VonnegutChain, waits for Ready, then produces and consumes with kcat from a pod in the cluster.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type VonnegutChain } from '../operator/src/crd/types.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const NS = process.env.E2E_NAMESPACE ?? 'vonnegut-e2e';
const NAME = 'e2e';
const KCAT_IMAGE = process.env.E2E_KCAT_IMAGE ?? 'edenhill/kcat:1.7.1';
const READY_TIMEOUT_MS = Number(process.env.E2E_READY_TIMEOUT_MS ?? 5 * 60_000);

const e2e = process.env.KUBECONFIG ? test.serial : test.skip;
const why = process.env.KUBECONFIG ? '' : ' [skipped: KUBECONFIG is not set; needs a real cluster with the chart installed]';

async function kubectl(args: string[], input?: string): Promise<string> {
  const { stdout: bin } = await run(`${root}scripts/k8s-tools.sh`, ['kubectl']);
  const child = execFile(bin.trim(), args, { maxBuffer: 16 << 20 });
  if (input !== undefined) child.stdin?.end(input);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${code}\n${err}`))));
  });
}

e2e(`VonnegutChain becomes Ready and serves kcat produce/consume through its services${why}`, async (t) => {
  t.timeout(READY_TIMEOUT_MS + 3 * 60_000);
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: NS } } }).catch(() => undefined);
  await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: NAME }).catch(() => undefined);
  t.teardown(async () => {
    await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: NAME }).catch(() => undefined);
  });
  await custom.createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: NS, plural: PLURAL,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'VonnegutChain', metadata: { name: NAME }, spec: { chains: 2, replicas: 3, storage: { size: '1Gi' } } },
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: VonnegutChain | undefined;
  for (;;) {
    last = (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name: NAME })) as VonnegutChain;
    if (last.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
    if (Date.now() > deadline) return t.fail(`not Ready after ${READY_TIMEOUT_MS} ms: ${JSON.stringify(last.status)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  t.is(last.status?.readyChains, '2/2');
  t.is(last.status?.observedGeneration, 1);

  const bootstrap = `${NAME}-0-0.${NAME}-0.${NS}.svc.cluster.local:9092`;
  const messages = ['one', 'two', 'three'];
  await kubectl(['run', 'kcat-produce', '-n', NS, '--rm', '-i', '--restart=Never', `--image=${KCAT_IMAGE}`, '--',
    '-b', bootstrap, '-t', 'e2e-topic', '-P', '-X', 'acks=all'], `${messages.join('\n')}\n`);
  const out = await kubectl(['run', 'kcat-consume', '-n', NS, '--rm', '-i', '--restart=Never', `--image=${KCAT_IMAGE}`, '--',
    '-b', bootstrap, '-t', 'e2e-topic', '-C', '-o', 'beginning', '-c', String(messages.length), '-e']);
  t.deepEqual(out.split('\n').filter((l) => messages.includes(l)), messages);
});
