import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { buildContext } from '../src/builders/index.ts';
import { InvalidSpecError } from '../src/crd/defaults.ts';
import { specSchema, type JSONSchema } from '../src/crd/schema.ts';
import type { VonnegutChain } from '../src/crd/types.ts';
import { validateManifest } from './helpers/validate.ts';
import { desiredObjects } from '../src/builders/index.ts';

/** Checks the constraints this CRD's schema uses (types, enums, minimums, required, unknown fields). */
function check(schema: JSONSchema, value: unknown, path: string, errors: string[]): void {
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  if (schema.type === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errors.push(`${path}.${r} is required`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      if (!sub) errors.push(`${path}.${k} is not in the schema`);
      else check(sub, v, `${path}.${k}`, errors);
    }
  } else if (schema.type === 'array' && Array.isArray(value)) {
    value.forEach((v, i) => schema.items && check(schema.items, v, `${path}[${i}]`, errors));
  } else if (schema.type === 'integer' && Number.isInteger(value)) {
    if (schema.minimum !== undefined && (value as number) < schema.minimum) errors.push(`${path} below ${schema.minimum}`);
  } else if (schema.type === 'string' && typeof value === 'string') {
    if (schema.enum && !schema.enum.includes(value)) errors.push(`${path} not in ${schema.enum.join('|')}`);
  } else if (schema.type !== undefined) {
    errors.push(`${path} is not ${schema.type}`);
  }
}

test('examples/vonnegutchain.yaml: 3 chains x 3 replicas, valid against the CRD schema, builds valid objects', async (t) => {
  const doc = parse(await readFile(new URL('../../examples/vonnegutchain.yaml', import.meta.url), 'utf8')) as VonnegutChain;
  const errors: string[] = [];
  check(specSchema, doc.spec, 'spec', errors);
  t.deepEqual(errors, []);
  t.is(doc.spec.chains, 3);
  t.is(doc.spec.replicas, 3);
  const ctx = buildContext({ ...doc, metadata: { ...doc.metadata, namespace: 'default', uid: 'u' } }, { defaultImage: 'v:1', clusterDomain: 'cluster.local', sidecarClusterRole: 'r' });
  if (ctx instanceof InvalidSpecError) return t.fail(ctx.message);
  for (const obj of desiredObjects(ctx)) t.notThrows(() => validateManifest(obj));
});

test('the example checker rejects a bad spec (the check is not vacuous)', (t) => {
  const errors: string[] = [];
  check(specSchema, { replicas: 0, node: { logLevel: 'loud' }, bogus: 1 }, 'spec', errors);
  t.is(errors.length, 3);
});
