/**
 * The README's "Try it" section, run as written: its ```sh and ```ts blocks are read from README.md (never
 * copied here), top to bottom, twice in a row, in a fresh directory that looks like a clone after `npm ci`
 * (every top-level entry of this checkout linked, except data directories). The only substitution is the
 * network: each run gets a network namespace of its own (`unshare -n`, loopback up), so the README's fixed
 * ports (9092, 9644) and addresses (127.0.0.11-13) cannot meet other tests or a developer's node; and
 * VONNEGUT_WAIT_SECONDS=600 lets `status --wait` outwait a loaded machine.
 *
 * Shell blocks run with `bash -e -o pipefail`: any failing line fails the test. The ```ts blocks run with
 * a node started by the README's own first command (`npm start`), as a reader would have it running.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTool, run } from './lib/tools.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECTION = '## Try it';

/** The fenced blocks of one `## ` section of a markdown text, in order. */
function sectionBlocks(markdown: string, heading: string): { lang: string; code: string }[] {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}" section`);
  const rest = markdown.slice(start + heading.length + 2);
  const next = rest.search(/^## /m);
  const section = next < 0 ? rest : rest.slice(0, next);
  return [...section.matchAll(/^```(\w+)[^\n]*\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

/** A fresh directory that looks like a clone of this checkout after `npm ci`: links to its entries, no data. */
function freshClone(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-readme-'));
  for (const entry of fs.readdirSync(ROOT)) {
    if (entry === '.git' || /data/.test(entry)) continue;
    fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
  }
  return dir;
}

const tools = ['kcat', 'curl', 'unshare', 'ip'].filter((tool) => !requireTool(tool));

(tools.length === 0 ? test : test.skip)(`the README's "Try it" blocks run as written, twice, in a fresh clone${tools.length ? ` (skipped: no ${tools.join(', ')})` : ''}`, async (t) => {
  t.timeout(2_700_000);
  const blocks = sectionBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), SECTION);
  t.deepEqual(blocks.map((b) => b.lang), ['sh', 'sh', 'ts', 'ts'], 'the section holds the blocks this test knows how to run');
  const dir = freshClone();
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The one setting changed: `status --wait` may wait longer than its default on a loaded test machine.
  const steps: string[] = ['set -e', 'ip link set lo up', 'export VONNEGUT_WAIT_SECONDS=600'];
  blocks.forEach((b, i) => {
    const file = `readme-block-${i}.${b.lang}`;
    fs.writeFileSync(path.join(dir, file), b.code);
    if (b.lang === 'sh') {
      steps.push(`echo "== ${file}" >&2`, `bash -e -o pipefail ${file}`);
    } else {
      steps.push(`echo "== ${file} (node from npm start running)" >&2`,
        'npm start > readme-server.log 2>&1 & server=$!',
        './bin/vonnegut.js status --wait > /dev/null',
        `node --import tsx ${file}`,
        'kill $server && wait $server');
    }
  });
  fs.writeFileSync(path.join(dir, 'readme-run.sh'), steps.join('\n') + '\n');

  for (const round of [1, 2]) {
    const r = await run('unshare', ['-n', 'bash', '-c', `cd ${dir} && bash readme-run.sh`], { timeoutMs: 1_200_000 });
    const out = r.stdout.toString();
    const logs = () => ['readme-server.log', 'chain-data-n0.log'].map((f) => { try { return `${f}:\n${fs.readFileSync(path.join(dir, f), 'utf8').slice(-3000)}`; } catch { return ''; } }).join('\n');
    t.is(r.code, 0, `round ${round}:\n${r.stderr.slice(-4000)}\n${out.slice(-2000)}\n${logs()}`);
    // What each block shows when it worked: the records read back, metrics, a committed chain, the offsets.
    const values = (n: number, ...v: string[]) => Array.from({ length: n }, () => v.map((x) => `'${x}'`).join(', ')).join(', ');
    t.regex(out, new RegExp(`^${'1\\n2\\n3\\n4\\n5\\n'.repeat(round)}`, 'm'), 'kcat read back every record produced so far');
    t.regex(out, new RegExp(`orders\\s+0\\s+0\\s+${1000 * round}\\s+${1000 * round}\\s+0`), 'the tail holds every acknowledged record, committed');
    const first = 2 * (round - 1);
    t.true(out.includes(`[ ${first}, ${first + 1} ] ${2 * round} [ ${values(round, 'a', 'b')} ]`), 'the embedded log wrote two more records');
    t.true(out.includes(`\n[ ${values(round, 'a', 'b')} ]\n`), 'the native client read back every record it produced');
  }
});
