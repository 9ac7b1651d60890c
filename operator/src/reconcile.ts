// reconcile(key): read the VonnegutChain afresh, then a pipeline of small named steps, each a pure
// builder plus the generic apply. Returns an Outcome for the queue; API errors become a Degraded
// condition (written best-effort) and a retry with backoff.
import type { KubernetesObject, V1StatefulSet } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { applyIfChanged } from './apply.ts';
import { buildContext, desiredObjects, type BuildOptions } from './builders/index.ts';
import type { BuildContext } from './builders/context.ts';
import { InvalidSpecError } from './crd/defaults.ts';
import type { VonnegutChain } from './crd/types.ts';
import { PDB_KIND, REPORT_KIND, SERVICE_KIND, STATEFULSET_KIND, type KindInfo } from './kinds.ts';
import { ApiError, type KubeClient } from './kube.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './metrics.ts';
import { LABEL_CHAIN, LABEL_CLUSTER } from './names.ts';
import type { Outcome } from './queue.ts';
import { scaleDownGate } from './scale-down.ts';
import { reportsOf, computeStatus, statusChanged, type Observed, type Problem } from './status.ts';

/** Read access to the informer caches. */
export interface CacheReader {
  get(kind: KindInfo, namespace: string, name: string): KubernetesObject | undefined;
  list(kind: KindInfo, namespace: string): ReadonlyArray<KubernetesObject>;
}

export interface ReconcilerDeps {
  client: KubeClient;
  cache: CacheReader;
  build: BuildOptions;
  logger: Logger;
  metrics: OperatorMetrics;
}

/** What one reconcile did; tests and logs read it. */
export interface ReconcileReport {
  applied: string[];
  unchanged: number;
  deleted: string[];
  statusWritten: boolean;
  problems: Problem[];
  /** Chains whose replica scale-down waits for members to drain (scale-down.ts). */
  waiting: string[];
}

const objName = (o: KubernetesObject): string => `${o.kind}/${o.metadata?.name}`;

