// Status of a VonnegutChain: per-chain readiness from StatefulSets and sidecar reports, and the
// Ready / Progressing / Degraded conditions. Pure: the controller passes in what its caches hold.
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import type { ResolvedSpec } from './crd/defaults.ts';
import type { ChainStatus, Condition, ConditionStatus, ConditionType, VonnegutChain, VonnegutChainStatus } from './crd/types.ts';
import { objectHash } from './apply.ts';
import { STATUS_ANNOTATION, reportLeaseName } from './names.ts';
import { parseReport, type SidecarReport } from './sidecar/report.ts';

/** Something wrong that the status must show as Degraded. */
export interface Problem {
  reason: string;
  message: string;
}

export interface Observed {
  statefulSets: Map<string, V1StatefulSet>;
  /** The sidecars' report Leases (see sidecar/report.ts). */
  reports: KubernetesObject[];
}

const ordinal = (pod: string): number => Number(pod.slice(pod.lastIndexOf('-') + 1));

/** Sidecar reports of a chain's members, by pod name, from their report Leases. */
export function reportsOf(leases: KubernetesObject[], chain: string): Map<string, SidecarReport> {
  const out = new Map<string, SidecarReport>();
  for (const lease of leases) {
    const r = parseReport(lease.metadata?.annotations?.[STATUS_ANNOTATION]);
    if (r && r.chain === chain && lease.metadata?.name === reportLeaseName(r.nodeName)) out.set(r.nodeName, r);
  }
  return out;
}

/** Readiness of one chain: every member Ready and running the current revision. */
export function chainStatus(spec: ResolvedSpec, chain: string, observed: Observed): ChainStatus {
  const sts = observed.statefulSets.get(chain);
  const st = sts?.status;
  const readyReplicas = st?.readyReplicas ?? 0;
  const current = sts !== undefined && (st?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0)
    && (st?.updatedReplicas ?? 0) === spec.replicas && st?.currentRevision === st?.updateRevision;
  const reports = reportsOf(observed.reports, chain);
  // The sidecars' view of membership wins (it is what the nodes themselves see); until they report,
  // the ordinals say who the members will be.
  const reported = [...reports.values()].find((r) => r.members.length > 0)?.members;
  const members = reported ?? Array.from({ length: spec.replicas }, (_, i) => `${chain}-${i}`);
  const sorted = [...members].sort((a, b) => ordinal(a) - ordinal(b));
  const byRole = (roles: string[]): string | undefined => [...reports.entries()].find(([, r]) => r.role && roles.includes(r.role))?.[0];
  return {
    name: chain,
    members: sorted,
    head: byRole(['head', 'solo']) ?? sorted[0],
    tail: byRole(['tail', 'solo']) ?? sorted[sorted.length - 1],
    readyReplicas,
    ready: current && readyReplicas >= spec.replicas,
  };
}

function condition(prev: Condition[] | undefined, type: ConditionType, status: ConditionStatus, reason: string, message: string, generation: number | undefined, now: string): Condition {
  const old = prev?.find((c) => c.type === type);
  // lastTransitionTime moves only when the status flips, as metav1.Condition requires.
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return { type, status, reason, message, lastTransitionTime, observedGeneration: generation };
}

/** The full status to write; `spec` is undefined when the spec is invalid. */
export function computeStatus(vgc: VonnegutChain, spec: ResolvedSpec | undefined, observed: Observed, problems: Problem[], waitingDrain: string[] = [], now = new Date().toISOString()): VonnegutChainStatus {
  const gen = vgc.metadata.generation;
  const prev = vgc.status?.conditions;
  const chains = spec ? spec.chains.map((c) => chainStatus(spec, c.name, observed)) : [];
  const ready = chains.filter((c) => c.ready).length;
  const allReady = spec !== undefined && ready === chains.length;
  const waiting = chains.filter((c) => !c.ready).map((c) => `${c.name} (${c.readyReplicas}/${spec?.replicas ?? 0} ready)`);
  const degraded = problems.length > 0;
  return {
    observedGeneration: gen,
    chainCount: chains.length,
    readyChains: `${ready}/${chains.length}`,
    chains,
    conditions: [
      allReady
        ? condition(prev, 'Ready', 'True', 'AllChainsReady', `${ready} chains ready`, gen, now)
        : condition(prev, 'Ready', 'False', spec ? 'ChainsNotReady' : 'InvalidSpec', spec ? `waiting for ${waiting.join(', ')}` : 'spec cannot be built', gen, now),
      allReady
        ? condition(prev, 'Progressing', 'False', 'Stable', 'all chains run the desired spec', gen, now)
        : waitingDrain.length > 0
          ? condition(prev, 'Progressing', 'True', 'WaitingForDrain', `replica scale-down waits for ${waitingDrain.join('; ')} to drain`, gen, now)
          : condition(prev, 'Progressing', spec ? 'True' : 'False', spec ? 'RollingOut' : 'InvalidSpec', spec ? `${waiting.length} chains converging` : 'spec cannot be built', gen, now),
      degraded
        ? condition(prev, 'Degraded', 'True', problems[0]!.reason, problems.map((p) => p.message).join('; ').slice(0, 32768), gen, now)
        : condition(prev, 'Degraded', 'False', 'AsExpected', 'no problems', gen, now),
    ],
  };
}

/** True when writing `next` would change what the resource's status says (key order aside). */
export function statusChanged(prev: VonnegutChainStatus | undefined, next: VonnegutChainStatus): boolean {
  return objectHash(prev ?? {}) !== objectHash(next);
}
