// Names, labels and DNS names shared by the builders, the controller and the sidecar.
import type { ResolvedSpec } from './crd/defaults.ts';

export const FIELD_MANAGER = 'vonnegut-operator';
export const LABEL_CLUSTER = 'vonnegut.io/cluster';
export const LABEL_CHAIN = 'vonnegut.io/chain';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Annotation of a sidecar's report Lease (see reportLeaseName) that the operator aggregates. */
export const STATUS_ANNOTATION = 'vonnegut.io/status';
/** Hash of the object the operator last applied; see apply.ts for why. */
export const APPLIED_HASH_ANNOTATION = 'vonnegut.io/applied-hash';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const KAFKA_PORT_NAME = 'kafka';
export const ADMIN_PORT_NAME = 'admin';
export const DATA_DIR = '/var/lib/vonnegut';
/** The node writes its admin token here (an in-memory emptyDir only the pod's containers mount). */
export const ADMIN_TOKEN_DIR = '/var/run/vonnegut';
export const ADMIN_TOKEN_FILE = `${ADMIN_TOKEN_DIR}/admin-token`;
export const NODE_CONTAINER = 'vonnegut';
export const SIDECAR_CONTAINER = 'sidecar';

/** Labels on every object of one chain (the selector uses only the last two). */
export function chainLabels(spec: ResolvedSpec, chain: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'vonnegut',
    'app.kubernetes.io/instance': spec.clusterName,
    'app.kubernetes.io/component': 'node',
    [LABEL_MANAGED_BY]: FIELD_MANAGER,
    ...selectorLabels(spec.clusterName, chain),
  };
}

/** The immutable StatefulSet selector: resource and chain. */
export function selectorLabels(clusterName: string, chain: string): Record<string, string> {
  return { [LABEL_CLUSTER]: clusterName, [LABEL_CHAIN]: chain };
}

/** SRV name of a chain's headless Service: one record per pod, ready or not. */
export function srvName(chain: string, namespace: string, clusterDomain: string): string {
  return `_${KAFKA_PORT_NAME}._tcp.${chain}.${namespace}.svc.${clusterDomain}`;
}

/**
 * The Lease a pod's sidecar writes its report into. A Lease, not the pod's own annotations: patching
 * pods cannot be limited to one's own pod by RBAC, and a right to patch pods is a right to change images.
 */
export function reportLeaseName(podName: string): string {
  return `${podName}.status`;
}

/** The ConfigMap of a resource's live node settings (builders/settings.ts). */
export function settingsConfigMapName(clusterName: string): string {
  return `${clusterName}-settings`;
}

/** The sidecar's ServiceAccount and RoleBinding name for one resource. */
export function sidecarAccountName(clusterName: string): string {
  return `${clusterName}-sidecar`;
}
