/**
 * The layout rules the code keeps (issue 17's checks), over the real source tree:
 *   - node/src and operator/src never import from e2e/, bench/ or scripts/ (the product does not ship
 *     its test harness; entry points that compose node, operator and bench live in cli/);
 *   - no import cycles among the modules of node/src, operator/src and cli/ (type-only imports count
 *     too: a cycle of types still ties the modules together);
 *   - no TypeScript file in the repository is over 500 lines.
 * A small import-graph walk rather than madge: it needs nothing installed and reads every form the code
 * uses (`import … from`, `export … from`, `import type`, dynamic `import('…')`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PRODUCT = ['node/src', 'operator/src'];
const HARNESS = ['e2e', 'bench', 'scripts'];
const MAX_LINES = 500;
const SKIP_DIRS = new Set(['node_modules', 'dist', '.git']);

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return out;
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    if (SKIP_DIRS.has(e.name)) continue;
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

// Module specifiers in static imports/exports (`from '…'`, side-effect `import '…'`) and dynamic import('…').
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
// `new URL('…', import.meta.url)` loads a module by path too (cli/vonnegut.ts runs bench/cli.ts that way).
const URL_SPECIFIER = /new URL\(\s*['"](\.[^'"]+\.ts)['"]\s*,\s*import\.meta\.url\s*\)/g;

/** Repository-relative paths of the local modules `file` imports. */
function localImports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const out: string[] = [];
  for (const re of [SPECIFIER, URL_SPECIFIER]) {
    for (const m of text.matchAll(re)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) out.push(path.normalize(path.join(path.dirname(file), spec)));
    }
  }
  return out;
}

test('node/src and operator/src never import from e2e/, bench/ or scripts/', (t) => {
  const bad: string[] = [];
  for (const file of PRODUCT.flatMap(tsFiles)) {
    for (const target of localImports(file)) {
      if (HARNESS.some((h) => target === h || target.startsWith(`${h}/`))) bad.push(`${file} -> ${target}`);
    }
  }
  t.deepEqual(bad, []);
});

test('the walk sees imports of every form (so the other checks can fail)', (t) => {
  const imports = localImports('node/src/server/api-table.ts');
  t.true(imports.includes('node/src/server/router.ts'), 'import type { … } from');
  t.true(imports.includes('node/src/protocol/api-keys.ts'), 'import { … } from');
});

/** Every cycle's members (strongly connected components of more than one module, or a self-import). */
function cycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative so deep import chains cannot overflow the stack.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const edges = graph.get(top.node) ?? [];
      if (top.i < edges.length) {
        const to = edges[top.i++]!;
        if (!graph.has(to)) continue;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, i: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(top.node)!));
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== top.node);
        if (component.length > 1 || edges.includes(top.node)) found.push(component.sort());
      }
    }
  }
  return found;
}

test('no import cycles in node/src, operator/src and cli/', (t) => {
  const graph = new Map<string, string[]>();
  for (const file of [...PRODUCT, 'cli'].flatMap(tsFiles)) graph.set(file, localImports(file));
  t.true(graph.size > 100, `the walk found ${graph.size} modules`);
  t.deepEqual(cycles(graph), []);
  // The detector itself finds a cycle when there is one.
  t.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]])), [['a', 'b', 'c']]);
});

test(`no TypeScript file is over ${MAX_LINES} lines`, (t) => {
  const files = ['node', 'operator', 'cli', ...HARNESS].flatMap(tsFiles);
  t.true(files.length > 200, `the walk found ${files.length} files`);
  const long = files
    .map((f) => ({ f, lines: fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ f, lines }) => `${f}: ${lines} lines`);
  t.deepEqual(long, []);
});
