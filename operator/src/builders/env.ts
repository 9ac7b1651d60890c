// Environment of the node and sidecar containers: the node's CLI contract (`vonnegut serve --help`).
import type { V1EnvVar } from '@kubernetes/client-node';
import { ADMIN_TOKEN_FILE, DATA_DIR, srvName } from '../names.ts';
import type { BuildContext } from './context.ts';

const fromField = (name: string, fieldPath: string): V1EnvVar => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

/** `srv:` discovery names of every chain of the resource, comma-separated. */
export function clusterDiscovery(ctx: BuildContext): string {
  return ctx.spec.chains.map((c) => `srv:${srvName(c.name, ctx.spec.namespace, ctx.clusterDomain)}`).join(',');
}

/** Env of the `vonnegut serve` container. POD_NAME comes first: later values reference it as $(POD_NAME). */
export function nodeEnv(ctx: BuildContext, chain: string): V1EnvVar[] {
  const { spec } = ctx;
  const env: V1EnvVar[] = [
    fromField('POD_NAME', 'metadata.name'),
    fromField('POD_NAMESPACE', 'metadata.namespace'),
    { name: 'VONNEGUT_DATA_DIR', value: DATA_DIR },
    { name: 'VONNEGUT_HOST', value: '0.0.0.0' },
    { name: 'VONNEGUT_PORT', value: String(spec.port) },
    // The pod's own DNS name under the headless Service: stable across restarts and resolvable by clients.
    { name: 'VONNEGUT_ADVERTISED_HOST', value: `$(POD_NAME).${chain}.${spec.namespace}.svc.${ctx.clusterDomain}` },
    { name: 'VONNEGUT_ADVERTISED_PORT', value: String(spec.port) },
    { name: 'VONNEGUT_NODE_NAME', value: '$(POD_NAME)' },
    { name: 'VONNEGUT_CHAIN', value: chain },
    { name: 'VONNEGUT_DISCOVERY', value: `srv:${srvName(chain, spec.namespace, ctx.clusterDomain)}` },
    { name: 'VONNEGUT_REPLICAS', value: String(spec.replicas) },
    { name: 'VONNEGUT_CLUSTER', value: clusterDiscovery(ctx) },
    { name: 'VONNEGUT_ADMIN_PORT', value: String(spec.adminPort) },
    // Probes come from the kubelet over the pod IP, so the admin server cannot stay on loopback.
    { name: 'VONNEGUT_ADMIN_HOST', value: '0.0.0.0' },
    // ...so changes (PUT /v1/config, POST /v1/drain) need the token the node writes for its sidecar.
    { name: 'VONNEGUT_ADMIN_TOKEN_FILE', value: ADMIN_TOKEN_FILE },
    // Chain membership (epochs, member leases) through Leases in the pod's namespace, so a pod restart
    // or a lost node fails over instead of stopping the chain's writes (docs/kubernetes.md).
    { name: 'VONNEGUT_COORDINATOR', value: 'kubernetes' },
  ];
  // Log level, segment size and retention are not here: they come from the settings ConfigMap
  // (settings.ts), so changing them rolls no pod.
  return env;
}

/** Env of the `vonnegut sidecar` container (sidecar.ts sidecarOptionsFromEnv); its log level comes from the settings ConfigMap. */
export function sidecarEnv(ctx: BuildContext, chain: string): V1EnvVar[] {
  const { spec } = ctx;
  return [
    fromField('POD_NAME', 'metadata.name'),
    fromField('POD_NAMESPACE', 'metadata.namespace'),
    fromField('POD_UID', 'metadata.uid'),
    { name: 'VONNEGUT_RESOURCE', value: spec.clusterName },
    { name: 'VONNEGUT_CHAIN', value: chain },
    { name: 'VONNEGUT_ADMIN_URL', value: `http://127.0.0.1:${spec.adminPort}` },
    { name: 'VONNEGUT_ADMIN_TOKEN_FILE', value: ADMIN_TOKEN_FILE },
  ];
}
