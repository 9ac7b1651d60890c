// What every builder needs besides the resolved spec: who owns the objects and cluster-wide settings.
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { chainLabels } from '../names.ts';
import type { ResolvedSpec } from '../crd/defaults.ts';
import { API_VERSION, KIND, type VonnegutChain } from '../crd/types.ts';

export interface BuildContext {
  spec: ResolvedSpec;
  owner: V1OwnerReference;
  clusterDomain: string;
  /** ClusterRole (installed by the chart) the per-resource sidecar RoleBinding points at. */
  sidecarClusterRole: string;
}

/** Controller owner reference to a VonnegutChain, so the API server's GC deletes its children. */
export function ownerReference(vgc: VonnegutChain): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: vgc.metadata.name,
    uid: vgc.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of a per-chain child: named after the chain, in the resource's namespace, with its labels and owner. */
export function chainMetadata(ctx: BuildContext, chain: string): V1ObjectMeta & { name: string; namespace: string } {
  return { name: chain, namespace: ctx.spec.namespace, labels: chainLabels(ctx.spec, chain), ownerReferences: [ctx.owner] };
}
