import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogManager } from '../../src/storage/log-manager.ts';
import { DataDirError, LOCK_FILE } from '../../src/storage/data-dir.ts';
import { tempDir } from './helpers.ts';

test('a data dir opens once at a time: a second open fails at once, another path to it too; close frees it', async (t) => {
  const root = tempDir(t);
  const dataDir = path.join(root, 'data');
  const first = await LogManager.open({ dataDir });
  t.is(fs.readFileSync(path.join(dataDir, LOCK_FILE), 'utf8').trim(), String(process.pid));
  const err = await t.throwsAsync(LogManager.open({ dataDir }), { instanceOf: DataDirError });
  t.regex(err!.message, new RegExp(`data directory ${dataDir} is in use by this process \\(pid ${process.pid}\\)`));
  fs.symlinkSync(dataDir, path.join(root, 'alias'));
  await t.throwsAsync(LogManager.open({ dataDir: path.join(root, 'alias') }), { instanceOf: DataDirError });
  first.close();
  const again = await LogManager.open({ dataDir: path.join(root, 'alias') });
  again.close();
});

test('a new data dir, and parents, are made; a file in the way is refused by name', async (t) => {
  const root = tempDir(t);
  const logs = await LogManager.open({ dataDir: path.join(root, 'a', 'b', 'c') });
  t.true(logs.openedClean, 'nothing to recover in a new dir');
  logs.close();
  fs.writeFileSync(path.join(root, 'f'), '');
  const err = await t.throwsAsync(LogManager.open({ dataDir: path.join(root, 'f', 'data') }), { instanceOf: DataDirError });
  t.is(err!.message, `data directory ${path.join(root, 'f', 'data')} is unusable: ${path.join(root, 'f')} is not a directory`);
});
