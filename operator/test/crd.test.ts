import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { CRD_FILES, buildCrd, renderCrdYaml } from '../src/crd/crd.ts';
import { generateCrdFiles } from '../src/crd/generate.ts';
import { specSchema, statusSchema, type JSONSchema } from '../src/crd/schema.ts';
import type { AclSource, ChainStatus, Condition, KeyRef, NodeSettings, PodTemplateOverrides, SaslSpec, SecuritySpec, StorageSpec, TlsSpec, VonnegutChainSpec, VonnegutChainStatus } from '../src/crd/types.ts';
import { validateManifest } from './helpers/validate.ts';

// Fully populated values: `Required<>` makes the compiler reject a TS field missing here, and excess
// property checks reject one the types do not have, so these objects list exactly the TS property names.
const fullSpec: Required<VonnegutChainSpec> = {
  chains: 1, chainNames: ['a'], replicas: 3, image: 'i', imagePullPolicy: 'Always', port: 1, adminPort: 2,
  storage: {}, resources: {}, node: {}, podTemplate: {}, security: {},
};
const ref: Required<KeyRef> = { name: 'n', key: 'k' };
const fullSecurity: Required<SecuritySpec> = { protocol: 'SASL_SSL', tls: { secretName: 's' }, sasl: { usersSecret: ref, interBrokerUser: 'u' }, acls: {}, superUsers: [] };
const fullTls: Required<TlsSpec> = { secretName: 's' };
const fullSasl: Required<SaslSpec> = { mechanisms: ['PLAIN'], usersSecret: ref, interBrokerUser: 'u' };
const fullAcls: Required<AclSource> = { configMap: ref, secret: ref };
const fullStorage: Required<StorageSpec> = { size: '1Gi', storageClassName: 's' };
const fullNode: Required<NodeSettings> = { segmentBytes: 1, retentionBytes: 1, retentionMs: 1, logLevel: 'info' };
const fullPod: Required<PodTemplateOverrides> = { labels: {}, annotations: {}, affinity: {}, tolerations: [], nodeSelector: {} };
const fullStatus: Required<VonnegutChainStatus> = { observedGeneration: 1, chainCount: 1, readyChains: '', conditions: [], chains: [] };
const fullCondition: Required<Condition> = { type: 'Ready', status: 'True', reason: 'R', message: '', lastTransitionTime: '', observedGeneration: 1 };
const fullChain: Required<ChainStatus> = { name: '', members: [], head: '', tail: '', readyReplicas: 0, ready: true };

const keys = (s: JSONSchema | undefined): string[] => Object.keys(s?.properties ?? {}).sort();

test('schema property names equal the TypeScript property names, level by level', (t) => {
  t.deepEqual(keys(specSchema), Object.keys(fullSpec).sort());
  t.deepEqual(keys(specSchema.properties?.storage), Object.keys(fullStorage).sort());
  t.deepEqual(keys(specSchema.properties?.node), Object.keys(fullNode).sort());
  t.deepEqual(keys(specSchema.properties?.podTemplate), Object.keys(fullPod).sort());
  const security = specSchema.properties?.security;
  t.deepEqual(keys(security), Object.keys(fullSecurity).sort());
  t.deepEqual(keys(security?.properties?.tls), Object.keys(fullTls).sort());
  t.deepEqual(keys(security?.properties?.sasl), Object.keys(fullSasl).sort());
  t.deepEqual(keys(security?.properties?.sasl?.properties?.usersSecret), Object.keys(ref).sort());
  t.deepEqual(keys(security?.properties?.acls), Object.keys(fullAcls).sort());
  t.deepEqual(keys(security?.properties?.acls?.properties?.configMap), Object.keys(ref).sort());
  t.deepEqual(keys(security?.properties?.acls?.properties?.secret), Object.keys(ref).sort());
  t.deepEqual(keys(statusSchema), Object.keys(fullStatus).sort());
  t.deepEqual(keys(statusSchema.properties?.conditions?.items), Object.keys(fullCondition).sort());
  t.deepEqual(keys(statusSchema.properties?.chains?.items), Object.keys(fullChain).sort());
});

test('checked-in CRD files equal the generated YAML (regenerate: npx tsx operator/src/crd/generate.ts)', async (t) => {
  t.deepEqual(await generateCrdFiles(true), []);
  for (const rel of CRD_FILES) t.is(await readFile(new URL(`../../${rel}`, import.meta.url), 'utf8'), renderCrdYaml());
});

test('CRD validates against the apiextensions.k8s.io/v1 schema', (t) => {
  t.notThrows(() => validateManifest(buildCrd()));
  t.notThrows(() => validateManifest(parse(renderCrdYaml()) as object));
});

test('CRD declares the status subresource, short name, printer columns and required replicas', (t) => {
  const crd = buildCrd();
  const v = crd.spec.versions[0]!;
  t.is(crd.metadata.name, 'vonnegutchains.vonnegut.io');
  t.deepEqual(crd.spec.names.shortNames, ['vgc']);
  t.deepEqual(v.subresources, { status: {} });
  t.deepEqual(v.additionalPrinterColumns.map((c) => c.name), ['Chains', 'Replicas', 'Ready', 'Age']);
  t.deepEqual(specSchema.required, ['replicas']);
  t.is(specSchema.properties?.replicas?.minimum, 1);
  t.deepEqual(specSchema.properties?.node?.properties?.logLevel?.enum, ['error', 'warn', 'info', 'debug']);
  t.is(specSchema.properties?.port?.default, 9092);
  t.is(specSchema.properties?.adminPort?.default, 9644);
});

test('an invalid schema is caught by the validator (the check is not vacuous)', (t) => {
  const crd = buildCrd() as unknown as { spec: { scope: string } };
  crd.spec.scope = 42 as unknown as string;
  t.throws(() => validateManifest(crd as never));
});
