// Regenerates crds/vonnegutchains.vonnegut.io.yaml and the chart's copy from the TypeScript schema.
// Run: npx tsx operator/src/crd/generate.ts   (add --check to fail instead of writing when stale)
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CRD_FILES, renderCrdYaml } from './crd.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Writes (or with check=true compares) every generated CRD file; returns the stale paths. */
export async function generateCrdFiles(check: boolean): Promise<string[]> {
  const text = renderCrdYaml();
  const stale: string[] = [];
  for (const rel of CRD_FILES) {
    const path = resolve(root, rel);
    const current = await readFile(path, 'utf8').catch(() => '');
    if (current === text) continue;
    stale.push(rel);
    if (!check) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
  }
  return stale;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  const stale = await generateCrdFiles(check);
  for (const rel of stale) console.log(`${check ? 'stale' : 'wrote'} ${rel}`);
  if (check && stale.length > 0) process.exit(1);
}
