/**
 * ACL overhead benchmark: what the authorizer costs a produce-heavy node, against the same node without
 * an ACL file, same machine, same run.
 *
 *   npm run bench:acl -- [--mib 64] [--batch-kib 16] [--entries 1000] [--connections 2] [--inflight 8]
 *                        [--rounds 3] [--iterations 200000] [--json]
 *
 * Node side: `--mib` MiB of 1 KiB records in batches of about `--batch-kib` KiB, sent as Produce v3
 * (acks 1), one partition per request, to a node without `--acl-file` (baseline) and to one whose ACL
 * file holds `--entries` topic entries for other principals and, last, the one prefix allow that
 * User:ANONYMOUS needs. Small batches make requests many, so a per-request cost shows. Rounds alternate
 * the two nodes; medians reported, with server CPU ms per MiB (steadier than throughput on a shared
 * machine).
 *
 * In-process side: nanoseconds per `allows()` decision, against a baseline of a Map lookup of the topic
 * name (the least any per-topic check costs), for the file above (entries indexed by principal, so the
 * others are never read), for that file combined with the ACL admin APIs' (empty) set as a node holds
 * them (UnionAuthorizer: one decision from each), and for the worst case, `--entries` entries all naming
 * the asking principal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeProduceResponse, encodeProduceRequest } from '../node/src/protocol/apis/produce.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import { AclAuthorizer, UnionAuthorizer, type AclEntry } from '../node/src/security/acl.ts';
import { AclBindings } from '../node/src/security/acl-bindings.ts';
import { medianOf } from './lib/measure.ts';
import { startServer, stopServer, syncDisk, type BenchServer } from './lib/server.ts';
import { medianLoad, runLoad, type LoadResult } from './lib/wire-load.ts';

const MiB = 1024 * 1024;
const TOPIC = 'bench-acl';
const RECORD_BYTES = 1024;

const { values: args } = parseArgs({
  options: {
    mib: { type: 'string', default: '64' },
    'batch-kib': { type: 'string', default: '16' },
    entries: { type: 'string', default: '1000' },
    connections: { type: 'string', default: '2' },
    inflight: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    iterations: { type: 'string', default: '200000' },
    json: { type: 'boolean', default: false },
  },
});
const opts = {
  mib: Number(args.mib),
  batchKib: Number(args['batch-kib']),
  entries: Number(args.entries),
  connections: Number(args.connections),
  inflight: Number(args.inflight),
  rounds: Math.max(1, Number(args.rounds)),
  iterations: Number(args.iterations),
};

/** `n` entries for other principals and topics, then the allow User:ANONYMOUS needs. */
function aclEntries(n: number): AclEntry[] {
  const others = Array.from({ length: n }, (_, i): AclEntry => ({
    principal: `User:user-${i}`, resourceType: 'topic', resourceName: `team-${i}-`, patternType: 'prefixed', operations: ['read', 'write'], permission: 'allow',
  }));
  return [...others, { principal: 'User:ANONYMOUS', resourceType: 'topic', resourceName: 'bench-', patternType: 'prefixed', operations: ['all'], permission: 'allow' }];
}

/** Produce v3 request bodies, one batch each, encoded once and reused so the client spends its time on the socket. */
function produceBodies(): Buffer[] {
  const perBatch = Math.max(1, Math.floor((opts.batchKib * 1024) / RECORD_BYTES));
  return Array.from({ length: 8 }, (_, k) => {
    const records = encodeRecordBatch({ records: Array.from({ length: perBatch }, () => ({ value: Buffer.alloc(RECORD_BYTES, k) })) });
    const w = new Writer(records.length + 128);
    encodeProduceRequest(w, 3, { transactionalId: null, acks: 1, timeoutMs: 30_000, topics: [{ name: TOPIC, partitions: [{ index: 0, records }] }] });
    return w.toBuffer();
  });
}

async function produceRound(server: BenchServer, bodies: Buffer[], batchBytes: number, recordsPerBatch: number): Promise<LoadResult> {
  syncDisk();
  return runLoad({
    address: server.address,
    connections: opts.connections,
    inflight: opts.inflight,
    requests: Math.ceil((opts.mib * MiB) / batchBytes),
    serverPids: [server.child.pid],
    async issue(i, conn) {
      const r = decodeProduceResponse(await conn.sendEncodedBody(ApiKey.Produce, 3, bodies[i % bodies.length]!), 3);
      const code = r.topics[0]!.partitions[0]!.errorCode;
      if (code !== 0) throw new Error(`produce failed with error ${code}`);
      return { bytes: batchBytes, records: recordsPerBatch };
    },
  });
}

function nsPerCall(fn: (i: number) => boolean): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < opts.iterations; i++) if (fn(i)) sink++;
  const ns = Number(process.hrtime.bigint() - start) / opts.iterations;
  if (sink < 0) console.log(sink);
  return ns;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-bench-acl-'));
const aclFile = path.join(dir, 'acl.json');
const entries = aclEntries(opts.entries);
fs.writeFileSync(aclFile, JSON.stringify({ acls: entries }));

