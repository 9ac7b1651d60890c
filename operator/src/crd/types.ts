// The VonnegutChain custom resource as TypeScript sees it. The OpenAPI schema in ./schema.ts describes
// the same shape; operator/test/crd.test.ts fails when the two disagree on a single property name, and
// the generated YAML under crds/ is compared byte for byte with what ./crd.ts builds.
import type { V1Affinity, V1ResourceRequirements, V1Toleration } from '@kubernetes/client-node';

export const GROUP = 'vonnegut.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'VonnegutChain';
export const PLURAL = 'vonnegutchains';
export const SINGULAR = 'vonnegutchain';
export const SHORT_NAME = 'vgc';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Storage of each node: one PersistentVolumeClaim per pod, from the StatefulSet's claim template. */
export interface StorageSpec {
  size?: string;
  storageClassName?: string;
}

/** Log settings every node of the resource runs with; the sidecar pushes changes to running nodes. */
export interface NodeSettings {
  segmentBytes?: number;
  retentionBytes?: number;
  retentionMs?: number;
  logLevel?: LogLevel;
}

/** Overrides merged into every pod the operator creates. */
export interface PodTemplateOverrides {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  affinity?: V1Affinity;
  tolerations?: V1Toleration[];
  nodeSelector?: Record<string, string>;
}

/** Kafka's listener security protocols; replication links use the same one. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];
export const SASL_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** One key of a Secret or ConfigMap in the resource's namespace. */
export interface KeyRef {
  name: string;
  key: string;
}

/** A kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt, as cert-manager writes it. */
export interface TlsSpec {
  secretName: string;
}

export interface SaslSpec {
  /** Mechanisms offered to clients; the node's default when empty. */
  mechanisms?: SaslMechanism[];
  /** Secret key holding `{"users":[{"name","password"}]}`. */
  usersSecret: KeyRef;
  /** User (from usersSecret) the nodes authenticate as to each other; implicitly a super user. */
  interBrokerUser: string;
}

/** Where the ACL file (`{"acls":[...]}`) comes from: exactly one of a ConfigMap or a Secret key. */
export interface AclSource {
  configMap?: KeyRef;
  secret?: KeyRef;
}

/** Listener security, authentication and authorization; secrets are referenced, never inlined. */
export interface SecuritySpec {
  protocol?: SecurityProtocol;
  tls?: TlsSpec;
  sasl?: SaslSpec;
  acls?: AclSource;
  /** Principals (`User:<name>`) that bypass ACLs. */
  superUsers?: string[];
}

export interface VonnegutChainSpec {
  /** Number of chains, named `<resource>-0` ... ; ignored when chainNames is set. */
  chains?: number;
  /** Explicit chain names, giving chains `<resource>-<chainName>`. */
  chainNames?: string[];
  /** Members per chain (head ... tail). */
  replicas: number;
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  port?: number;
  adminPort?: number;
  storage?: StorageSpec;
  resources?: V1ResourceRequirements;
  node?: NodeSettings;
  podTemplate?: PodTemplateOverrides;
  security?: SecuritySpec;
}

export type ConditionType = 'Ready' | 'Progressing' | 'Degraded';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** metav1.Condition, as the API conventions define it. */
export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface ChainStatus {
  name: string;
  members: string[];
  head?: string;
  tail?: string;
  readyReplicas: number;
  ready: boolean;
}

export interface VonnegutChainStatus {
  observedGeneration?: number;
  /** Number of chains the spec asks for (a printer column). */
  chainCount?: number;
  /** "<ready>/<desired>" chains (a printer column). */
  readyChains?: string;
  conditions?: Condition[];
  chains?: ChainStatus[];
}

export interface ObjectMetaLite {
  name: string;
  namespace: string;
  uid: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface VonnegutChain {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMetaLite;
  spec: VonnegutChainSpec;
  status?: VonnegutChainStatus;
}
