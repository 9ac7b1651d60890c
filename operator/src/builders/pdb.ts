// The PodDisruptionBudget of one chain: voluntary evictions take at most one member down at a time,
// so a chain of three or more keeps a head and a tail through node drains.
import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { selectorLabels } from '../names.ts';
import { chainMetadata, type BuildContext } from './context.ts';

/** PDB `<chain>` with maxUnavailable 1. */
export function podDisruptionBudget(ctx: BuildContext, chain: string): V1PodDisruptionBudget {
  const { spec } = ctx;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: chainMetadata(ctx, chain),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(spec.clusterName, chain) },
    },
  };
}
