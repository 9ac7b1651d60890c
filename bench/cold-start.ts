/**
 * Cold start to listening: how long `vonnegut serve` takes from spawn to its "vonnegut listening" line,
 * run from the build (`node dist/node/src/main.js`, what the image runs) and through tsx (`node --import
 * tsx node/src/main.ts`, what `npm start` and the image before the build step ran), in one run with
 * the rounds alternating so both see the same machine load. Each start gets a fresh data directory.
 *
 *   npm run bench:cold-start -- [--rounds 7] [--no-build]
 *
 * tsx keeps compiled files in an on-disk cache, so only its first round compiles everything; the
 * table shows that first round apart from the median. On a shared, loaded machine wall time mostly
 * measures waiting for a core, so the table also gives the CPU time (user + system, from
 * /proc/<pid>/stat) each process had used when it printed the line: what a quiet machine's wall time
 * approaches.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianOf } from './lib/measure.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LISTEN_LINE = /vonnegut listening on /;
const START_DEADLINE_MS = 180_000;

interface Variant { name: string; args: string[] }

const VARIANTS: Variant[] = [
  { name: 'node dist/node/src/main.js', args: [path.join(ROOT, 'dist/node/src/main.js')] },
  { name: 'node --import tsx node/src/main.ts', args: ['--import', 'tsx', path.join(ROOT, 'node/src/main.ts')] },
];

/** CPU milliseconds (user + system) a live process has used so far (Linux /proc, 100 ticks/s). */
function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // After "pid (comm) ", utime and stime are fields 12 and 13 (0-based) of the rest.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Start { wallMs: number; cpuMs: number }

/** Wall and CPU milliseconds from spawn to the listening line; the process is killed afterwards. */
async function startToListening(v: Variant): Promise<Start> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-cold-'));
  const started = performance.now();
  const child = spawn(process.execPath, [...v.args, 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--admin-port', '-1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  try {
    return await new Promise<Start>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${v.name}: no listening line in ${START_DEADLINE_MS} ms\n${stderr.slice(-2000)}`)), START_DEADLINE_MS);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (LISTEN_LINE.test(out)) {
          clearTimeout(timer);
          resolve({ wallMs: performance.now() - started, cpuMs: cpuMsOf(child.pid!) });
        }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${v.name} exited (${code}) before listening\n${stderr.slice(-2000)}`)); });
    });
  } finally {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const rounds = Number(arg('--rounds') ?? 7);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError('--rounds must be a positive integer');
  if (!process.argv.includes('--no-build')) {
    console.error('npm run build ...');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const times = new Map<string, Start[]>(VARIANTS.map((v) => [v.name, []]));
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always follows the other's page-cache warm-up.
    for (const v of r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) {
      const run = await startToListening(v);
      times.get(v.name)!.push(run);
      console.error(`round ${r + 1}/${rounds} ${v.name}: ${run.wallMs.toFixed(0)} ms wall, ${run.cpuMs} ms CPU`);
    }
  }
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(`cold start to listening (${rounds} rounds, ${os.cpus().length} cores, load average ${load})`);
  console.log(`${'command'.padEnd(40)} ${'first'.padStart(8)} ${'median'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'CPU med'.padStart(8)}`);
  for (const [name, runs] of times) {
    const xs = runs.map((r) => r.wallMs);
    const f = (x: number): string => `${x.toFixed(0)} ms`.padStart(8);
    console.log(`${name.padEnd(40)} ${f(xs[0]!)} ${f(medianOf(xs))} ${f(Math.min(...xs))} ${f(Math.max(...xs))} ${f(medianOf(runs.map((r) => r.cpuMs)))}`);
  }
  const [built, tsx] = [...times.values()].map((runs) => medianOf(runs.map((r) => r.wallMs)));
  console.log(`built / tsx (median wall): ${(built! / tsx!).toFixed(2)}`);
}

await main();
