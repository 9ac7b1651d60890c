/**
 * Crash campaign: an idempotent producer writes with acks=-1 while a node is killed with SIGKILL at
 * seeded random moments, restarted on the same data dir and port, and the invariants are checked after
 * every round:
 *
 *   - no acknowledged record is lost and none is stored twice; each acknowledged batch sits at the
 *     offsets its acknowledgement named;
 *   - offsets are contiguous from 0;
 *   - the high-water mark of every member never goes backwards (polled through /v1/status while the
 *     load runs, across restarts too: it is durable);
 *   - in a chain, the committed prefix is byte-identical on every member.
 *
 * Targets: a single node, and the head, middle and tail of a 3-node chain (needs dnsmasq: SRV discovery).
 * Recovery time is kill -> first acknowledgement of a batch sent after the kill.
 *
 * Coordinator mode (`--coordinator etcd`, chain targets only): the chain runs with a real 3-member etcd
 * cluster. The member in the target role *now* is killed and left down until the first write sent after
 * the kill is acknowledged (the writer follows Metadata to the new head): that interval is the failover
 * time. Then it is restarted, and the round waits until it has rejoined (the head's configuration names
 * all three members again) before checking the invariants.
 *
 *   npm run test:crash -- --runs 20 [--seed 7] [--targets single,head,middle,tail] [--records-per-round 300]
 *                         [--coordinator etcd]
 *
 * e2e/crash-campaign.test.ts runs a short form of the same campaign in CI.
 */
import { fileURLToPath } from 'node:url';
import { ChainCluster } from '../e2e/lib/chain-cluster.ts';
import { EtcdCluster } from '../e2e/lib/etcd-cluster.ts';
import { FailoverWriter, type AckedBatch } from '../e2e/lib/failover-writer.ts';
import { NodeProcess } from '../e2e/lib/node-process.ts';
import { fetchFrom } from '../e2e/lib/raw-kafka.ts';
import { waitFor } from '../e2e/lib/tools.ts';
import { prng } from '../e2e/lib/prng.ts'; // seeded, so a failing campaign replays with the same kill moments

export type Target = 'single' | 'head' | 'middle' | 'tail';
export const ALL_TARGETS: Target[] = ['single', 'head', 'middle', 'tail'];
export const CHAIN_TARGETS: Target[] = ['head', 'middle', 'tail'];

export interface CampaignOptions {
  /** Kill/restart rounds per target. */
  runs: number;
  seed: number;
  targets: Target[];
  /** Acknowledged records wanted between kills (the load runs on while the node is down and back). */
  recordsPerRound: number;
  /** Kill moments are drawn uniformly from [0, maxKillDelayMs) after the round's load starts. */
  maxKillDelayMs: number;
  /** Subnet 127.0.<n>.x for the chain (one per campaign, so tests running in parallel do not collide). */
  subnet: number;
  /** Run chains with a coordination store and measure failover instead of restart recovery. */
  coordinator?: 'etcd';
  log?: (line: string) => void;
}

export interface TargetResult {
  target: Target;
  runs: number;
  kills: number;
  acked: number;
  lost: number;
  duplicated: number;
  violations: string[];
  recoveryMs: number[];
  failedAttempts: number;
  /** High-water marks read by the watcher (so "never went backwards" is known to have been looked at). */
  hwmSamples: number;
}

