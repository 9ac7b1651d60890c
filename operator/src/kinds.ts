// The kinds the operator watches, with what an informer needs to list and watch each of them.
import { API_VERSION, KIND, PLURAL } from './crd/types.ts';

export interface KindInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  /** Only objects carrying this label are watched (children the operator made); none for the CRD. */
  labelSelector?: string;
}

const MANAGED = 'app.kubernetes.io/managed-by=vonnegut-operator';

export const CHAIN_KIND: KindInfo = { apiVersion: API_VERSION, kind: KIND, plural: PLURAL };
export const STATEFULSET_KIND: KindInfo = { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', labelSelector: MANAGED };
export const SERVICE_KIND: KindInfo = { apiVersion: 'v1', kind: 'Service', plural: 'services', labelSelector: MANAGED };
export const PDB_KIND: KindInfo = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', labelSelector: MANAGED };
export const SERVICE_ACCOUNT_KIND: KindInfo = { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', labelSelector: MANAGED };
export const ROLE_BINDING_KIND: KindInfo = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', plural: 'rolebindings', labelSelector: MANAGED };
/** The settings ConfigMap (builders/settings.ts). */
export const CONFIGMAP_KIND: KindInfo = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', labelSelector: MANAGED };
/** The sidecars' report Leases (names.ts reportLeaseName), labelled like the chain's other objects. */
export const REPORT_KIND: KindInfo = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases', labelSelector: MANAGED };

/** Every kind the operator applies, keyed by `apiVersion/kind`. */
export const CHILD_KINDS: KindInfo[] = [STATEFULSET_KIND, SERVICE_KIND, PDB_KIND, SERVICE_ACCOUNT_KIND, ROLE_BINDING_KIND, CONFIGMAP_KIND];
export const ALL_KINDS: KindInfo[] = [CHAIN_KIND, ...CHILD_KINDS, REPORT_KIND];

export const kindKey = (apiVersion: string | undefined, kind: string | undefined): string => `${apiVersion}/${kind}`;

/** REST path of a collection, cluster-wide or in one namespace (what a watch connects to). */
export function collectionPath(k: KindInfo, namespace?: string): string {
  const base = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${k.plural}` : `${base}/${k.plural}`;
}
