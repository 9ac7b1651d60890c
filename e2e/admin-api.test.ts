/** The node's local admin API, as the sidecar uses it: settings without a restart, drain, status. */
import test from 'ava';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { produceTo } from './lib/raw-kafka.ts';
import { waitFor } from './lib/tools.ts';
import type { NodeStatus } from '../operator/src/sidecar/node-admin-api.ts';

let node: NodeProcess;
test.before(async () => {
  node = await startNodeProcess({ args: ['--segment-bytes', '1048576'] });
});
test.after.always(async () => {
  await node?.destroy();
});

const admin = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${node.adminPort}${path}`, init);

test.serial('PUT /v1/config changes segment size and retention without a restart; bad settings get 400', async (t) => {
  t.is((await produceTo(node.address, 'cfg', 0, ['x'.repeat(3000)])).errorCode, 0);
  const put = (body: unknown) => admin('/v1/config', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.is((await put({ segmentBytes: 'big' })).status, 400);
  t.is((await put({ flushEverything: true })).status, 400);
  t.is((await put({ segmentBytes: 4096, logLevel: 'debug' })).status, 204);
  // With 4 KiB segments, three more 3 KB batches roll new segments.
  for (let i = 0; i < 3; i++) t.is((await produceTo(node.address, 'cfg', 0, ['y'.repeat(3000)])).errorCode, 0);
  const fs = await import('node:fs');
  const segments = fs.readdirSync(`${node.dataDir}/cfg-0`).filter((f) => f.endsWith('.log'));
  t.true(segments.length >= 3, `segments rolled at the new size: ${segments.join(', ')}`);
});

test.serial('POST /v1/drain makes the node unready and says so in /v1/status', async (t) => {
  t.is((await admin('/readyz')).status, 200);
  t.is((await admin('/v1/drain', { method: 'POST' })).status, 202);
  await waitFor('unready', async () => ((await admin('/readyz')).status === 503 ? true : undefined));
  const status = (await (await admin("/v1/status")).json()) as NodeStatus;
  t.true(status.draining);
  t.is(status.role, 'solo');
  t.true(status.partitions.some((p) => p.topic === 'cfg' && p.highWatermark === 4));
});
