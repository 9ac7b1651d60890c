// The StatefulSet of one chain: ordinal i is member i of the chain (0 = head, replicas-1 = tail).
import type { V1Container, V1PodSecurityContext, V1SecurityContext, V1StatefulSet, V1Volume } from '@kubernetes/client-node';
import {
  ADMIN_PORT_NAME, ADMIN_TOKEN_DIR, DATA_DIR, KAFKA_PORT_NAME, NODE_CONTAINER, SIDECAR_CONTAINER,
  chainLabels, selectorLabels, sidecarAccountName,
} from '../names.ts';
import { chainMetadata, type BuildContext } from './context.ts';
import { nodeEnv, sidecarEnv } from './env.ts';
import { securityWiring } from './security.ts';
import { settingsEnvFrom } from './settings.ts';

/** UID/GID of the `node` user of the node:*-slim images. */
export const RUN_AS_USER = 1000;
/**
 * Memory from measurement, not guesswork: e2e/dockerfile-replay.test.ts runs the built image's node,
 * operator and sidecar under load, reads each one's peak RSS (VmHWM) and fails when peak x 1.3 passes
 * these limits. Measured (2026-12, node 20): node 132 MiB producing and reading back 32 MiB, sidecar
 * 160 MiB (most of it @kubernetes/client-node), operator 149 MiB with 20 resources x 3 chains.
 */
export const NODE_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } };
export const SIDECAR_RESOURCES = { requests: { cpu: '10m', memory: '160Mi' }, limits: { memory: '256Mi' } };

/** Long enough for a drain to hand its in-flight writes down the chain. */
export const TERMINATION_GRACE_SECONDS = 60;

const containerSecurity: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

const podSecurity: V1PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: RUN_AS_USER,
  runAsGroup: RUN_AS_USER,
  // Makes the PVC writable by the non-root user.
  fsGroup: RUN_AS_USER,
  seccompProfile: { type: 'RuntimeDefault' },
};

// Anything that writes to os.tmpdir() needs a writable /tmp under the read-only root filesystem.
const tmpMount = { name: 'tmp', mountPath: '/tmp' };

/** Where client-node's in-cluster config looks for the token, CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const API_ACCESS_VOLUME = 'kube-api-access';
/** Short-lived: the kubelet rotates the projected token well before this (client-node re-reads it). */
export const TOKEN_EXPIRATION_SECONDS = 3607;

/**
 * The pod does not automount its ServiceAccount token; the containers that call the API server mount
 * this projected volume (what automounting would give, made explicit per container).
 */
export const apiAccessVolume: V1Volume = {
  name: API_ACCESS_VOLUME,
  projected: {
    defaultMode: 0o444,
    sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: TOKEN_EXPIRATION_SECONDS } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};
const apiAccessMount = { name: API_ACCESS_VOLUME, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true };

/** The node's admin token: written by the node, read by the sidecar, in memory, never in an object. */
const ADMIN_TOKEN_VOLUME: V1Volume = { name: 'admin-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };

function nodeContainer(ctx: BuildContext, chain: string): V1Container {
  const { spec } = ctx;
  const security = securityWiring(spec.security);
  return {
    name: NODE_CONTAINER,
    image: spec.image,
    imagePullPolicy: spec.imagePullPolicy,
    args: ['serve'],
    env: [...nodeEnv(ctx, chain), ...security.env],
    envFrom: settingsEnvFrom(ctx),
    ports: [
      { name: KAFKA_PORT_NAME, containerPort: spec.port, protocol: 'TCP' },
      { name: ADMIN_PORT_NAME, containerPort: spec.adminPort, protocol: 'TCP' },
    ],
    readinessProbe: {
      httpGet: { path: '/readyz', port: ADMIN_PORT_NAME },
      periodSeconds: 5,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/healthz', port: ADMIN_PORT_NAME },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      failureThreshold: 6,
    },
    resources: spec.resources ?? NODE_RESOURCES,
    securityContext: containerSecurity,
    // The token is there for --coordinator kubernetes (Leases) only; RBAC grants nothing else a node needs.
    volumeMounts: [{ name: 'data', mountPath: DATA_DIR }, tmpMount, { name: ADMIN_TOKEN_VOLUME.name, mountPath: ADMIN_TOKEN_DIR }, apiAccessMount, ...security.mounts],
  };
}

function sidecarContainer(ctx: BuildContext, chain: string): V1Container {
  return {
    name: SIDECAR_CONTAINER,
    image: ctx.spec.image,
    imagePullPolicy: ctx.spec.imagePullPolicy,
    args: ['sidecar'],
    env: sidecarEnv(ctx, chain),
    envFrom: settingsEnvFrom(ctx),
    resources: SIDECAR_RESOURCES,
    securityContext: containerSecurity,
    volumeMounts: [tmpMount, { name: ADMIN_TOKEN_VOLUME.name, mountPath: ADMIN_TOKEN_DIR, readOnly: true }, apiAccessMount],
  };
}

/** StatefulSet `<chain>` with `replicas` members, a `data` claim per member, and the sidecar. */
export function statefulSet(ctx: BuildContext, chain: string): V1StatefulSet {
  const { spec } = ctx;
  const labels = chainLabels(spec, chain);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: chainMetadata(ctx, chain),
    spec: {
      serviceName: chain,
      replicas: spec.replicas,
      selector: { matchLabels: selectorLabels(spec.clusterName, chain) },
      // OrderedReady would start member 1 only after member 0 is Ready, but member 0 is Ready only once
      // the chain is writable, which needs all `replicas` members: a deadlock. Parallel starts them
      // together. It affects only scaling; updates still follow updateStrategy below.
      podManagementPolicy: 'Parallel',
      // RollingUpdate replaces pods from the highest ordinal down, one at a time, waiting for each to be
      // Ready: the tail first, then middles, the head last. One member of a chain is down at a time.
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: { ...spec.podLabels, ...labels }, annotations: { ...spec.podAnnotations } },
        spec: {
          serviceAccountName: sidecarAccountName(spec.clusterName),
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: podSecurity,
          containers: [nodeContainer(ctx, chain), sidecarContainer(ctx, chain)],
          volumes: [{ name: 'tmp', emptyDir: {} }, ADMIN_TOKEN_VOLUME, apiAccessVolume, ...securityWiring(spec.security).volumes],
          affinity: spec.affinity,
          tolerations: spec.tolerations,
          nodeSelector: spec.nodeSelector,
        },
      },
      volumeClaimTemplates: [
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data', labels: selectorLabels(spec.clusterName, chain) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: spec.storageClassName,
            resources: { requests: { storage: spec.storageSize } },
          },
        },
      ],
    },
  };
}
