// Server-side apply that skips objects already as desired.
//
// Why compare before applying instead of always applying: a no-op apply is cheap for the API server,
// but every apply is still a write request (audit log, admission webhooks, rate limits), and the
// operator re-applies everything on every event and resync. We skip the request when both hold:
//  - the live object's `vonnegut.io/applied-hash` annotation equals the hash of what we would apply,
//    so the desired object has not changed since our last apply (this catches fields we stopped
//    setting, which a subset check alone cannot see), and
//  - every field we set is present with the same value in the live object, so nobody changed our
//    fields behind our back (drift is repaired on the next reconcile).
// The live object comes from the informer cache. A stale cache can only cause an extra (idempotent)
// apply, never a skipped one that was needed, because the hash is written by the apply itself.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { APPLIED_HASH_ANNOTATION } from './names.ts';
import type { KubeClient } from './kube.ts';

export type ApplyResult = 'applied' | 'unchanged';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function canonical(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Plain JSON of an object: drops undefined fields and Date objects become strings, as on the wire. */
export function toJson(obj: unknown): Json {
  return JSON.parse(JSON.stringify(obj)) as Json;
}

/** Short stable hash of an object's JSON, independent of key order. */
export function objectHash(obj: unknown): string {
  return createHash('sha256').update(canonical(toJson(obj))).digest('hex').slice(0, 16);
}

/** True when every field of `want` is in `have` with an equal value (arrays: same length, pairwise). */
export function isSubset(want: Json, have: Json | undefined): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have) || have === undefined) return false;
    return Object.entries(want).every(([k, v]) => isSubset(v, have[k]));
  }
  // The API server may echo a number we sent as a string (quantities, int-or-string) and back.
  return want === have || (have !== undefined && have !== null && typeof have !== 'object' && String(want) === String(have));
}

/** The object with its applied-hash annotation set. */
export function withHash<T extends KubernetesObject>(obj: T): T {
  const hash = objectHash(obj);
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}

/** Applies `desired` unless `live` already matches it (see the file comment). */
export async function applyIfChanged(client: KubeClient, desired: KubernetesObject, live: KubernetesObject | undefined): Promise<ApplyResult> {
  const hashed = withHash(desired);
  // List items carry no apiVersion/kind; the cache they came from already fixes both.
  const { apiVersion: _v, kind: _k, ...fields } = hashed;
  if (live && live.metadata?.annotations?.[APPLIED_HASH_ANNOTATION] === hashed.metadata?.annotations?.[APPLIED_HASH_ANNOTATION]
    && isSubset(toJson(fields), toJson(live))) {
    return 'unchanged';
  }
  await client.apply(hashed);
  return 'applied';
}
