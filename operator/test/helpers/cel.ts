// The CRD's x-kubernetes-validations evaluated as the API server does, with a real CEL engine
// (@bufbuild/cel): each rule runs with `self` bound to the value at its schema node, and a transition
// rule (one that names `oldSelf`) only on update, when the old object has a value there too.
import { run } from '@bufbuild/cel';
import { buildCrd } from '../../src/crd/crd.ts';
import type { JSONSchema } from '../../src/crd/schema.ts';

type CelInput = Parameters<typeof run>[1] extends Record<string, infer V> | undefined ? V : never;

/** JSON to CEL input: objects become maps, schema integers become CEL ints. */
function toCel(value: unknown, schema: JSONSchema | undefined): CelInput {
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items)) as CelInput;
  if (value !== null && typeof value === 'object') {
    return new Map(Object.entries(value).map(([k, v]) => [k, toCel(v, schema?.properties?.[k] ?? schema?.additionalProperties)])) as CelInput;
  }
  if (typeof value === 'number' && schema?.type === 'integer') return BigInt(value) as CelInput;
  return value as CelInput;
}

/** Messages of every rule the new object breaks (with `old` for transition rules), at any depth. */
export function celViolations(schema: JSONSchema, value: unknown, old?: unknown, at = ''): string[] {
  if (value === undefined || value === null) return [];
  const out: string[] = [];
  for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
    const transition = /\boldSelf\b/.test(rule);
    if (transition && (old === undefined || old === null)) continue;
    const vars: Record<string, CelInput> = { self: toCel(value, schema) };
    if (transition) vars.oldSelf = toCel(old, schema);
    const result = run(rule, vars);
    if (result !== true) out.push(`${at || '<root>'}: ${message}${result instanceof Error ? ` (${result.message})` : ''}`);
  }
  if (schema.properties && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const prev = (old && typeof old === 'object' ? old : {}) as Record<string, unknown>;
    for (const [k, sub] of Object.entries(schema.properties)) out.push(...celViolations(sub, o[k], prev[k], at ? `${at}.${k}` : k));
  }
  return out;
}

/** The schema's defaults filled in, as the API server does before validation (and on every read). */
export function withDefaults(schema: JSONSchema, value: unknown): unknown {
  const v = value === undefined && schema.default !== undefined ? structuredClone(schema.default) : value;
  if (!schema.properties || v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = { ...(v as Record<string, unknown>) };
  for (const [k, sub] of Object.entries(schema.properties)) {
    const d = withDefaults(sub, out[k]);
    if (d !== undefined) out[k] = d;
  }
  return out;
}

/** The fake API server's admission for VonnegutChains: the CRD's CEL rules on the defaulted objects. */
export function vonnegutChainValidator(obj: unknown, old: unknown): string[] {
  const schema = buildCrd().spec.versions[0]!.schema.openAPIV3Schema as JSONSchema;
  return celViolations(schema, withDefaults(schema, obj), old === undefined ? undefined : withDefaults(schema, old));
}
