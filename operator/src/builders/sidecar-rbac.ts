// The sidecar's identity in one namespace: a ServiceAccount and a RoleBinding to the chart's
// `<release>-sidecar` ClusterRole (list/watch vonnegutchains, patch pods). The operator
// creates them per VonnegutChain, owned by it, because the operator may watch every namespace and the
// chart cannot know them in advance; a RoleBinding (not a ClusterRoleBinding) keeps the sidecar's
// rights inside its own namespace.
import type { V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { FIELD_MANAGER, LABEL_CLUSTER, LABEL_MANAGED_BY, sidecarAccountName } from '../names.ts';
import type { BuildContext } from './context.ts';

function labels(ctx: BuildContext): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'vonnegut',
    'app.kubernetes.io/instance': ctx.spec.clusterName,
    'app.kubernetes.io/component': 'sidecar',
    [LABEL_MANAGED_BY]: FIELD_MANAGER,
    [LABEL_CLUSTER]: ctx.spec.clusterName,
  };
}

/** ServiceAccount `<resource>-sidecar`; it needs no token beyond the projected default. */
export function sidecarServiceAccount(ctx: BuildContext): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: {
      name: sidecarAccountName(ctx.spec.clusterName),
      namespace: ctx.spec.namespace,
      labels: labels(ctx),
      ownerReferences: [ctx.owner],
    },
  };
}

/** RoleBinding `<resource>-sidecar` granting the sidecar ClusterRole in this namespace only. */
export function sidecarRoleBinding(ctx: BuildContext): V1RoleBinding {
  const name = sidecarAccountName(ctx.spec.clusterName);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name, namespace: ctx.spec.namespace, labels: labels(ctx), ownerReferences: [ctx.owner] },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ctx.sidecarClusterRole },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ctx.spec.namespace }],
  };
}
