/**
 * The coordination store on the Kubernetes API (`--coordinator kubernetes`), objects in the pod's
 * namespace (POD_NAMESPACE, else the service account's namespace file). Names in `keys.ts`.
 *
 * Everything is a coordination.k8s.io/v1 Lease, the configuration too (as an annotation on a Lease),
 * rather than a ConfigMap as Patroni does: the RBAC a node needs is then `leases` only (get, list, watch,
 * create, update, delete), not read/write on every ConfigMap of the namespace, which often holds other
 * applications' settings; and one list of one kind sees a chain's whole state.
 *
 * - Configuration: compare-and-set is a replace (PUT) carrying the expected metadata.resourceVersion:
 *   the API server answers 409 Conflict when it is stale, which resolves to null. Expected null is a
 *   create (POST): 409 AlreadyExists resolves to null. The version token is the resourceVersion.
 * - Member leases: holderIdentity, renewTime, leaseDurationSeconds as leader election writes them; a
 *   lease is expired when renewTime + its TTL < now. Nothing deletes an expired Lease, so expiry is
 *   judged by the reader's clock: members' clocks must agree to well under a TTL (NTP does).
 * - Watch polls (WATCH_POLL_MS): lease expiry is the passing of time, not an API event, so a watch
 *   stream alone could not report it; polling one small list per chain covers both.
 *
 * Every call has a deadline; an expired one aborts the HTTP request and rejects with CoordinationError.
 */
import fs from 'node:fs';
import { ApiException, CoordinationV1Api, KubeConfig, V1MicroTime, Observable, type RequestContext, type ResponseContext, type V1Lease } from '@kubernetes/client-node';
import { silentLogger, type Logger } from '../logging.ts';
import { withDeadline } from './deadline.ts';
import {
  K8S_ANNOTATION_CHAIN, K8S_ANNOTATION_CONFIG, K8S_ANNOTATION_INFO, K8S_ANNOTATION_MEMBER, K8S_ANNOTATION_TTL_MS, K8S_LABEL_CHAIN, K8S_LABEL_ROLE,
  checkChainConfig, checkMemberInfo, k8sChainLabel, k8sConfigName, k8sMemberName, parseChainConfig, parseMemberInfo,
} from './keys.ts';
import { CoordinationError, type ChainConfig, type CoordinationStore, type MemberInfo, type MemberLease, type Versioned } from './store.ts';

/** Deadline of every API call except renewals. */
export const K8S_CALL_TIMEOUT_MS = 3_000;
/** A renewal gets min(ttl / 2, this), so a node learns it cannot renew well before its lease lapses. */
export const K8S_RENEW_TIMEOUT_MAX_MS = 2_000;
/** How often a watch re-lists a chain's Leases. */
export const K8S_WATCH_POLL_MS = 1_000;
const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
const API_VERSION = 'coordination.k8s.io/v1';

/** The pod's namespace: POD_NAMESPACE, else the service account's namespace file. */
export function podNamespace(env: NodeJS.ProcessEnv = process.env): string {
  if (env.POD_NAMESPACE) return env.POD_NAMESPACE;
  try {
    const ns = fs.readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
    if (ns) return ns;
  } catch {
    // fall through to the one error below
  }
  throw new CoordinationError(`--coordinator kubernetes needs POD_NAMESPACE or ${SERVICE_ACCOUNT_NAMESPACE}`);
}

type CallOptions = NonNullable<Parameters<CoordinationV1Api['readNamespacedLease']>[1]>;

