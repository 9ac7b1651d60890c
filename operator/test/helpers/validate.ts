// Validates manifests against the official Kubernetes OpenAPI schemas shipped by kubernetes-models.
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';

interface Validatable { validate(): void }
type Ctor = new (data: never) => Validatable;

const models: Record<string, Ctor> = {
  'apiextensions.k8s.io/v1/CustomResourceDefinition': CustomResourceDefinition as unknown as Ctor,
  'apps/v1/Deployment': Deployment as unknown as Ctor,
  'apps/v1/StatefulSet': StatefulSet as unknown as Ctor,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as Ctor,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole as unknown as Ctor,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding as unknown as Ctor,
  'rbac.authorization.k8s.io/v1/Role': Role as unknown as Ctor,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding as unknown as Ctor,
  'v1/Service': Service as unknown as Ctor,
  'v1/ServiceAccount': ServiceAccount as unknown as Ctor,
  'v1/ConfigMap': ConfigMap as unknown as Ctor,
  'v1/Namespace': Namespace as unknown as Ctor,
};

/** Kinds kubernetes-models has no schema for (CRDs of other projects); checked structurally only. */
export const UNMODELLED = new Set(['monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PodMonitor', 'monitoring.coreos.com/v1/PrometheusRule']);

export interface ManifestLike { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } }

/** Throws with the kind, name and schema error when a manifest is not a valid Kubernetes object. */
export function validateManifest(obj: ManifestLike): void {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const name = String(obj.metadata?.name);
  if (UNMODELLED.has(key)) {
    if (typeof obj.metadata?.name !== 'string') throw new Error(`${key} has no metadata.name`);
    return;
  }
  const Model = models[key];
  if (!Model) throw new Error(`no kubernetes-models schema registered for ${key} (${name})`);
  // JSON round trip: drop undefined fields exactly as the API client does when it serializes.
  const data = JSON.parse(JSON.stringify(obj)) as never;
  try {
    new Model(data).validate();
  } catch (err) {
    throw new Error(`${key} ${name} is invalid: ${(err as Error).message}`);
  }
}
