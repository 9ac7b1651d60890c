// The product does not ship its test harness: nothing under node/src or operator/src imports from e2e/
// or bench/ (cli/vonnegut.ts loads the benches as a peer), and node/src does not import the operator.
import test from 'ava';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SPECIFIER = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;

function* sources(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith('.ts')) yield p;
  }
}

/** `file: specifier` for every relative import of a file under `from` that lands under one of `banned`. */
function offending(from: string, banned: string[]): string[] {
  const out: string[] = [];
  for (const file of sources(path.join(ROOT, from))) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const spec = m[1]!;
      if (!spec.startsWith('.')) continue;
      const target = path.relative(ROOT, path.resolve(path.dirname(file), spec));
      if (banned.some((b) => target === b || target.startsWith(`${b}/`))) out.push(`${path.relative(ROOT, file)}: ${spec}`);
    }
  }
  return out;
}

test('node/src imports nothing from e2e/, bench/ or operator/', (t) => {
  t.deepEqual(offending('node/src', ['e2e', 'bench', 'operator']), []);
});

test('operator/src imports nothing from e2e/ or bench/', (t) => {
  t.deepEqual(offending('operator/src', ['e2e', 'bench']), []);
});

test('the check sees a bad import (it is not vacuous)', (t) => {
  t.true(offending('bench', ['e2e']).length > 0 || offending('e2e', ['node']).length > 0);
});
