/**
 * `--coordinator` (env VONNEGUT_COORDINATOR): which coordination store a node uses.
 *
 *   etcd:HOST:PORT[,HOST:PORT...]   etcd v3 (etcd.ts)
 *   kubernetes                      Leases in the pod's namespace (kubernetes.ts)
 *   (absent)                        no store: today's fixed chain order, the single-machine/dev mode
 *
 * Only spelling is checked here (startup validation, no network, no client libraries loaded).
 */
import { CoordinationError } from './store.ts';

export type CoordinatorSpec = { kind: 'etcd'; endpoints: string[] } | { kind: 'kubernetes' };

const USAGE = 'expected etcd:HOST:PORT[,HOST:PORT...] or kubernetes';

/** Parses `HOST:PORT[,HOST:PORT...]` (IPv6 hosts in brackets); throws one clear line on anything else. */
export function parseEtcdEndpoints(spec: string): string[] {
  const parts = spec.split(',').map((s) => s.trim());
  return parts.map((p) => {
    const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(p);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) throw new CoordinationError(`etcd endpoint "${p}" is not HOST:PORT (in "${spec}")`);
    return `${m[1]}:${port}`;
  });
}

/** Parses a `--coordinator` value; throws one CoordinationError line on anything else. */
export function parseCoordinatorSpec(spec: string): CoordinatorSpec {
  const s = spec.trim();
  if (s === 'kubernetes') return { kind: 'kubernetes' };
  if (s.startsWith('etcd:')) {
    try {
      return { kind: 'etcd', endpoints: parseEtcdEndpoints(s.slice('etcd:'.length)) };
    } catch (err) {
      throw new CoordinationError(`--coordinator ${JSON.stringify(spec)}: ${(err as Error).message}; ${USAGE}`);
    }
  }
  throw new CoordinationError(`--coordinator ${JSON.stringify(spec)} is not understood; ${USAGE}`);
}
