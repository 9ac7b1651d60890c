// The live settings of a resource's nodes (log level, segment size, retention) live in one ConfigMap,
// `<resource>-settings`, that the node and sidecar containers take with `envFrom`, not in the pod
// template. Why: a change to the template makes the StatefulSet controller roll every pod, but these
// settings the node changes at runtime (PUT /v1/config). So a change reaches running nodes through
// their sidecars (sidecar.ts pushes the resource's spec.node to its node's admin API, with the token only
// the pod holds), and the ConfigMap only gives a restarted container the current values from its first
// instant (no window in which a node runs the default retention). envFrom is read at container start;
// changing the ConfigMap restarts nothing.
import type { V1ConfigMap, V1EnvFromSource } from '@kubernetes/client-node';
import { FIELD_MANAGER, LABEL_CLUSTER, LABEL_MANAGED_BY, settingsConfigMapName } from '../names.ts';
import type { BuildContext } from './context.ts';

/** The node's env names for each live setting (node/src/config.ts reads them). */
export const SETTINGS_ENV = {
  logLevel: 'VONNEGUT_LOG_LEVEL',
  segmentBytes: 'VONNEGUT_SEGMENT_BYTES',
  retentionBytes: 'VONNEGUT_RETENTION_BYTES',
  retentionMs: 'VONNEGUT_RETENTION_MS',
} as const;

/** ConfigMap `<resource>-settings`: the live settings as env, only those the spec sets. */
export function settingsConfigMap(ctx: BuildContext): V1ConfigMap {
  const data: Record<string, string> = {};
  for (const [field, env] of Object.entries(SETTINGS_ENV)) {
    const value = ctx.spec.node[field as keyof typeof SETTINGS_ENV];
    if (value !== undefined) data[env] = String(value);
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: settingsConfigMapName(ctx.spec.clusterName),
      namespace: ctx.spec.namespace,
      labels: {
        'app.kubernetes.io/name': 'vonnegut',
        'app.kubernetes.io/instance': ctx.spec.clusterName,
        'app.kubernetes.io/component': 'settings',
        [LABEL_MANAGED_BY]: FIELD_MANAGER,
        [LABEL_CLUSTER]: ctx.spec.clusterName,
      },
      ownerReferences: [ctx.owner],
    },
    data,
  };
}

/** The containers' envFrom: the settings ConfigMap, by name only (its content is not in the template). */
export function settingsEnvFrom(ctx: BuildContext): V1EnvFromSource[] {
  return [{ configMapRef: { name: settingsConfigMapName(ctx.spec.clusterName) } }];
}
