// The operator as the fake-API-server tests run it: fast backoffs, silent logs, an ephemeral metrics port.
import { runOperator, type OperatorOptions, type RunningOperator } from '../../src/main.ts';
import { silentLogger } from '../../src/logger.ts';
import type { FakeApiServer } from './fake-apiserver.ts';

/** Backoffs short enough for tests to see several retries. */
export const FAST_BACKOFF = { baseMs: 20, maxMs: 200 };

/** Runs the real operator against `api`; `overrides` change single options. */
export function startTestOperator(api: FakeApiServer, overrides: Partial<OperatorOptions> = {}): Promise<RunningOperator> {
  return runOperator({
    kubeConfig: api.kubeConfig(), logger: silentLogger(),
    metricsHost: '127.0.0.1', metricsPort: 0, logLevel: 'error', defaultImage: 'vonnegut:1',
    sidecarClusterRole: 'vonnegut-sidecar', clusterDomain: 'cluster.local', resyncMs: 60_000,
    queueBackoff: FAST_BACKOFF, informerBackoff: FAST_BACKOFF,
    ...overrides,
  });
}
