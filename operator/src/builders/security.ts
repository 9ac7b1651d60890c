// What spec.security adds to the node container: read-only volumes from the referenced Secrets and
// ConfigMap, and the env of `vonnegut serve` that points at the mounted files. Secret contents never
// pass through the operator: the kubelet mounts them, and the node re-reads the files when the kubelet
// updates them (certificate rotation, new users, new ACLs) without a restart. That is also why whole
// volumes are mounted and never through subPath: subPath mounts do not receive updates.
import type { V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { ResolvedSecurity } from '../crd/defaults.ts';

export const TLS_DIR = '/etc/vonnegut/tls';
export const SASL_DIR = '/etc/vonnegut/sasl';
export const ACL_DIR = '/etc/vonnegut/acl';
/** File names inside the mounts; TLS keys are cert-manager's (kubernetes.io/tls plus ca.crt). */
export const TLS_CERT = 'tls.crt';
export const TLS_KEY = 'tls.key';
export const TLS_CA = 'ca.crt';
export const SASL_USERS_FILE = 'users.json';
export const ACL_FILE = 'acls.json';
/** Owner and group read only; fsGroup makes the group the node's. */
export const SECRET_FILE_MODE = 0o440;

export interface SecurityWiring {
  env: V1EnvVar[];
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

const mount = (name: string, mountPath: string): V1VolumeMount => ({ name, mountPath, readOnly: true });

/** Env, volumes and mounts of the node container for a security spec (nothing without one). */
export function securityWiring(security: ResolvedSecurity | undefined): SecurityWiring {
  const out: SecurityWiring = { env: [], volumes: [], mounts: [] };
  if (!security) return out;
  out.env.push({ name: 'VONNEGUT_SECURITY_PROTOCOL', value: security.protocol });
  if (security.tls) {
    out.volumes.push({ name: 'tls', secret: { secretName: security.tls.secretName, defaultMode: SECRET_FILE_MODE } });
    out.mounts.push(mount('tls', TLS_DIR));
    out.env.push(
      { name: 'VONNEGUT_TLS_CERT_FILE', value: `${TLS_DIR}/${TLS_CERT}` },
      { name: 'VONNEGUT_TLS_KEY_FILE', value: `${TLS_DIR}/${TLS_KEY}` },
      { name: 'VONNEGUT_TLS_CA_FILE', value: `${TLS_DIR}/${TLS_CA}` },
    );
  }
  if (security.sasl) {
    const { usersSecret, mechanisms, interBrokerUser } = security.sasl;
    out.volumes.push({ name: 'sasl-users', secret: { secretName: usersSecret.name, defaultMode: SECRET_FILE_MODE, items: [{ key: usersSecret.key, path: SASL_USERS_FILE }] } });
    out.mounts.push(mount('sasl-users', SASL_DIR));
    out.env.push({ name: 'VONNEGUT_SASL_USERS_FILE', value: `${SASL_DIR}/${SASL_USERS_FILE}` });
    if (mechanisms && mechanisms.length > 0) out.env.push({ name: 'VONNEGUT_SASL_MECHANISMS', value: mechanisms.join(',') });
    out.env.push({ name: 'VONNEGUT_SASL_INTER_BROKER_USER', value: interBrokerUser });
  }
  const acls = security.acls;
  if (acls?.secret) {
    out.volumes.push({ name: 'acl', secret: { secretName: acls.secret.name, defaultMode: SECRET_FILE_MODE, items: [{ key: acls.secret.key, path: ACL_FILE }] } });
  } else if (acls?.configMap) {
    out.volumes.push({ name: 'acl', configMap: { name: acls.configMap.name, defaultMode: SECRET_FILE_MODE, items: [{ key: acls.configMap.key, path: ACL_FILE }] } });
  }
  if (acls?.secret || acls?.configMap) {
    out.mounts.push(mount('acl', ACL_DIR));
    out.env.push({ name: 'VONNEGUT_ACL_FILE', value: `${ACL_DIR}/${ACL_FILE}` });
  }
  if (security.superUsers && security.superUsers.length > 0) out.env.push({ name: 'VONNEGUT_SUPER_USERS', value: security.superUsers.join(',') });
  return out;
}
