/**
 * Disk faults with real file systems: a small tmpfs as the data dir fills up under produce, and a
 * read-only mount as the data dir. Needs root (mount); outside CI a machine that cannot mount skips
 * these tests with the reason in the title, under CI=true it fails.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { NodeProcess } from './lib/node-process.ts';
import { fetchFrom, produceTo } from './lib/raw-kafka.ts';
import { run } from './lib/tools.ts';
import { batchProblem, batchSize } from '../node/src/protocol/record-batch.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { prng } from './lib/prng.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TMPFS_BYTES = 8 * 1024 * 1024;
const FILLER_BYTES = 2 * 1024 * 1024;

const mounts: string[] = [];
const nodes: NodeProcess[] = [];
const dirs: string[] = [];

function mountTmpfs(opts: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-disk-'));
  dirs.push(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', dir], { stdio: 'pipe' });
  mounts.push(dir);
  return dir;
}

/** Whether this process may mount a tmpfs (root, not in a locked-down container). */
function canMount(): string | null {
  try {
    const dir = mountTmpfs('size=64k');
    execFileSync('umount', [dir], { stdio: 'pipe' });
    mounts.splice(mounts.indexOf(dir), 1);
    return null;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0]!;
    if (process.env.CI === 'true') throw new Error(`disk tests need to mount a tmpfs under CI: ${why}`);
    return why;
  }
}

const mountProblem = canMount();
const diskTest = mountProblem === null ? test.serial : test.skip;
const skipped = mountProblem === null ? '' : ` (skipped: cannot mount tmpfs: ${mountProblem})`;

test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy(true)));
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Walks a .log: every batch must be whole and pass its CRC, ending exactly at the end of the file. */
function checkLogFile(file: string): { batches: number; bytes: number; problem: string | null } {
  const buf = fs.readFileSync(file);
  let batches = 0;
  for (let pos = 0; pos < buf.length;) {
    if (buf.length - pos < 12) return { batches, bytes: buf.length, problem: `${buf.length - pos} stray bytes at ${pos}` };
    const problem = batchProblem(buf, pos);
    if (problem !== null) return { batches, bytes: buf.length, problem: `at byte ${pos}: ${problem}` };
    pos += batchSize(buf, pos);
    batches++;
  }
  return { batches, bytes: buf.length, problem: null };
}

diskTest(`a full disk fails produces with KAFKA_STORAGE_ERROR, leaves no torn batch, keeps acknowledged data and resumes when space returns${skipped}`, async (t) => {
  const mnt = mountTmpfs(`size=${TMPFS_BYTES}`);
  // Space we can give back later: the disk fills, then deleting this lets writes resume.
  const filler = path.join(mnt, 'filler');
  fs.writeFileSync(filler, Buffer.alloc(FILLER_BYTES, 1));
  const node = await new NodeProcess({ dataDir: path.join(mnt, 'data') }).start();
  nodes.push(node);

  const rand = prng(56);
  const value = (): string => Buffer.from(Array.from({ length: 3000 }, () => Math.floor(rand() * 256))).toString('base64');
  const acked: { baseOffset: number; values: string[] }[] = [];
  let failure: { errorCode: number; at: number } | null = null;
  // 8 MiB cannot hold 400 batches of 16 x 4 KiB: the loop ends with the disk full.
  for (let i = 0; i < 400 && failure === null; i++) {
    const values = Array.from({ length: 16 }, value);
    const res = await produceTo(node.address, 'fill', 0, values, -1, 10_000);
    if (res.errorCode === 0) acked.push({ baseOffset: Number(res.baseOffset), values });
    else failure = { errorCode: res.errorCode, at: i };
  }
  t.truthy(failure, 'the disk filled up');
  t.is(failure!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR.code, 'a full disk is KAFKA_STORAGE_ERROR (56)');
  t.true(acked.length > 10, `${acked.length} batches were acknowledged before the disk filled`);

  // Smaller batches may still fit in the last free bytes; big ones keep failing, the node stays up.
  for (let i = 0; i < 3; i++) {
    const again = await produceTo(node.address, 'fill', 0, Array.from({ length: 16 }, value), -1, 10_000);
    t.is(again.errorCode, ErrorCode.KAFKA_STORAGE_ERROR.code, 'still full');
  }
  const logFile = path.join(mnt, 'data', 'fill-0', '00000000000000000000.log');
  const whileFull = checkLogFile(logFile);
  t.is(whileFull.problem, null, 'no partial batch stays in the .log');
  t.is(whileFull.batches, acked.length, 'the .log holds exactly the acknowledged batches');

  const readBack = async (): Promise<string[]> => {
    const values: string[] = [];
    for (let offset = 0; ;) {
      const got = await fetchFrom(node.address, 'fill', 0, offset, 1024 * 1024);
      t.is(got.errorCode, 0);
      if (got.decoded.length === 0) return values;
      values.push(...got.decoded.map((r) => r.value!.toString()));
      offset = Number(got.decoded[got.decoded.length - 1]!.offset) + 1;
    }
  };
  const expected = acked.flatMap((b) => b.values);
  t.deepEqual(await readBack(), expected, 'acknowledged records are intact while the disk is full');
  t.deepEqual(acked.map((b) => b.baseOffset), acked.map((_, i) => i * 16), 'offsets are contiguous');

  fs.rmSync(filler);
  const resumed = Array.from({ length: 16 }, value);
  const res = await produceTo(node.address, 'fill', 0, resumed, -1, 10_000);
  t.is(res.errorCode, 0, 'writes resume once space returns');
  t.is(Number(res.baseOffset), acked.length * 16, 'the failed writes consumed no offsets');
  t.deepEqual(await readBack(), [...expected, ...resumed]);

  // And it all survives a crash: recovery finds nothing to cut.
  await node.kill('SIGKILL');
  await node.start();
  t.deepEqual(await readBack(), [...expected, ...resumed], 'after kill -9 and restart');
  t.is(checkLogFile(logFile).problem, null);
});

diskTest(`a read-only data dir makes the node refuse to start with a message naming the dir${skipped}`, async (t) => {
  const mnt = mountTmpfs('size=1m');
  const dataDir = path.join(mnt, 'data');
  fs.mkdirSync(dataDir);
  execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
  // chmod would not stop root: the mount itself is read-only.
  t.throws(() => fs.writeFileSync(path.join(dataDir, 'x'), 'x'), { code: 'EROFS' });
  const r = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'node/src/main.ts'), 'serve', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', '0', '--admin-port', '0'], { timeoutMs: 30_000 });
  t.not(r.code, 0, 'exit code is non-zero');
  t.not(r.code, null, 'the node exited by itself rather than being killed at the timeout');
  const out = r.stderr + r.stdout.toString();
  t.true(out.includes(dataDir), `the message names the data dir: ${out.slice(-600)}`);
  t.regex(out, /not writable|read-only|EROFS/i);
});