export interface CampaignResult {
  targets: TargetResult[];
  runs: number;
  kills: number;
  acked: number;
  lost: number;
  violations: string[];
  hwmSamples: number;
  recoveryP50Ms: number;
  recoveryP99Ms: number;
  /** Coordinator mode: recovery is failover (the victim stays down until writes flow again). */
  coordinator?: 'etcd';
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

export const TOPIC = 'crash';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What one member of the system under test looks like to the campaign. */
export interface Member {
  node: NodeProcess;
  name: string;
}

/** Polls every member's high-water mark and records any step backwards. */
class HwmWatch {
  private readonly last = new Map<string, number>();
  readonly violations: string[] = [];
  samples = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly members: () => Member[]) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await Promise.all(this.members().map((m) => this.sample(m)));
      await sleep(50);
    }
  }

  async sample(m: Member): Promise<void> {
    if (!m.node.child || m.node.adminPort <= 0) return; // down: nothing to read
    try {
      const res = await fetch(`http://127.0.0.1:${m.node.adminPort}/v1/status`, { signal: AbortSignal.timeout(2000) });
      const s = (await res.json()) as { partitions?: { topic: string; partition: number; highWatermark: number }[] };
      const hwm = s.partitions?.find((p) => p.topic === TOPIC && p.partition === 0)?.highWatermark;
      if (hwm === undefined) return;
      this.samples++;
      const prev = this.last.get(m.name) ?? 0;
      if (hwm < prev) this.violations.push(`${m.name}: high-water mark went back from ${prev} to ${hwm}`);
      this.last.set(m.name, Math.max(prev, hwm));
    } catch {
      // A node being killed or still starting does not answer; the next poll tries again.
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** Every committed record of the partition on one node, with the raw batch bytes. */
async function readAll(address: string): Promise<{ offsets: number[]; values: string[]; raw: Buffer; hwm: number }> {
  const offsets: number[] = [];
  const values: string[] = [];
  const raws: Buffer[] = [];
  let hwm = 0;
  for (let offset = 0; ;) {
    const got = await fetchFrom(address, TOPIC, 0, offset, 4 * 1024 * 1024);
    if (got.errorCode !== 0) throw new Error(`fetch at ${offset} from ${address}: error ${got.errorCode}`);
    hwm = Number(got.highWatermark);
    if (got.decoded.length === 0) break;
    if (got.records) raws.push(got.records);
    for (const r of got.decoded) {
      offsets.push(Number(r.offset));
      values.push(r.value?.toString() ?? '');
    }
    offset = Number(got.decoded[got.decoded.length - 1]!.offset) + 1;
  }
  return { offsets, values, raw: Buffer.concat(raws), hwm };
}

/** Checks the invariants on every member; returns lost/duplicated counts and violations. */
export async function verify(members: Member[], acked: AckedBatch[]): Promise<{ lost: number; duplicated: number; violations: string[] }> {
  const violations: string[] = [];
  let lost = 0;
  let duplicated = 0;
  const views = await Promise.all(members.map((m) => readAll(m.node.address)));
  views.forEach((v, i) => {
    const who = members[i]!.name;
    const bad = v.offsets.findIndex((o, k) => o !== k);
    if (bad >= 0) violations.push(`${who}: offsets not contiguous at index ${bad} (offset ${v.offsets[bad]})`);
    const seen = new Map<string, number>();
    for (const val of v.values) seen.set(val, (seen.get(val) ?? 0) + 1);
    for (const b of acked) {
      for (const [j, id] of b.ids.entries()) {
        const count = seen.get(id) ?? 0;
        if (count === 0) lost++;
        if (count > 1) duplicated++;
        if (count === 0 || count > 1) continue;
        if (v.values[b.baseOffset + j] !== id) violations.push(`${who}: ${id} acknowledged at offset ${b.baseOffset + j} but stored elsewhere`);
      }
    }
  });
  // Committed prefixes byte-identical: every member serves the same bytes up to the smallest hwm
  // (the campaign lets them converge first, so this is normally everything).
  const first = views[0]!;
  for (let i = 1; i < views.length; i++) {
    const v = views[i]!;
    const n = Math.min(first.raw.length, v.raw.length);
    if (!first.raw.subarray(0, n).equals(v.raw.subarray(0, n))) violations.push(`${members[i]!.name}: committed bytes differ from ${members[0]!.name}'s`);
    if (first.hwm === v.hwm && first.raw.length !== v.raw.length) violations.push(`${members[i]!.name}: same hwm ${v.hwm} but ${v.raw.length} bytes vs ${first.raw.length}`);
  }
  return { lost, duplicated, violations };
}

/** Waits until every member reports the same high-water mark (the writer is paused). */
export async function converge(members: Member[], status: (i: number) => Promise<number>): Promise<void> {
  await waitFor('members converge on one high-water mark', async () => {
    const h = await Promise.all(members.map((_, i) => status(i)));
    return h.every((x) => x === h[0]) ? true : undefined;
  }, 60_000, 50);
}

export async function hwmOf(node: NodeProcess): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${node.adminPort}/v1/status`, { signal: AbortSignal.timeout(2000) });
  const s = (await res.json()) as { partitions?: { topic: string; partition: number; highWatermark: number }[] };
  return s.partitions?.find((p) => p.topic === TOPIC && p.partition === 0)?.highWatermark ?? 0;
}

/** The running member whose status reports `role` now (roles move in coordinator mode). */
async function memberInRole(c: ChainCluster, role: string): Promise<NodeProcess> {
  return waitFor(`a member in role ${role}`, async () => {
    for (let i = 0; i < c.nodes.length; i++) {
      if (c.nodes[i]!.child && (await c.status(i).catch(() => null))?.role === role) return c.nodes[i]!;
    }
    return undefined;
  }, 60_000, 50);
}

/** Waits until the head's configuration names every member again (a restarted member rejoined at the tail). */
async function rejoined(c: ChainCluster): Promise<void> {
  const head = await memberInRole(c, 'head');
  const i = c.nodes.indexOf(head);
  await waitFor('the restarted member to rejoin the chain', async () => ((await c.status(i)).members.length === c.nodes.length ? true : undefined), 90_000, 50);
}

async function runTarget(target: Target, opts: CampaignOptions, rand: () => number): Promise<TargetResult> {
  const log = opts.log ?? (() => {});
  const result: TargetResult = { target, runs: 0, kills: 0, acked: 0, lost: 0, duplicated: 0, violations: [], recoveryMs: [], failedAttempts: 0, hwmSamples: 0 };
  let cluster: ChainCluster | null = null;
  let single: NodeProcess | null = null;
  let etcd: EtcdCluster | null = null;
  let members: Member[];
  let pickVictim: () => Promise<NodeProcess>;
  let address: string;
  let waitWritable: () => Promise<void>;
  let bootstrap: (() => string[]) | undefined;
  if (target === 'single') {
    if (opts.coordinator) throw new Error('coordinator mode needs a chain target (head, middle, tail)');
    const node = await new NodeProcess({ adminPort: 0 }).start();
    single = node;
    members = [{ node, name: 'single' }];
    pickVictim = async () => node;
    address = node.address;
    waitWritable = async () => {};
  } else {
    if (opts.coordinator) etcd = await EtcdCluster.start();
    const extra = etcd ? ['--coordinator', `etcd:${etcd.endpoints}`] : [];
    cluster = new ChainCluster(`crash${target}`, 3, opts.subnet + ALL_TARGETS.indexOf(target), undefined, extra);
    // Under a coordinator any member may start the configuration and lead it, not necessarily node 0.
    await cluster.start(3, !etcd);
    const c = cluster;
    if (etcd) await waitFor('a writable chain of all three members', async () => {
      const all = await Promise.all(c.nodes.map((_, i) => c.status(i).catch(() => null)));
      return all.some((st) => st?.writable && st.members.length === 3) ? true : undefined;
    }, 90_000, 200);
    // Roles move under a coordinator, so members are named by ordinal there.
    members = c.nodes.map((node, i) => ({ node, name: etcd ? `member ${i}` : `${['head', 'middle', 'tail'][i]}` }));
    const fixed = c.nodes[['head', 'middle', 'tail'].indexOf(target)]!;
    pickVictim = etcd ? () => memberInRole(c, target) : async () => fixed;
    address = `${c.address(0)}:${c.port}`;
    waitWritable = () => c.waitWritable(60_000);
    if (etcd) bootstrap = () => c.nodes.map((n) => n.address);
  }
  const writer = new FailoverWriter(address, { topic: TOPIC, producerId: 1 + Math.floor(rand() * 2 ** 30), ...(bootstrap ? { bootstrap } : {}) });
  const watch = new HwmWatch(() => members);
  try {
    writer.resume();
    await writer.progress(opts.recordsPerRound);
    for (let run = 0; run < opts.runs; run++) {
      const victim = await pickVictim();
      // Kill at a random moment of the load: mid-append, mid-replication, mid-acknowledgement.
      await sleep(Math.floor(rand() * opts.maxKillDelayMs));
      const killedAt = Date.now();
      await victim.kill('SIGKILL');
      result.kills++;
      let recovered: AckedBatch;
      if (cluster && etcd) {
        // Failover: the chain must take writes again while the victim is still down.
        recovered = await writer.firstAckAfter(killedAt);
        await victim.start(60_000);
        await rejoined(cluster);
      } else {
        await victim.start(60_000);
        await waitWritable();
        // Recovery: the first acknowledgement of a batch sent after the kill.
        recovered = await writer.firstAckAfter(killedAt);
      }
      result.recoveryMs.push(recovered.at - killedAt);
      await writer.progress(opts.recordsPerRound);
      await writer.pause();
      await converge(members, (i) => hwmOf(members[i]!.node));
      const v = await verify(members, writer.acked);
      result.runs++;
      result.lost = v.lost;
      result.duplicated = v.duplicated;
      result.violations.push(...v.violations.map((x) => `run ${run}: ${x}`));
      log(`${target} run ${run + 1}/${opts.runs}: recovered in ${recovered.at - killedAt} ms, ${writer.ackedRecords} acked, lost ${v.lost}, duplicated ${v.duplicated}${v.violations.length ? `, ${v.violations.length} violations` : ''}`);
      if (v.lost > 0 || v.duplicated > 0 || v.violations.length > 0) break;
      writer.resume();
    }
  } finally {
    await writer.stop();
    await watch.stop();
    result.acked = writer.ackedRecords;
    result.failedAttempts = writer.failedAttempts;
    result.violations.push(...watch.violations);
    result.hwmSamples = watch.samples;
    if (cluster) await cluster.destroy();
    if (single) await single.destroy();
    if (etcd) await etcd.teardown();
  }
  return result;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const rand = prng(opts.seed);
  const targets: TargetResult[] = [];
  for (const t of opts.targets) targets.push(await runTarget(t, opts, rand));
  const recovery = targets.flatMap((t) => t.recoveryMs);
  return {
    targets,
    runs: targets.reduce((n, t) => n + t.runs, 0),
    kills: targets.reduce((n, t) => n + t.kills, 0),
    acked: targets.reduce((n, t) => n + t.acked, 0),
    lost: targets.reduce((n, t) => n + t.lost + t.duplicated, 0),
    violations: targets.flatMap((t) => t.violations.map((v) => `${t.target}: ${v}`)),
    hwmSamples: targets.reduce((n, t) => n + t.hwmSamples, 0),
    recoveryP50Ms: percentile(recovery, 50),
    recoveryP99Ms: percentile(recovery, 99),
    ...(opts.coordinator ? { coordinator: opts.coordinator } : {}),
  };
}

export function summary(r: CampaignResult): string {
  // Under a coordinator the victim stays down until writes flow again: that interval is failover time.
  const what = r.coordinator ? `failover (coordinator ${r.coordinator})` : 'recovery';
  const lines = r.targets.map((t) => `  ${t.target.padEnd(6)} runs ${t.runs} kills ${t.kills} acked ${t.acked} lost ${t.lost} duplicated ${t.duplicated} retried ${t.failedAttempts} hwm samples ${t.hwmSamples} ${what} p50 ${percentile(t.recoveryMs, 50)} ms p99 ${percentile(t.recoveryMs, 99)} ms`);
  return [`crash campaign: runs ${r.runs}, kills ${r.kills}, records acknowledged ${r.acked}, lost or duplicated ${r.lost}, ${what} p50 ${r.recoveryP50Ms} ms p99 ${r.recoveryP99Ms} ms`, ...lines,
    ...(r.violations.length ? ['violations:', ...r.violations.map((v) => `  ${v}`)] : [])].join('\n');
}

function coordinatorFlag(v: string): 'etcd' {
  if (v !== 'etcd') throw new Error(`--coordinator ${v}: the campaign runs a real etcd cluster (--coordinator etcd); Kubernetes is tested against the fake API server`);
  return v;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opts: CampaignOptions = {
    runs: Number(flag(args, 'runs') ?? 10),
    seed: Number(flag(args, 'seed') ?? Date.now() % 100000),
    targets: (flag(args, 'targets')?.split(',') ?? (flag(args, 'coordinator') ? CHAIN_TARGETS : ALL_TARGETS)) as Target[],
    recordsPerRound: Number(flag(args, 'records-per-round') ?? 300),
    maxKillDelayMs: Number(flag(args, 'max-kill-delay-ms') ?? 1500),
    subnet: Number(flag(args, 'subnet') ?? 60),
    ...(flag(args, 'coordinator') ? { coordinator: coordinatorFlag(flag(args, 'coordinator')!) } : {}),
    log: (l) => console.log(l),
  };
  console.log(`seed ${opts.seed}; replay with --seed ${opts.seed}`);
  const result = await runCampaign(opts);
  console.log(summary(result));
  process.exit(result.lost === 0 && result.violations.length === 0 ? 0 : 1);
}
