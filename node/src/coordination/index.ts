/**
 * The coordination store a node opens from its `--coordinator` value (spellings in spec.ts).
 */
import type { Logger } from '../logging.ts';
import { EtcdStore } from './etcd.ts';
import { KubernetesStore } from './kubernetes.ts';
import { parseCoordinatorSpec } from './spec.ts';
import type { CoordinationStore } from './store.ts';

/** Opens the coordination store a `--coordinator` value names (kubernetes: in-cluster config, pod namespace). */
export function openCoordinator(spec: string, logger: Logger): CoordinationStore {
  const parsed = parseCoordinatorSpec(spec);
  return parsed.kind === 'etcd' ? new EtcdStore(parsed.endpoints, { logger }) : new KubernetesStore({ logger });
}

export { parseCoordinatorSpec, parseEtcdEndpoints, type CoordinatorSpec } from './spec.ts';
export { CoordinationError } from './store.ts';
export type { ChainConfig, CoordinationStore, MemberInfo, MemberLease, Versioned } from './store.ts';
