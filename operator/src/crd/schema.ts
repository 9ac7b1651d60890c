// The OpenAPI v3 schema of VonnegutChain, written as data so crds/*.yaml is generated, never hand-edited.
// Property names mirror ./types.ts; operator/test/crd.test.ts checks both directions.
import { SECURITY_RULES } from './security.ts';
import { LOG_LEVELS, SASL_MECHANISMS, SECURITY_PROTOCOLS } from './types.ts';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps this CRD uses. */
export interface JSONSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean' | 'number';
  description?: string;
  properties?: Record<string, JSONSchema>;
  additionalProperties?: JSONSchema;
  items?: JSONSchema;
  required?: string[];
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string }[];
}

export const DEFAULT_PORT = 9092;
/** Storage is immutable after creation (see spec.storage). */
export const STORAGE_IMMUTABLE = { rule: 'self == oldSelf', message: 'storage (size, storageClassName) cannot change after creation: StatefulSet volume claims are immutable' };
export const DEFAULT_ADMIN_PORT = 9644;
export const MAX_CHAINS = 64;
/** DNS label limit (63) minus room for `<resource>-` and the StatefulSet's `-<ordinal>` suffix. */
export const MAX_CHAIN_NAME_LENGTH = 20;
/** Bounds that keep the CEL rules on spec.security within the API server's cost budget. */
export const MAX_SUPER_USERS = 64;
export const MAX_PRINCIPAL_LENGTH = 256;

const stringMap = (description: string): JSONSchema => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

// Kubernetes' own types (affinity, tolerations, resources) are validated by the API server when the
// operator applies the StatefulSet; repeating their full schema here would only drift.
const opaque = (description: string): JSONSchema => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

// Names of Secrets, ConfigMaps and their keys: DNS subdomains and config keys as Kubernetes defines them.
const objectName: JSONSchema = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' };
const dataKey: JSONSchema = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[-._a-zA-Z0-9]+$' };
const keyRef = (description: string): JSONSchema => ({
  type: 'object',
  description,
  required: ['name', 'key'],
  properties: { name: objectName, key: dataKey },
});

const securitySchema: JSONSchema = {
  type: 'object',
  description: 'Listener security, SASL users and ACLs. Secrets are referenced by name and mounted read-only into the nodes; their contents never enter the resource or the environment.',
  'x-kubernetes-validations': SECURITY_RULES.map(({ rule, message }) => ({ rule, message })),
  properties: {
    protocol: {
      type: 'string',
      enum: SECURITY_PROTOCOLS,
      default: 'PLAINTEXT',
      description: 'Security protocol of the Kafka listener and of every node-to-node connection (Kafka\'s names).',
    },
    tls: {
      type: 'object',
      description: 'TLS for SSL and SASL_SSL.',
      required: ['secretName'],
      properties: {
        secretName: { ...objectName, description: 'A kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt (as cert-manager writes it); the nodes reload it when it changes.' },
      },
    },
    sasl: {
      type: 'object',
      description: 'SASL authentication for SASL_PLAINTEXT and SASL_SSL.',
      required: ['usersSecret', 'interBrokerUser'],
      properties: {
        mechanisms: {
          type: 'array',
          description: 'Mechanisms offered to clients; the node\'s default (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN) when unset.',
          minItems: 1,
          'x-kubernetes-list-type': 'set',
          items: { type: 'string', enum: SASL_MECHANISMS },
        },
        usersSecret: keyRef('Secret key holding {"users":[{"name":"...","password":"..."}]}; reloaded when it changes.'),
        interBrokerUser: { type: 'string', minLength: 1, maxLength: MAX_PRINCIPAL_LENGTH, description: 'User from usersSecret the nodes authenticate as to each other; the only principal allowed to open replication links, and implicitly a super user.' },
      },
    },
    acls: {
      type: 'object',
      description: 'ACL file ({"acls":[...]}) from exactly one of a ConfigMap or a Secret key. When set, everything not allowed is denied; reloaded when it changes.',
      properties: {
        configMap: keyRef('ConfigMap key holding the ACL file.'),
        secret: keyRef('Secret key holding the ACL file.'),
      },
    },
    superUsers: {
      type: 'array',
      description: 'Principals (User:<name>) that bypass ACLs.',
      maxItems: MAX_SUPER_USERS,
      'x-kubernetes-list-type': 'set',
      items: { type: 'string', maxLength: MAX_PRINCIPAL_LENGTH },
    },
  },
};

