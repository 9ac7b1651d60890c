// Operator metrics (vonnegut_operator_*), on a registry of their own so tests can run several operators.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type ReconcileResult = 'success' | 'error' | 'invalid';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciliations = new Counter({
    name: 'vonnegut_operator_reconciliations_total',
    help: 'Reconciles by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'vonnegut_operator_reconcile_duration_seconds',
    help: 'Time to reconcile one VonnegutChain.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly managedResources = new Gauge({
    name: 'vonnegut_operator_managed_resources',
    help: 'Objects the operator manages, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly informerRestarts = new Counter({
    name: 'vonnegut_operator_informer_restarts_total',
    help: 'Informer restarts after watch or list errors, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'vonnegut_operator_leader',
    help: '1 while this replica reconciles (holds the leader Lease, or runs without leader election), else 0.',
    registers: [this.registry],
  });

  constructor(withDefaults = false) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry, prefix: 'vonnegut_operator_' });
  }
}
