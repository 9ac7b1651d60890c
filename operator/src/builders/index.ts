// Everything the operator applies for one VonnegutChain, in apply order.
import type { KubernetesObject } from '@kubernetes/client-node';
import { resolveSpec, InvalidSpecError, type ResolveOptions } from '../crd/defaults.ts';
import type { VonnegutChain } from '../crd/types.ts';
import { ownerReference, type BuildContext } from './context.ts';
import { podDisruptionBudget } from './pdb.ts';
import { headlessService } from './service.ts';
import { sidecarRoleBinding, sidecarServiceAccount } from './sidecar-rbac.ts';
import { statefulSet } from './statefulset.ts';
import { settingsConfigMap } from './settings.ts';

export interface BuildOptions extends ResolveOptions {
  clusterDomain: string;
  sidecarClusterRole: string;
}

/** The objects of one chain: Service before StatefulSet so SRV names exist when pods start. */
export function chainObjects(ctx: BuildContext, chain: string): KubernetesObject[] {
  return [headlessService(ctx, chain), statefulSet(ctx, chain), podDisruptionBudget(ctx, chain)];
}

/** Build context for a resource, or why its spec cannot be built. */
export function buildContext(vgc: VonnegutChain, opts: BuildOptions): BuildContext | InvalidSpecError {
  const spec = resolveSpec(vgc, opts);
  if (spec instanceof InvalidSpecError) return spec;
  return { spec, owner: ownerReference(vgc), clusterDomain: opts.clusterDomain, sidecarClusterRole: opts.sidecarClusterRole };
}

/** Every desired child of a resource; the settings ConfigMap before the pods that take env from it. */
export function desiredObjects(ctx: BuildContext): KubernetesObject[] {
  return [
    settingsConfigMap(ctx),
    sidecarServiceAccount(ctx),
    sidecarRoleBinding(ctx),
    ...ctx.spec.chains.flatMap((c) => chainObjects(ctx, c.name)),
  ];
}