const bodies = produceBodies();
const recordsPerBatch = Math.max(1, Math.floor((opts.batchKib * 1024) / RECORD_BYTES));
const batchBytes = recordsPerBatch * RECORD_BYTES;
const open = await startServer(path.join(dir, 'open'));
const locked = await startServer(path.join(dir, 'locked'), undefined, { args: ['--acl-file', aclFile] });
const runs: { open: LoadResult[]; locked: LoadResult[] } = { open: [], locked: [] };
try {
  for (let r = 0; r < opts.rounds; r++) {
    runs.open.push(await produceRound(open, bodies, batchBytes, recordsPerBatch));
    runs.locked.push(await produceRound(locked, bodies, batchBytes, recordsPerBatch));
  }
} finally {
  await stopServer(open);
  await stopServer(locked);
  fs.rmSync(dir, { recursive: true, force: true });
}

const acl = new AclAuthorizer(entries);
// The worst case: every entry names the asking principal, so every decision reads them all.
const worst = new AclAuthorizer(entries.map((e) => ({ ...e, principal: 'User:ANONYMOUS' })));
// What a node with an ACL file decides with: the file's entries and the ACL admin APIs' set, read once.
const apiAcls = new AclBindings();
apiAcls.loaded = true;
const union = new UnionAuthorizer(() => acl, () => apiAcls.authorizer);
const names = ['bench-acl', 'bench-x', 'team-7-orders', 'nobody'];
const known = new Map(names.map((n) => [n, true]));
const decide: number[] = [];
const decideWorst: number[] = [];
const decideUnion: number[] = [];
const lookup: number[] = [];
for (let r = 0; r < opts.rounds; r++) {
  lookup.push(nsPerCall((i) => known.get(names[i & 3]!) === true));
  decide.push(nsPerCall((i) => acl.allows('User:ANONYMOUS', { operation: 'write', resourceType: 'topic', resourceName: names[i & 3]! })));
  decideUnion.push(nsPerCall((i) => union.allows('User:ANONYMOUS', { operation: 'write', resourceType: 'topic', resourceName: names[i & 3]! })));
  decideWorst.push(nsPerCall((i) => worst.allows('User:ANONYMOUS', { operation: 'write', resourceType: 'topic', resourceName: names[i & 3]! })));
}

const o = medianLoad(runs.open);
const l = medianLoad(runs.locked);
const result = {
  options: opts,
  produce: {
    withoutAcls: { mibPerSec: o.mibPerSec, requestsPerSec: o.requests / o.seconds, serverCpuMsPerMiB: o.cpuMsPerMiB.server, p99Ms: o.latencyMs.p99 },
    withAcls: { mibPerSec: l.mibPerSec, requestsPerSec: l.requests / l.seconds, serverCpuMsPerMiB: l.cpuMsPerMiB.server, p99Ms: l.latencyMs.p99 },
    throughputRatio: l.mibPerSec / o.mibPerSec,
    serverCpuRatio: l.cpuMsPerMiB.server / o.cpuMsPerMiB.server,
  },
  decision: {
    nsPerMapLookup: medianOf(lookup),
    nsPerAllows: medianOf(decide),
    ratio: medianOf(decide) / medianOf(lookup),
    nsPerAllowsFileAndApiAcls: medianOf(decideUnion),
    unionRatio: medianOf(decideUnion) / medianOf(lookup),
    nsPerAllowsAllEntriesOnePrincipal: medianOf(decideWorst),
    worstRatio: medianOf(decideWorst) / medianOf(lookup),
  },
};
if (args.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const p = result.produce;
  console.log(`produce, ${opts.batchKib} KiB batches, ${opts.mib} MiB x ${opts.rounds} rounds, ACL file of ${entries.length} entries`);
  console.log(`  without ACLs  ${p.withoutAcls.mibPerSec.toFixed(1)} MiB/s  ${p.withoutAcls.requestsPerSec.toFixed(0)} req/s  server ${p.withoutAcls.serverCpuMsPerMiB.toFixed(1)} CPU ms/MiB  p99 ${p.withoutAcls.p99Ms.toFixed(1)} ms`);
  console.log(`  with ACLs     ${p.withAcls.mibPerSec.toFixed(1)} MiB/s  ${p.withAcls.requestsPerSec.toFixed(0)} req/s  server ${p.withAcls.serverCpuMsPerMiB.toFixed(1)} CPU ms/MiB  p99 ${p.withAcls.p99Ms.toFixed(1)} ms`);
  console.log(`  ratio (with/without): throughput ${p.throughputRatio.toFixed(3)}, server CPU per MiB ${p.serverCpuRatio.toFixed(3)}`);
  const d = result.decision;
  console.log(`one decision: a Map lookup (baseline) ${d.nsPerMapLookup.toFixed(1)} ns`);
  console.log(`  ${entries.length} entries, 1 for the asking principal  ${d.nsPerAllows.toFixed(0)} ns (x${d.ratio.toFixed(1)})`);
  console.log(`  the same, with the ACL APIs' set (a node's UnionAuthorizer) ${d.nsPerAllowsFileAndApiAcls.toFixed(0)} ns (x${d.unionRatio.toFixed(1)})`);
  console.log(`  ${entries.length} entries, all for the asking principal ${d.nsPerAllowsAllEntriesOnePrincipal.toFixed(0)} ns (x${d.worstRatio.toFixed(0)})`);
}
