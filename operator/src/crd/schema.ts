// The OpenAPI v3 schema of VonnegutChain, written as data so crds/*.yaml is generated, never hand-edited.
// Property names mirror ./types.ts; operator/test/crd.test.ts checks both directions.
import { LOG_LEVELS } from './types.ts';

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
export const DEFAULT_ADMIN_PORT = 9644;
export const MAX_CHAINS = 64;
/** DNS label limit (63) minus room for `<resource>-` and the StatefulSet's `-<ordinal>` suffix. */
export const MAX_CHAIN_NAME_LENGTH = 20;

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
      description: 'One PersistentVolumeClaim per node.',
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
