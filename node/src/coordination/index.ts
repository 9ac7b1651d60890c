/**
 * The coordination store a node opens from its `--coordinator` value (spellings in spec.ts).
 */
import type { Logger } from '../logging.ts';
import { parseCoordinatorSpec } from './spec.ts';
import type { CoordinationStore } from './store.ts';

/** Opens the coordination store a `--coordinator` value names (kubernetes: in-cluster config, pod namespace). */
export async function openCoordinator(spec: string, logger: Logger): Promise<CoordinationStore> {
  const parsed = parseCoordinatorSpec(spec);
  // Each backend's client library is loaded only when named: etcd3 (with gRPC and protobufjs) and
  // @kubernetes/client-node were a third of every node's start-up CPU, coordinator or not.
  if (parsed.kind === 'etcd') {
    const { EtcdStore } = await import('./etcd.ts');
    return new EtcdStore(parsed.endpoints, { logger });
  }
  const { KubernetesStore } = await import('./kubernetes.ts');
  return new KubernetesStore({ logger });
}

export { parseCoordinatorSpec, parseEtcdEndpoints, type CoordinatorSpec } from './spec.ts';
export { CoordinationError } from './store.ts';
export type { ChainConfig, CoordinationStore, MemberInfo, MemberLease, Versioned } from './store.ts';