/** Request options that abort the HTTP request at `deadline`. */
function abortAt(deadline: Date): CallOptions {
  const signal = AbortSignal.timeout(Math.max(1, deadline.getTime() - Date.now()));
  const middleware: NonNullable<CallOptions['middleware']>[number] = {
    pre: (ctx: RequestContext) => {
      ctx.setSignal(signal);
      return new Observable(Promise.resolve(ctx));
    },
    post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

function httpStatus(err: unknown): number {
  return err instanceof ApiException ? err.code : 0;
}

/** The TTL a member lease was written with, in ms. */
function ttlOf(lease: V1Lease): number {
  const exact = Number(lease.metadata?.annotations?.[K8S_ANNOTATION_TTL_MS]);
  return Number.isFinite(exact) && exact > 0 ? exact : (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
}

/** Whether a member lease is still live at `now` (renewTime + TTL not yet passed). */
export function leaseLive(lease: V1Lease, now = Date.now()): boolean {
  const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime as unknown as string).getTime() : NaN;
  return Number.isFinite(renewed) && renewed + ttlOf(lease) >= now;
}

export interface KubernetesStoreOptions {
  /** Defaults to KubeConfig.loadFromDefault() (in a pod: the service account). */
  kubeConfig?: KubeConfig;
  /** Defaults to `podNamespace()`. */
  namespace?: string;
  logger?: Logger;
  callTimeoutMs?: number;
  watchPollMs?: number;
}

export class KubernetesStore implements CoordinationStore {
  readonly description: string;
  private readonly api: CoordinationV1Api;
  private readonly namespace: string;
  private readonly logger: Logger;
  private readonly callTimeoutMs: number;
  private readonly watchPollMs: number;
  /** resourceVersion of each member Lease this client last wrote, for conditional renewals. */
  private readonly held = new Map<string, string>();
  private readonly watchStops = new Set<() => void>();

  constructor(opts: KubernetesStoreOptions = {}) {
    const kc = opts.kubeConfig ?? new KubeConfig();
    if (!opts.kubeConfig) kc.loadFromDefault();
    this.namespace = opts.namespace ?? podNamespace();
    this.description = `kubernetes:ns/${this.namespace}`;
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.logger = (opts.logger ?? silentLogger).child({ coordinator: this.description });
    this.callTimeoutMs = opts.callTimeoutMs ?? K8S_CALL_TIMEOUT_MS;
    this.watchPollMs = opts.watchPollMs ?? K8S_WATCH_POLL_MS;
  }

  async getConfig(chain: string): Promise<Versioned<ChainConfig> | null> {
    const name = k8sConfigName(chain);
    return withDeadline(`kubernetes read lease ${this.namespace}/${name}`, this.callTimeoutMs, async (deadline) => {
      const lease = await this.read(name, deadline);
      return lease ? this.configOf(lease, name) : null;
    });
  }

  async compareAndSetConfig(chain: string, next: ChainConfig, expected: string | null): Promise<Versioned<ChainConfig> | null> {
    const value = checkChainConfig(next);
    const name = k8sConfigName(chain);
    const body: V1Lease = {
      apiVersion: API_VERSION,
      kind: 'Lease',
      metadata: {
        name,
        namespace: this.namespace,
        labels: { [K8S_LABEL_CHAIN]: k8sChainLabel(chain), [K8S_LABEL_ROLE]: 'config' },
        annotations: { [K8S_ANNOTATION_CHAIN]: chain, [K8S_ANNOTATION_CONFIG]: JSON.stringify(value) },
        ...(expected === null ? {} : { resourceVersion: expected }),
      },
      spec: {},
    };
    return withDeadline(`kubernetes compare-and-set lease ${this.namespace}/${name}`, this.callTimeoutMs, async (deadline) => {
      try {
        const written =
          expected === null
            ? await this.api.createNamespacedLease({ namespace: this.namespace, body }, abortAt(deadline))
            : await this.api.replaceNamespacedLease({ name, namespace: this.namespace, body }, abortAt(deadline));
        return { value, version: written.metadata!.resourceVersion! };
      } catch (err) {
        // 409: stale resourceVersion (replace) or already there (create); 404: deleted since it was read.
        if (httpStatus(err) === 409 || (expected !== null && httpStatus(err) === 404)) return null;
        throw err;
      }
    });
  }

  async renewLease(chain: string, member: string, info: MemberInfo, ttlMs: number): Promise<void> {
    const checked = checkMemberInfo(info);
    if (!(ttlMs > 0)) throw new CoordinationError(`lease ttl must be positive, got ${ttlMs}`);
    const name = k8sMemberName(chain, member);
    const timeoutMs = Math.min(Math.floor(ttlMs / 2), K8S_RENEW_TIMEOUT_MAX_MS);
    await withDeadline(`kubernetes renew lease ${this.namespace}/${name}`, timeoutMs, async (deadline) => {
      const now = new Date();
      const body = (resourceVersion: string | undefined, acquired: Date | undefined): V1Lease => ({
        apiVersion: API_VERSION,
        kind: 'Lease',
        metadata: {
          name,
          namespace: this.namespace,
          labels: { [K8S_LABEL_CHAIN]: k8sChainLabel(chain), [K8S_LABEL_ROLE]: 'member' },
          annotations: { [K8S_ANNOTATION_CHAIN]: chain, [K8S_ANNOTATION_MEMBER]: member, [K8S_ANNOTATION_INFO]: JSON.stringify(checked), [K8S_ANNOTATION_TTL_MS]: String(ttlMs) },
          ...(resourceVersion ? { resourceVersion } : {}),
        },
        spec: { holderIdentity: member, leaseDurationSeconds: Math.ceil(ttlMs / 1000), renewTime: new V1MicroTime(now.getTime()), acquireTime: new V1MicroTime((acquired ?? now).getTime()) },
      });
      const known = this.held.get(name);
      if (known) {
        try {
          this.held.set(name, (await this.api.replaceNamespacedLease({ name, namespace: this.namespace, body: body(known, undefined) }, abortAt(deadline))).metadata!.resourceVersion!);
          return;
        } catch (err) {
          // Changed or deleted behind our back (another client, a manual delete): read it afresh below.
          if (httpStatus(err) !== 409 && httpStatus(err) !== 404) throw err;
          this.held.delete(name);
        }
      }
      const current = await this.read(name, deadline);
      const write = current
        ? this.api.replaceNamespacedLease({ name, namespace: this.namespace, body: body(current.metadata!.resourceVersion, undefined) }, abortAt(deadline))
        : this.api.createNamespacedLease({ namespace: this.namespace, body: body(undefined, now) }, abortAt(deadline));
      this.held.set(name, (await write).metadata!.resourceVersion!);
    });
  }

  async releaseLease(chain: string, member: string): Promise<void> {
    const name = k8sMemberName(chain, member);
    this.held.delete(name);
    await withDeadline(`kubernetes delete lease ${this.namespace}/${name}`, this.callTimeoutMs, async (deadline) => {
      try {
        await this.api.deleteNamespacedLease({ name, namespace: this.namespace }, abortAt(deadline));
      } catch (err) {
        if (httpStatus(err) !== 404) throw err;
      }
    });
  }

  async liveMembers(chain: string): Promise<MemberLease[]> {
    return withDeadline(`kubernetes list leases of ${chain}`, this.callTimeoutMs, async (deadline) => this.membersOf(chain, await this.listChain(chain, deadline)));
  }

  watch(chain: string, onChange: () => void): () => void {
    let last: string | undefined;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async (): Promise<void> => {
      try {
        const leases = await withDeadline(`kubernetes list leases of ${chain}`, this.callTimeoutMs, (deadline) => this.listChain(chain, deadline));
        const config = leases.find((l) => l.metadata?.labels?.[K8S_LABEL_ROLE] === 'config');
        // Renewals change every member Lease's resourceVersion; only who is live (and where) matters.
        const seen = JSON.stringify([config?.metadata?.resourceVersion ?? null, this.membersOf(chain, leases)]);
        if (!stopped && last !== undefined && seen !== last) onChange();
        last = seen;
      } catch (err) {
        this.logger.warn('kubernetes watch poll failed; polling on', { chain, err: err instanceof Error ? err.message : String(err) });
      }
      if (!stopped) timer = setTimeout(() => void poll(), this.watchPollMs);
    };
    void poll();
    const stop = (): void => {
      stopped = true;
      clearTimeout(timer);
      this.watchStops.delete(stop);
    };
    this.watchStops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    for (const stop of [...this.watchStops]) stop();
    this.held.clear();
  }

  private async read(name: string, deadline: Date): Promise<V1Lease | null> {
    try {
      return await this.api.readNamespacedLease({ name, namespace: this.namespace }, abortAt(deadline));
    } catch (err) {
      if (httpStatus(err) === 404) return null;
      throw err;
    }
  }

  /** Every Lease of the chain (its configuration and its members), exact chain name checked. */
  private async listChain(chain: string, deadline: Date): Promise<V1Lease[]> {
    const list = await this.api.listNamespacedLease({ namespace: this.namespace, labelSelector: `${K8S_LABEL_CHAIN}=${k8sChainLabel(chain)}` }, abortAt(deadline));
    return list.items.filter((l) => l.metadata?.annotations?.[K8S_ANNOTATION_CHAIN] === chain);
  }

  private membersOf(chain: string, leases: V1Lease[]): MemberLease[] {
    const now = Date.now();
    const out: MemberLease[] = [];
    for (const l of leases) {
      const a = l.metadata?.annotations ?? {};
      if (l.metadata?.labels?.[K8S_LABEL_ROLE] !== 'member' || !leaseLive(l, now)) continue;
      const info = parseMemberInfo(a[K8S_ANNOTATION_INFO] ?? '');
      const member = a[K8S_ANNOTATION_MEMBER];
      if (info && member) out.push({ member, info });
      else this.logger.warn('unreadable member lease ignored', { chain, lease: l.metadata?.name });
    }
    return out.sort((x, y) => (x.member < y.member ? -1 : x.member > y.member ? 1 : 0));
  }

  private configOf(lease: V1Lease, name: string): Versioned<ChainConfig> {
    const text = lease.metadata?.annotations?.[K8S_ANNOTATION_CONFIG];
    if (text === undefined) throw new CoordinationError(`lease ${this.namespace}/${name} has no ${K8S_ANNOTATION_CONFIG} annotation`);
    return { value: parseChainConfig(text, `${this.namespace}/${name}`), version: lease.metadata!.resourceVersion! };
  }
}
