// `npm start` (README's first command) serves, and stops when that npm process gets SIGTERM: the node
// must not outlive it and keep its port (as it did when the script ran the tsx CLI, which forks).
import test from 'ava';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnUntil } from './lib/spawn-line.ts';
import { waitFor } from '../operator/test/helpers/wait.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const refused = (host: string, port: number): Promise<boolean> => new Promise((resolve) => {
  const s = net.connect(port, host);
  s.once('connect', () => { s.destroy(); resolve(false); });
  s.once('error', () => resolve(true));
});

test('npm start serves, and SIGTERM to npm stops the node and frees its port', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-npm-start-'));
  const npm = await spawnUntil('npm', ['start', '--', '--port', '0', '--admin-port', '-1', '--data-dir', dataDir], /vonnegut listening on (\S+):(\d+)/, { cwd: ROOT });
  t.teardown(() => npm.stop(1000));
  const [, host, port] = npm.match;
  t.false(await refused(host!, Number(port)), 'the node listens');
  const exited = new Promise((resolve) => npm.child.once('exit', resolve));
  npm.child.kill('SIGTERM');
  await exited;
  await waitFor('port freed after npm exited', () => refused(host!, Number(port)), 30_000, 50);
  t.pass();
});
