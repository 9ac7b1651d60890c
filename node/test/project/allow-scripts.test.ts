/**
 * npm 11 warns on every `npm ci` about dependencies whose install scripts package.json's allowScripts does
 * not cover (npm 12 will block them). Every installed package with an install script must be decided.
 */
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** Every package directory under node_modules, nested ones and scopes included. */
function packages(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.startsWith('.')) continue;
    const full = path.join(dir, e);
    if (e.startsWith('@')) out.push(...packages(full));
    else if (fs.existsSync(path.join(full, 'package.json'))) out.push(full, ...packages(path.join(full, 'node_modules')));
  }
  return out;
}

test('every installed package with an install script is approved or denied in allowScripts', (t) => {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  const decided = new Set(Object.keys(manifest.allowScripts ?? {}).map((k) => k.replace(/(.)@.*$/, '$1')));
  const withScripts = new Set<string>();
  for (const dir of packages(path.join(ROOT, 'node_modules'))) {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; scripts?: Record<string, string> };
    if (pkg.name && INSTALL_SCRIPTS.some((s) => pkg.scripts?.[s])) withScripts.add(pkg.name);
  }
  t.true(withScripts.size > 0, 'the walk found the packages that have install scripts');
  t.deepEqual([...withScripts].filter((n) => !decided.has(n)).sort(), []);
});