const port = (description: string, def: number): JSONSchema => ({
  type: 'integer',
  description,
  minimum: 1,
  maximum: 65535,
  default: def,
});

export const specSchema: JSONSchema = {
  type: 'object',
  required: ['replicas'],
  'x-kubernetes-validations': [
    { rule: 'has(self.chains) || has(self.chainNames)', message: 'set chains or chainNames' },
  ],
  properties: {
    chains: { type: 'integer', description: 'Number of chains; ignored when chainNames is set.', minimum: 1, maximum: MAX_CHAINS },
    chainNames: {
      type: 'array',
      description: 'Explicit chain names; each chain is named <resource>-<chainName>.',
      minItems: 1,
      maxItems: MAX_CHAINS,
      'x-kubernetes-list-type': 'set',
      items: { type: 'string', minLength: 1, maxLength: MAX_CHAIN_NAME_LENGTH, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    },
    replicas: { type: 'integer', description: 'Members per chain (head ... tail).', minimum: 1, maximum: 15 },
    image: { type: 'string', description: 'Container image of the node and its sidecar; the operator default when empty.' },
    imagePullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
    port: port('Kafka protocol port.', DEFAULT_PORT),
    adminPort: port('Admin HTTP port (/metrics /healthz /readyz /v1/*).', DEFAULT_ADMIN_PORT),
    storage: {
      type: 'object',
      description: 'One PersistentVolumeClaim per node. Fixed once created: a StatefulSet\'s volumeClaimTemplates cannot change, so the API server refuses the change here instead of the operator failing on it later.',
      // Defaulted to {} so size gets its default and the transition rule below always has an oldSelf.
      default: {},
      'x-kubernetes-validations': [STORAGE_IMMUTABLE],
      properties: {
        size: { type: 'string', default: '10Gi', pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$' },
        storageClassName: { type: 'string' },
      },
    },
    resources: opaque('Compute resources of the node container (core/v1 ResourceRequirements).'),
    node: {
      type: 'object',
      description: 'Log settings; changes are pushed to running nodes by the sidecar and roll the pods.',
      properties: {
        segmentBytes: { type: 'integer', minimum: 1048576, description: 'Roll a segment at this size.' },
        retentionBytes: { type: 'integer', minimum: -1, description: 'Per-partition size limit; -1 keeps everything.' },
        retentionMs: { type: 'integer', minimum: -1, description: 'Age limit in milliseconds; -1 keeps everything.' },
        logLevel: { type: 'string', enum: LOG_LEVELS },
      },
    },
    podTemplate: {
      type: 'object',
      description: 'Merged into every pod template.',
      properties: {
        labels: stringMap('Extra pod labels.'),
        annotations: stringMap('Extra pod annotations.'),
        affinity: opaque('core/v1 Affinity.'),
        tolerations: {
          type: 'array',
          description: 'core/v1 Tolerations.',
          items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
        nodeSelector: stringMap('Node selector.'),
      },
    },
    security: securitySchema,
  },
};

const conditionSchema: JSONSchema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: { type: 'string', enum: ['Ready', 'Progressing', 'Degraded'] },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
    message: { type: 'string', maxLength: 32768 },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', minimum: 0 },
  },
};

const chainStatusSchema: JSONSchema = {
  type: 'object',
  required: ['name', 'members', 'readyReplicas', 'ready'],
  properties: {
    name: { type: 'string' },
    members: { type: 'array', items: { type: 'string' } },
    head: { type: 'string' },
    tail: { type: 'string' },
    readyReplicas: { type: 'integer', minimum: 0 },
    ready: { type: 'boolean' },
  },
};

export const statusSchema: JSONSchema = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer', minimum: 0 },
    chainCount: { type: 'integer', minimum: 0 },
    readyChains: { type: 'string' },
    conditions: {
      type: 'array',
      items: conditionSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
    chains: {
      type: 'array',
      items: chainStatusSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    },
  },
};

/** The schema of the whole resource. */
export const resourceSchema: JSONSchema = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: specSchema,
    status: statusSchema,
  },
};
