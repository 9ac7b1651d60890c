// Replica scale-down of one chain, gated like chain removal: drain, then remove. Lowering a
// StatefulSet's replicas deletes its top pods at once, so the operator keeps the StatefulSet as it is
// while any member above the new count has not yet reported `drained` (its sidecar asked the node to
// drain, and the node left the chain's configuration). Only then does the new StatefulSet go out, and
// the StatefulSet controller removes the drained pods and rolls the rest one at a time.
//
// Why nothing of the StatefulSet changes while it waits: the new template (VONNEGUT_REPLICAS) would
// make the controller restart the highest ordinal first, which is a draining member: its new process
// would rejoin the chain and the drain would start over.
import type { SidecarReport } from './sidecar/report.ts';

export interface ScaleDownGate {
  /** True when the StatefulSet must stay as it is for now. */
  hold: boolean;
  /** Pods above the new count that have not reported drained yet. */
  waitingFor: string[];
}

/** Whether a chain going from `live` to `desired` replicas must wait, given its members' reports. */
export function scaleDownGate(chain: string, desired: number, live: number | undefined, reports: ReadonlyMap<string, SidecarReport>): ScaleDownGate {
  if (live === undefined || desired >= live) return { hold: false, waitingFor: [] };
  const waitingFor: string[] = [];
  for (let ordinal = desired; ordinal < live; ordinal++) {
    const pod = `${chain}-${ordinal}`;
    if (reports.get(pod)?.drained !== true) waitingFor.push(pod);
  }
  return { hold: waitingFor.length > 0, waitingFor };
}