/** Splits `namespace/name`. */
export function parseKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  /** Reconciles one VonnegutChain by key; never throws. */
  async reconcile(key: string): Promise<Outcome & { report?: ReconcileReport }> {
    const { namespace, name } = parseKey(key);
    const log = this.deps.logger.child({ namespace, name, reconcileId: randomUUID().slice(0, 8) });
    const end = this.deps.metrics.reconcileDuration.startTimer();
    try {
      const vgc = await this.deps.client.getChain(namespace, name);
      if (!vgc || vgc.metadata.deletionTimestamp) {
        // Children carry owner references: the API server's garbage collector deletes them.
        log.debug('resource gone; nothing to do');
        this.deps.metrics.reconciliations.inc({ result: 'success' });
        return { kind: 'done' };
      }
      const report = await this.run(vgc, log);
      this.deps.metrics.reconciliations.inc({ result: report.problems.some((p) => p.reason === 'InvalidSpec') ? 'invalid' : 'success' });
      if (report.applied.length > 0 || report.deleted.length > 0) log.info('reconciled', { applied: report.applied, deleted: report.deleted });
      return { kind: 'done', report };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.deps.metrics.reconciliations.inc({ result: 'error' });
      log.warn('reconcile failed; will retry', { error: error.message });
      await this.reportError(namespace, name, error, log);
      return { kind: 'retry', error };
    } finally {
      end();
    }
  }

  private async run(vgc: VonnegutChain, log: Logger): Promise<ReconcileReport> {
    const report: ReconcileReport = { applied: [], unchanged: 0, deleted: [], statusWritten: false, problems: [], waiting: [] };
    const ctx = buildContext(vgc, this.deps.build);
    if (ctx instanceof InvalidSpecError) {
      report.problems.push({ reason: ctx.reason, message: ctx.message });
      report.statusWritten = await this.writeStatus(vgc, undefined, report.problems);
      return report;
    }
    await this.removeChains(vgc, ctx, report, log);
    await this.applyDesired(ctx, report, log);
    report.statusWritten = await this.writeStatus(vgc, ctx, report.problems, report.waiting);
    return report;
  }

  /**
   * Step: server-side apply every desired child that differs from the cache, except a StatefulSet whose
   * replica scale-down waits for its leaving members to drain (scale-down.ts).
   */
  private async applyDesired(ctx: BuildContext, report: ReconcileReport, log: Logger): Promise<void> {
    for (const obj of desiredObjects(ctx)) {
      const kind = { apiVersion: obj.apiVersion!, kind: obj.kind!, plural: '' };
      const live = this.deps.cache.get(kind, ctx.spec.namespace, obj.metadata!.name!);
      if (obj.kind === STATEFULSET_KIND.kind && live) {
        const chain = obj.metadata!.name!;
        const gate = scaleDownGate(chain, ctx.spec.replicas, (live as V1StatefulSet).spec?.replicas, reportsOf(this.reportLeasesOf(ctx.spec.namespace, chain), chain));
        if (gate.hold) {
          log.info('replica scale-down waits for members to drain', { chain, waitingFor: gate.waitingFor });
          report.waiting.push(`${chain}: ${gate.waitingFor.join(', ')}`);
          continue;
        }
      }
      const result = await applyIfChanged(this.deps.client, obj, live);
      if (result === 'applied') report.applied.push(objName(obj));
      else report.unchanged++;
    }
  }

  /**
   * Step: chains no longer in the spec. Removing one deletes its data, so it happens only when every
   * member's sidecar reports that it drained and holds no topic; otherwise the scale-down is refused
   * (Degraded, ScaleDownRefused) and the chain keeps running untouched.
   */
  private async removeChains(vgc: VonnegutChain, ctx: BuildContext, report: ReconcileReport, log: Logger): Promise<void> {
    const wanted = new Set(ctx.spec.chains.map((c) => c.name));
    const owned = this.deps.cache.list(STATEFULSET_KIND, ctx.spec.namespace)
      .filter((s) => s.metadata?.labels?.[LABEL_CLUSTER] === vgc.metadata.name
        && s.metadata?.ownerReferences?.some((o) => o.uid === vgc.metadata.uid));
    for (const sts of owned) {
      const chain = sts.metadata?.labels?.[LABEL_CHAIN] ?? sts.metadata!.name!;
      if (wanted.has(chain)) continue;
      const reports = reportsOf(this.reportLeasesOf(ctx.spec.namespace, chain), chain);
      const expected = (sts as V1StatefulSet).spec?.replicas ?? 0;
      const holding = [...reports.values()].filter((r) => r.topics > 0 || !r.drained);
      if (reports.size < expected || holding.length > 0) {
        const why = reports.size < expected
          ? `${expected - reports.size} of ${expected} members have not reported`
          : `members ${holding.map((r) => r.nodeName).join(', ')} hold topics or are still draining`;
        report.problems.push({ reason: 'ScaleDownRefused', message: `chain ${chain} was removed from the spec but ${why}; it keeps running` });
        continue;
      }
      log.info('removing drained chain', { chain });
      for (const kind of [PDB_KIND, STATEFULSET_KIND, SERVICE_KIND]) {
        await this.deps.client.delete({ apiVersion: kind.apiVersion, kind: kind.kind, namespace: ctx.spec.namespace, name: chain });
        report.deleted.push(`${kind.kind}/${chain}`);
      }
    }
  }

  private reportLeasesOf(namespace: string, chain: string): KubernetesObject[] {
    return this.deps.cache.list(REPORT_KIND, namespace).filter((p) => p.metadata?.labels?.[LABEL_CHAIN] === chain);
  }

  /** Step: status through the status subresource, only when it changed. */
  private async writeStatus(vgc: VonnegutChain, ctx: BuildContext | undefined, problems: Problem[], waiting: string[] = []): Promise<boolean> {
    const observed: Observed = { statefulSets: new Map(), reports: [] };
    if (ctx) {
      for (const c of ctx.spec.chains) {
        const sts = this.deps.cache.get(STATEFULSET_KIND, ctx.spec.namespace, c.name);
        if (sts) observed.statefulSets.set(c.name, sts as V1StatefulSet);
        observed.reports.push(...this.reportLeasesOf(ctx.spec.namespace, c.name));
      }
    }
    const status = computeStatus(vgc, ctx?.spec, observed, problems, waiting);
    if (!statusChanged(vgc.status, status)) return false;
    await this.deps.client.patchChainStatus(vgc.metadata.namespace, vgc.metadata.name, status);
    return true;
  }

  /** An API error becomes Degraded (reason ReconcileError) on the resource, if the resource is reachable. */
  private async reportError(namespace: string, name: string, error: Error, log: Logger): Promise<void> {
    try {
      const vgc = await this.deps.client.getChain(namespace, name);
      if (!vgc) return;
      const reason = error instanceof ApiError ? 'ApiError' : 'ReconcileError';
      const problems = [{ reason, message: error.message }];
      const ctx = buildContext(vgc, this.deps.build);
      await this.writeStatus(vgc, ctx instanceof InvalidSpecError ? undefined : ctx, problems);
    } catch (err) {
      // The API server is likely unreachable; the retry will try again. One debug line, not a warning.
      log.debug('could not record the error in status', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}

