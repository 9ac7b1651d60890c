// The admin API is safe by default: reads stay open, changes need the node's admin token (or, without
// one, a loopback peer). A real node process; requests without the credential change nothing.
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Request, Response } from 'express';
import { startNodeProcess } from './lib/node-process.ts';
import { changeGuard } from '../node/src/metrics/admin-server.ts';

const json = async (url: string): Promise<{ status: number; body: unknown }> => {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
};

test('with an admin token: changes without it (or with a wrong one) get 401, and config and readiness read back unchanged', async (t) => {
  const tokenFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vg-admin-token-')), 'admin-token');
  const node = await startNodeProcess({ args: ['--admin-token-file', tokenFile, '--log-level', 'info', '--retention-ms', '3600000'] });
  t.teardown(() => node.destroy());
  const base = `http://127.0.0.1:${node.adminPort}`;
  const token = fs.readFileSync(tokenFile, 'utf8');
  t.is(fs.statSync(tokenFile).mode & 0o777, 0o600, 'owner-only');
  t.true(token.length >= 40);

  const config0 = await json(`${base}/v1/config`);
  const ready0 = await json(`${base}/readyz`);
  t.is(config0.status, 200);
  t.like(config0.body, { logLevel: 'info', retentionMs: 3600000 });
  const attempts: [string, string, Record<string, string>][] = [
    ['PUT', '/v1/config', {}],
    ['PUT', '/v1/config', { authorization: `Bearer ${token.slice(0, -1)}x` }],
    ['PUT', '/v1/config', { authorization: token }],
    ['POST', '/v1/drain', {}],
    ['POST', '/v1/drain', { authorization: 'Bearer ' }],
  ];
  for (const [method, p, headers] of attempts) {
    const res = await fetch(`${base}${p}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ logLevel: 'debug', retentionMs: 1 }) });
    t.is(res.status, 401, `${method} ${p} ${JSON.stringify(headers)}`);
  }
  t.deepEqual(await json(`${base}/v1/config`), config0, 'settings unchanged');
  t.deepEqual(await json(`${base}/readyz`), ready0, 'readiness unchanged (no drain)');
  t.false(((await json(`${base}/v1/status`)).body as { draining: boolean }).draining);
  // Reads stay open for probes and Prometheus.
  t.is((await fetch(`${base}/metrics`)).status, 200);
  t.is((await fetch(`${base}/healthz`)).status, 200);

  // With the token, the same requests work.
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  t.is((await fetch(`${base}/v1/config`, { method: 'PUT', headers: auth, body: JSON.stringify({ logLevel: 'debug' }) })).status, 204);
  t.like((await json(`${base}/v1/config`)).body, { logLevel: 'debug', retentionMs: 3600000 });
  t.is((await fetch(`${base}/v1/drain`, { method: 'POST', headers: auth })).status, 202);
  t.is((await fetch(`${base}/readyz`)).status, 503, 'draining: not ready');
});

test('without a token, changes are accepted from loopback peers only (403 otherwise)', (t) => {
  const guard = changeGuard(undefined);
  const run = (remoteAddress: string): { status?: number; passed: boolean } => {
    const out: { status?: number; passed: boolean } = { passed: false };
    const res = { status(code: number) { out.status = code; return this; }, set() { return this; }, json() { return this; } };
    guard({ socket: { remoteAddress }, get: () => undefined } as unknown as Request, res as unknown as Response, () => { out.passed = true; });
    return out;
  };
  for (const a of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) t.deepEqual(run(a), { passed: true }, a);
  for (const a of ['10.0.0.7', '::ffff:10.0.0.7', 'fd00::1', '128.0.0.1']) t.deepEqual(run(a), { passed: false, status: 403 }, a);
});
