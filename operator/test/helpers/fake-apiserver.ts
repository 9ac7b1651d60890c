// A loopback stand-in for the Kubernetes API server, good enough for the operator's client: discovery,
// list, watch (chunked JSON lines, resourceVersion history, 410 Gone after compaction), get, server-side
// apply (PATCH application/apply-patch+yaml), merge patch on /status, delete with owner-reference GC,
// and injected faults. Single field manager semantics: an apply replaces the applier's fields.
// Create (POST: 409 AlreadyExists) and replace (PUT: 409 Conflict on a stale metadata.resourceVersion,
// 404 when missing, unconditional without one) with 422 for invalid objects, as leader election and the
// Kubernetes coordination store use them on coordination.k8s.io Leases.
// Per-kind validators run on every write and answer 422 as admission would (the CRD's CEL rules: cel.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid: string; kind: string; name: string }[]; creationTimestamp?: string; deletionTimestamp?: string; [k: string]: unknown };
  spec?: unknown;
  status?: unknown;
  [k: string]: unknown;
};

interface Resource { groupVersion: string; plural: string; kind: string; namespaced: boolean }

const RESOURCES: Resource[] = [
  { groupVersion: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { groupVersion: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { groupVersion: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { groupVersion: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { groupVersion: 'apps/v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { groupVersion: 'policy/v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true },
  { groupVersion: 'rbac.authorization.k8s.io/v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  { groupVersion: 'vonnegut.io/v1alpha1', plural: 'vonnegutchains', kind: 'VonnegutChain', namespaced: true },
  { groupVersion: 'coordination.k8s.io/v1', plural: 'leases', kind: 'Lease', namespaced: true },
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** What the real API server's validation would refuse with 422 Invalid (the subset this fake checks), or null. */
function invalid(r: Resource, obj: Obj): string | null {
  const m = obj.metadata;
  if (!m?.name || m.name.length > 253 || !DNS_SUBDOMAIN.test(m.name)) return `metadata.name: Invalid value: "${String(m?.name)}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`;
  for (const k of Object.keys(m.annotations ?? {})) if (!QUALIFIED_NAME.test(k)) return `metadata.annotations: Invalid value: "${k}"`;
  for (const [k, v] of Object.entries(m.labels ?? {})) {
    if (!QUALIFIED_NAME.test(k) || v.length > 63 || !LABEL_VALUE.test(v)) return `metadata.labels: Invalid value: "${k}=${v}"`;
  }
  if (r.kind === 'Lease') {
    const spec = (obj.spec ?? {}) as { leaseDurationSeconds?: unknown; renewTime?: unknown; acquireTime?: unknown; holderIdentity?: unknown; leaseTransitions?: unknown };
    if (spec.leaseDurationSeconds !== undefined && (!Number.isInteger(spec.leaseDurationSeconds) || (spec.leaseDurationSeconds as number) <= 0)) return 'spec.leaseDurationSeconds: Invalid value: must be greater than 0';
    if (spec.leaseTransitions !== undefined && (!Number.isInteger(spec.leaseTransitions) || (spec.leaseTransitions as number) < 0)) return 'spec.leaseTransitions: Invalid value: must be greater than or equal to 0';
    for (const f of ['renewTime', 'acquireTime'] as const) {
      if (spec[f] !== undefined && (typeof spec[f] !== 'string' || !MICRO_TIME.test(spec[f] as string))) return `spec.${f}: Invalid value: not a MicroTime`;
    }
    if (spec.holderIdentity !== undefined && typeof spec.holderIdentity !== 'string') return 'spec.holderIdentity: Invalid value: must be a string';
  }
  return null;
}

export interface RequestRecord { method: string; path: string; query: URLSearchParams; contentType: string; time: number }
interface Fault { method: string; path: RegExp; status: number; remaining: number }
interface WatchEvent { rv: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: Obj }
interface Watcher { res: ServerResponse; gv: string; plural: string; namespace?: string; selector: [string, string][]; fieldName?: string }

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function mergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: { [k: string]: Json } = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** An object the validator refused: the API server's 422 Invalid. */
export class InvalidObjectError extends Error {
  constructor(readonly kind: string, readonly objectName: string, readonly causes: string[]) {
    super(`${kind} "${objectName}" is invalid: ${causes.join('; ')}`);
    this.name = 'InvalidObjectError';
  }
}

/** Checks a new version of an object against the old one (absent on create); returns what is wrong. */
export type Validator = (obj: Obj, old: Obj | undefined) => string[];

export class FakeApiServer {
  private server: Server | undefined;
  private rv = 100;
  private uidSeq = 0;
  /** `<gv>/<plural>` -> `<ns>/<name>` -> object */
  private readonly store = new Map<string, Map<string, Obj>>();
  private readonly history: (WatchEvent & { gv: string; plural: string })[] = [];
  private compactedBelow = 0;
  private readonly watchers = new Set<Watcher>();
  private readonly faults: Fault[] = [];
  readonly requests: RequestRecord[] = [];
  port = 0;

  /** `validators[kind]` runs on every write of that kind, as admission (CRD schema rules) would. */
  constructor(private readonly validators: Record<string, Validator> = {}) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (err instanceof InvalidObjectError) this.send(res, 422, this.status(422, 'Invalid', err.message));
        else this.send(res, 500, this.status(500, 'InternalError', String(err)));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
      this.server?.closeAllConnections();
    });
  }

  /** A KubeConfig pointing at this server, without credentials. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
      currentContext: 'fake',
    });
    return kc;
  }

  // ---- test controls ----

  /** Creates or replaces an object as another client would (with a watch event). */
  put(obj: Obj): Obj {
    const r = this.resourceOf(obj.apiVersion, obj.kind);
    const existing = this.get(obj.apiVersion, obj.kind, obj.metadata.namespace ?? '', obj.metadata.name);
    const next = clone(obj);
    next.metadata.uid = existing?.metadata.uid ?? next.metadata.uid ?? `uid-${++this.uidSeq}`;
    next.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? new Date().toISOString();
    const specChanged = JSON.stringify(existing?.spec) !== JSON.stringify(next.spec);
    next.metadata.generation = (existing?.metadata.generation ?? 0) + (existing ? (specChanged ? 1 : 0) : 1);
    if (existing && next.status === undefined) next.status = existing.status;
    return this.write(r, next, existing ? 'MODIFIED' : 'ADDED');
  }

  /** Sets an object's status (as the StatefulSet controller would). */
  setStatus(apiVersion: string, kind: string, namespace: string, name: string, status: unknown): void {
    const obj = this.get(apiVersion, kind, namespace, name);
    if (!obj) throw new Error(`no ${kind} ${namespace}/${name}`);
    this.write(this.resourceOf(apiVersion, kind), { ...clone(obj), status: clone(status) }, 'MODIFIED');
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): Obj | undefined {
    const r = this.resourceOf(apiVersion, kind);
    const o = this.bucket(r).get(`${namespace}/${name}`);
    return o ? clone(o) : undefined;
  }

  list(apiVersion: string, kind: string, namespace?: string): Obj[] {
    return [...this.bucket(this.resourceOf(apiVersion, kind)).values()]
      .filter((o) => !namespace || o.metadata.namespace === namespace).map(clone);
  }

  /** Deletes as a user would, then garbage-collects dependents by owner uid, as kube-controller-manager does. */
  remove(apiVersion: string, kind: string, namespace: string, name: string): void {
    const r = this.resourceOf(apiVersion, kind);
    const obj = this.bucket(r).get(`${namespace}/${name}`);
    if (!obj) return;
    this.deleteObj(r, obj);
  }

  /** Deletes without recording a watch event, as if the event had been compacted away. */
  removeSilently(apiVersion: string, kind: string, namespace: string, name: string): void {
    this.bucket(this.resourceOf(apiVersion, kind)).delete(`${namespace}/${name}`);
    this.rv++;
  }

  /** Ends every open watch stream, as an API server restart or a load balancer timeout would. */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Forgets history: a watch from any resourceVersion seen so far gets 410 Gone. */
  compact(): void {
    this.compactedBelow = this.rv + 1;
    this.history.length = 0;
  }

  /** The next `times` requests matching method and path fail with `status`. */
  fail(method: string, path: RegExp, status: number, times: number): void {
    this.faults.push({ method, path, status, remaining: times });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests that change state (what an idempotent reconcile must not send). */
  writes(since = 0): RequestRecord[] {
    return this.requests.slice(since).filter((r) => r.method !== 'GET');
  }

  openWatches(): number {
    return this.watchers.size;
  }

  // ---- internals ----

  private resourceOf(apiVersion: string, kind: string): Resource {
    const r = RESOURCES.find((x) => x.groupVersion === apiVersion && x.kind === kind);
    if (!r) throw new Error(`fake apiserver: unknown kind ${apiVersion}/${kind}`);
    return r;
  }

  private bucket(r: Resource): Map<string, Obj> {
    const key = `${r.groupVersion}/${r.plural}`;
    let b = this.store.get(key);
    if (!b) this.store.set(key, (b = new Map()));
    return b;
  }

  private write(r: Resource, obj: Obj, type: 'ADDED' | 'MODIFIED'): Obj {
    const old = this.bucket(r).get(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    const problems = this.validators[r.kind]?.(obj, old) ?? [];
    if (problems.length > 0) throw new InvalidObjectError(r.kind, obj.metadata.name, problems);
    obj.metadata.resourceVersion = String(++this.rv);
    this.bucket(r).set(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, obj);
    this.emit(r, { rv: this.rv, type, object: obj });
    return clone(obj);
  }

  private deleteObj(r: Resource, obj: Obj): void {
    this.bucket(r).delete(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
    const gone = { ...clone(obj), metadata: { ...clone(obj.metadata), resourceVersion: String(++this.rv) } };
    this.emit(r, { rv: this.rv, type: 'DELETED', object: gone });
    const uid = obj.metadata.uid;
    for (const res of RESOURCES) {
      for (const dep of [...this.bucket(res).values()]) {
        if (dep.metadata.ownerReferences?.some((o) => o.uid === uid)) this.deleteObj(res, dep);
      }
    }
  }

  private emit(r: Resource, ev: WatchEvent): void {
    this.history.push({ ...ev, gv: r.groupVersion, plural: r.plural });
    for (const w of this.watchers) {
      if (w.gv === r.groupVersion && w.plural === r.plural && this.matches(w, ev.object)) {
        w.res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
      }
    }
  }

  private matches(w: { namespace?: string; selector: [string, string][]; fieldName?: string }, o: Obj): boolean {
    if (w.namespace && o.metadata.namespace !== w.namespace) return false;
    if (w.fieldName && o.metadata.name !== w.fieldName) return false;
    return w.selector.every(([k, v]) => o.metadata.labels?.[k] === v);
  }

  private status(code: number, reason: string, message: string): Json {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  }

  private send(res: ServerResponse, code: number, body: Json): void {
    if (res.headersSent) { res.end(); return; }
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    const contentType = String(req.headers['content-type'] ?? '');
    this.requests.push({ method, path: url.pathname, query: url.searchParams, contentType, time: Date.now() });
    const fault = this.faults.find((f) => f.remaining > 0 && f.method === method && f.path.test(url.pathname + url.search));
    if (fault) {
      fault.remaining--;
      await this.body(req);
      this.send(res, fault.status, this.status(fault.status, 'InjectedFault', `injected ${fault.status}`));
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    // discovery
    const gvOf = (): { gv: string; rest: string[] } | undefined => {
      if (parts[0] === 'api' && parts[1]) return { gv: parts[1], rest: parts.slice(2) };
      if (parts[0] === 'apis' && parts[1] && parts[2]) return { gv: `${parts[1]}/${parts[2]}`, rest: parts.slice(3) };
      return undefined;
    };
    const loc = gvOf();
    if (!loc) return this.send(res, 404, this.status(404, 'NotFound', url.pathname));
    const { gv } = loc;
    let rest = loc.rest;
    if (rest.length === 0 && method === 'GET') {
      return this.send(res, 200, {
        kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv,
        resources: RESOURCES.filter((r) => r.groupVersion === gv).map((r) => ({ name: r.plural, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] })),
      });
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub] = rest;
    const r = RESOURCES.find((x) => x.groupVersion === gv && x.plural === plural);
    if (!r) return this.send(res, 404, this.status(404, 'NotFound', `no resource ${gv}/${plural}`));
    const selector = (url.searchParams.get('labelSelector') ?? '').split(',').filter(Boolean)
      .map((s) => s.split('=') as [string, string]);
    // Only the `metadata.name=<name>` field selector is supported (what the sidecar uses).
    const fieldName = /^metadata\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
    if (!name && method === 'GET') {
      if (url.searchParams.get('watch') === 'true') return this.watch(res, r, namespace, selector, url.searchParams.get('resourceVersion') ?? '', fieldName);
      const items = [...this.bucket(r).values()].filter((o) => this.matches({ namespace, selector, fieldName }, o))
        // Real list items carry no apiVersion/kind.
        .map(({ apiVersion: _a, kind: _k, ...rest2 }) => rest2 as Json);
      return this.send(res, 200, { apiVersion: r.groupVersion, kind: `${r.kind}List`, metadata: { resourceVersion: String(this.rv) }, items });
    }
    if (!name && method === 'POST' && namespace) return this.create(res, r, namespace, await this.body(req));
    if (!name || !namespace) return this.send(res, 405, this.status(405, 'MethodNotAllowed', url.pathname));
    const key = `${namespace}/${name}`;
    const existing = this.bucket(r).get(key);
    if (method === 'GET') {
      return existing ? this.send(res, 200, existing as unknown as Json) : this.send(res, 404, this.status(404, 'NotFound', `${plural} "${name}" not found`));
    }
    if (method === 'DELETE') {
      if (!existing) return this.send(res, 404, this.status(404, 'NotFound', `${plural} "${name}" not found`));
      this.deleteObj(r, existing);
      return this.send(res, 200, this.status(200, '', 'deleted'));
    }
    if (method === 'PATCH' && sub === 'status') {
      if (!contentType.startsWith('application/merge-patch+json')) return this.send(res, 415, this.status(415, 'UnsupportedMediaType', contentType));
      if (!existing) return this.send(res, 404, this.status(404, 'NotFound', key));
      const patch = JSON.parse(await this.body(req)) as { status?: Json };
      const next = clone(existing);
      next.status = mergePatch((existing.status ?? null) as Json, patch.status ?? null);
      if (JSON.stringify(next.status) === JSON.stringify(existing.status)) return this.send(res, 200, existing as unknown as Json);
      return this.send(res, 200, this.write(r, next, 'MODIFIED') as unknown as Json);
    }
    if (method === 'PATCH' && !sub && contentType.startsWith('application/merge-patch+json')) {
      if (!existing) return this.send(res, 404, this.status(404, 'NotFound', key));
      const merged = mergePatch(existing as unknown as Json, JSON.parse(await this.body(req)) as Json) as unknown as Obj;
      if (JSON.stringify(merged) === JSON.stringify(existing)) return this.send(res, 200, existing as unknown as Json);
      return this.send(res, 200, this.write(r, merged, 'MODIFIED') as unknown as Json);
    }
    if (method === 'PATCH' && !sub) {
      if (!contentType.startsWith('application/apply-patch+yaml')) return this.send(res, 415, this.status(415, 'UnsupportedMediaType', contentType));
      if (!url.searchParams.get('fieldManager')) return this.send(res, 422, this.status(422, 'Invalid', 'fieldManager is required for apply'));
      const applied = parseYaml(await this.body(req)) as Obj;
      if (applied.metadata?.name !== name) return this.send(res, 422, this.status(422, 'Invalid', 'name mismatch'));
      const next: Obj = clone(applied);
      next.metadata = {
        ...next.metadata,
        namespace,
        uid: existing?.metadata.uid ?? `uid-${++this.uidSeq}`,
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
      };
      const specChanged = JSON.stringify(existing?.spec) !== JSON.stringify(next.spec);
      next.metadata.generation = existing ? (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0) : 1;
      if (existing?.status !== undefined) next.status = existing.status;
      // An apply that changes nothing is not a write: no new resourceVersion, no watch event.
      const { resourceVersion: _rv, ...prevMeta } = existing?.metadata ?? { name };
      if (existing && JSON.stringify({ ...existing, metadata: prevMeta }) === JSON.stringify(next)) {
        return this.send(res, 200, existing as unknown as Json);
      }
      return this.send(res, existing ? 200 : 201, this.write(r, next, existing ? 'MODIFIED' : 'ADDED') as unknown as Json);
    }
    if (method === 'PUT' && !sub) return this.replace(res, r, namespace, name, existing, await this.body(req));
    return this.send(res, 405, this.status(405, 'MethodNotAllowed', `${method} ${url.pathname}`));
  }

  /** Decodes a POST/PUT body and checks it as the real server would; sends the error and returns null when bad. */
  private decode(res: ServerResponse, r: Resource, namespace: string, text: string, name?: string): Obj | null {
    let obj: Obj;
    try {
      obj = JSON.parse(text) as Obj;
    } catch {
      this.send(res, 400, this.status(400, 'BadRequest', 'body is not JSON'));
      return null;
    }
    if (obj.apiVersion !== r.groupVersion || obj.kind !== r.kind) {
      this.send(res, 400, this.status(400, 'BadRequest', `expected ${r.groupVersion} ${r.kind}, got ${obj.apiVersion} ${obj.kind}`));
      return null;
    }
    obj.metadata = { ...obj.metadata, namespace: obj.metadata?.namespace ?? namespace };
    if (obj.metadata.namespace !== namespace) {
      this.send(res, 400, this.status(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request'));
      return null;
    }
    if (name !== undefined && obj.metadata.name !== name) {
      this.send(res, 400, this.status(400, 'BadRequest', 'the name of the object does not match the name on the URL'));
      return null;
    }
    const why = invalid(r, obj);
    if (why) {
      this.send(res, 422, this.status(422, 'Invalid', `${r.kind} "${obj.metadata.name}" is invalid: ${why}`));
      return null;
    }
    return obj;
  }

  private create(res: ServerResponse, r: Resource, namespace: string, text: string): void {
    const obj = this.decode(res, r, namespace, text);
    if (!obj) return;
    if (this.bucket(r).has(`${namespace}/${obj.metadata.name}`)) {
      return this.send(res, 409, this.status(409, 'AlreadyExists', `${r.plural} "${obj.metadata.name}" already exists`));
    }
    obj.metadata = { ...obj.metadata, uid: `uid-${++this.uidSeq}`, creationTimestamp: new Date().toISOString(), generation: 1 };
    this.send(res, 201, this.write(r, obj, 'ADDED') as unknown as Json);
  }

  private replace(res: ServerResponse, r: Resource, namespace: string, name: string, existing: Obj | undefined, text: string): void {
    const obj = this.decode(res, r, namespace, text, name);
    if (!obj) return;
    if (!existing) return this.send(res, 404, this.status(404, 'NotFound', `${r.plural} "${name}" not found`));
    // No resourceVersion: an unconditional update (Leases allow it). A stale one: 409, nothing written.
    const expected = obj.metadata.resourceVersion;
    if (expected !== undefined && expected !== existing.metadata.resourceVersion) {
      return this.send(res, 409, this.status(409, 'Conflict', `Operation cannot be fulfilled on ${r.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`));
    }
    const specChanged = JSON.stringify(existing.spec) !== JSON.stringify(obj.spec);
    obj.metadata = {
      ...obj.metadata,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      generation: (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0),
    };
    this.send(res, 200, this.write(r, obj, 'MODIFIED') as unknown as Json);
  }

  private watch(res: ServerResponse, r: Resource, namespace: string | undefined, selector: [string, string][], rvParam: string, fieldName?: string): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = Number(rvParam || '0');
    if (rvParam && from < this.compactedBelow) {
      // What a real API server does: a 200 stream carrying one ERROR event with a 410 Status, then EOF.
      res.end(`${JSON.stringify({ type: 'ERROR', object: this.status(410, 'Expired', `too old resource version: ${from}`) })}\n`);
      return;
    }
    const w: Watcher = { res, gv: r.groupVersion, plural: r.plural, namespace, selector, fieldName };
    for (const ev of this.history) {
      if (ev.rv > from && ev.gv === r.groupVersion && ev.plural === r.plural && this.matches(w, ev.object)) {
        res.write(`${JSON.stringify({ type: ev.type, object: ev.object })}\n`);
      }
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }
}
