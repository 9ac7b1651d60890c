/**
 * Chain members without --node-name find themselves in a real dnsmasq's SRV answer by address (the SRV
 * target resolved to their advertised host and port) and form a chain that commits; a node that is not
 * in the answer stays out of its own view, unready, and says once what discovery returned and the fix.
 */
import test from 'ava';
import { DnsServer } from './lib/dns.ts';
import { NodeProcess } from './lib/node-process.ts';
import { portFreeOn, type NodeStatus } from './lib/chain-cluster.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { requireTool, waitFor } from './lib/tools.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';

const SUBNET = 86;
const SRV = '_kafka._tcp.selfid.test';
const address = (i: number) => `127.0.${SUBNET}.${10 + i}`;
const hasDnsmasq = requireTool('dnsmasq');
const dns = new DnsServer();
const nodes: NodeProcess[] = [];
test.after.always(async () => {
  await Promise.all(nodes.map((n) => n.destroy()));
  await dns.destroy();
});

async function status(n: NodeProcess): Promise<NodeStatus> {
  return (await (await fetch(`http://127.0.0.1:${n.adminPort}/v1/status`)).json()) as NodeStatus;
}

(hasDnsmasq ? test : test.skip)(`members without --node-name take their SRV names by address and commit; an unlisted node stays unready and says why${hasDnsmasq ? '' : ' (skipped: no dnsmasq)'}`, async (t) => {
  const port = await portFreeOn([0, 1, 2, 3].map(address));
  await dns.setSrv(SRV, [0, 1, 2].map((i) => ({ target: `selfid-${i}.selfid.test`, address: address(i), port })));
  const args = ['--discovery', `srv:${SRV}`, '--dns-server', dns.address, '--replicas', '3', '--discovery-refresh-ms', '300'];
  for (let i = 0; i < 4; i++) nodes.push(new NodeProcess({ host: address(i), port, adminPort: 0, args }));
  await Promise.all(nodes.map((n) => n.start(90_000)));
  const [head, , tail, stray] = nodes as [NodeProcess, NodeProcess, NodeProcess, NodeProcess];

  await waitFor('the chain writable at selfid-0', async () => ((await status(head)).writable ? true : undefined), 60_000);
  t.deepEqual((await status(head)).members, ['selfid-0', 'selfid-1', 'selfid-2']);
  t.is((await status(tail)).role, 'tail');
  const wire = await KafkaWire.connect(head.address);
  t.teardown(() => wire.close());
  const res = await wire.produce('selfid', 0, encodeRecordBatch({ records: [{ value: 'committed' }] }), -1);
  t.is(res.errorCode, ErrorCode.NONE.code);
  t.notRegex(head.stderr + tail.stderr, /refused|not a chain member/);

  const strayStatus = await status(stray);
  t.is(strayStatus.role, 'outside');
  t.deepEqual(strayStatus.members, ['selfid-0', 'selfid-1', 'selfid-2'], 'it never puts itself into its view');
  const ready = await fetch(`http://127.0.0.1:${stray.adminPort}/readyz`);
  t.is(ready.status, 503);
  const body = (await ready.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
  t.false(body.checks.inDiscovery!.ok);
  t.regex(body.checks.inDiscovery!.detail!, new RegExp(`advertised ${address(3)}:${port}\\) is not in srv:${SRV}, which returned selfid-0=${address(0)}:${port}, selfid-1=.*--node-name`));
  // Three discovery refreshes later (each one resets the answer's age), still exactly one line.
  let lastAge = Infinity;
  let refreshes = 0;
  await waitFor('three discovery refreshes on the stray node', async () => {
    const r = (await (await fetch(`http://127.0.0.1:${stray.adminPort}/readyz`)).json()) as typeof body;
    const age = Number(/age (\d+) ms/.exec(r.checks.discoveryFresh?.detail ?? '')?.[1] ?? Infinity);
    if (age < lastAge && lastAge !== Infinity) refreshes++;
    lastAge = age;
    return refreshes >= 3 ? true : undefined;
  }, 60_000, 50);
  t.is(stray.stderr.split('\n').filter((l) => l.includes('not a chain member')).length, 1, stray.stderr.slice(-2000));
});
