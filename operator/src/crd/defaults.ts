// Turns a VonnegutChain spec into the fully defaulted, validated shape the builders consume.
// The API server applies the schema defaults too; applying them here keeps the builders total even
// for objects created before a default existed.
import type { V1Affinity, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node';
import { DEFAULT_ADMIN_PORT, DEFAULT_PORT } from './schema.ts';
import { securityProblems } from './security.ts';
import type { LogLevel, NodeSettings, SecurityProtocol, SecuritySpec, VonnegutChain } from './types.ts';

export const DEFAULT_STORAGE_SIZE = '10Gi';
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
/** A StatefulSet name longer than 52 characters cannot carry its controller-revision-hash pod label. */
export const MAX_STATEFULSET_NAME = 52;

/** spec.security with its protocol defaulted; every field but protocol stays optional. */
export type ResolvedSecurity = Omit<SecuritySpec, 'protocol'> & { protocol: SecurityProtocol };

export interface ResolvedChain {
  /** Index in the spec's order; chain names sort the same way for chainNames and counts below 10. */
  index: number;
  /** `<resource>-<chainName or index>`: the StatefulSet, Service and PDB name. */
  name: string;
}

export interface ResolvedSpec {
  clusterName: string;
  namespace: string;
  chains: ResolvedChain[];
  replicas: number;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  port: number;
  adminPort: number;
  storageSize: string;
  storageClassName?: string;
  resources?: V1ResourceRequirements;
  node: Required<Pick<NodeSettings, 'logLevel'>> & Omit<NodeSettings, 'logLevel'>;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  affinity?: V1Affinity;
  tolerations?: V1Toleration[];
  nodeSelector?: Record<string, string>;
  /** Undefined when the spec has no security section: the node's own defaults (PLAINTEXT) apply. */
  security?: ResolvedSecurity;
}

export interface ResolveOptions {
  defaultImage: string;
}

/** A spec the operator cannot act on; becomes a Degraded condition with this reason. */
export class InvalidSpecError extends Error {
  readonly reason = 'InvalidSpec';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSpecError';
  }
}

/** Full chain names for a resource, or an InvalidSpecError. */
export function chainNamesOf(vgc: VonnegutChain): ResolvedChain[] | InvalidSpecError {
  const { name } = vgc.metadata;
  const suffixes = vgc.spec.chainNames && vgc.spec.chainNames.length > 0
    ? vgc.spec.chainNames
    : Array.from({ length: vgc.spec.chains ?? 1 }, (_, i) => String(i));
  if (new Set(suffixes).size !== suffixes.length) return new InvalidSpecError('chainNames contains duplicates');
  const chains = suffixes.map((suffix, index) => ({ index, name: `${name}-${suffix}` }));
  const tooLong = chains.find((c) => c.name.length > MAX_STATEFULSET_NAME);
  if (tooLong) {
    return new InvalidSpecError(`chain name ${tooLong.name} is longer than ${MAX_STATEFULSET_NAME} characters`);
  }
  return chains;
}

/** Applies defaults and validates what the schema cannot. */
export function resolveSpec(vgc: VonnegutChain, opts: ResolveOptions): ResolvedSpec | InvalidSpecError {
  const chains = chainNamesOf(vgc);
  if (chains instanceof InvalidSpecError) return chains;
  const { spec } = vgc;
  if (!Number.isInteger(spec.replicas) || spec.replicas < 1) {
    return new InvalidSpecError(`replicas must be an integer >= 1, got ${String(spec.replicas)}`);
  }
  const security = spec.security ? { ...spec.security, protocol: spec.security.protocol ?? 'PLAINTEXT' } : undefined;
  const problems = security ? securityProblems(security) : [];
  if (problems.length > 0) return new InvalidSpecError(problems.join('; '));
  const image = spec.image ?? opts.defaultImage;
  return {
    clusterName: vgc.metadata.name,
    namespace: vgc.metadata.namespace,
    chains,
    replicas: spec.replicas,
    image,
    imagePullPolicy: spec.imagePullPolicy ?? 'IfNotPresent',
    port: spec.port ?? DEFAULT_PORT,
    adminPort: spec.adminPort ?? DEFAULT_ADMIN_PORT,
    storageSize: spec.storage?.size ?? DEFAULT_STORAGE_SIZE,
    storageClassName: spec.storage?.storageClassName,
    resources: spec.resources,
    node: { ...spec.node, logLevel: spec.node?.logLevel ?? DEFAULT_LOG_LEVEL },
    podLabels: spec.podTemplate?.labels ?? {},
    podAnnotations: spec.podTemplate?.annotations ?? {},
    affinity: spec.podTemplate?.affinity,
    tolerations: spec.podTemplate?.tolerations,
    nodeSelector: spec.podTemplate?.nodeSelector,
    security,
  };
}
