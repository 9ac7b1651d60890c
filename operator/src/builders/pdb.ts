// The PodDisruptionBudget of one chain: voluntary evictions take at most one member down at a time,
// so a chain of three or more keeps a head and a tail through node drains.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { chainLabels, selectorLabels } from '../names.ts';
import type { BuildContext } from './context.ts';

/** PDB `<chain>` with maxUnavailable 1. */
export function podDisruptionBudget(ctx: BuildContext, chain: string): V1PodDisruptionBudget {
  const { spec } = ctx;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {
      name: chain,
      namespace: spec.namespace,
      labels: chainLabels(spec, chain),
      ownerReferences: [ctx.owner],
    },
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(spec.clusterName, chain) },
    },
  };
}
