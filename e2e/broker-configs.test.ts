/**
 * Dynamic broker configs on a real node process: IncrementalAlterConfigs on the BROKER resource (raw
 * requests) sets log.retention.bytes, which takes effect live (old segments go), and a stored-only key;
 * DescribeConfigs reports both as DYNAMIC_BROKER_CONFIG with the static synonym; validate_only changes
 * nothing; another broker's id, the cluster default, static and unknown keys are refused; everything
 * survives kill -9.
 */
import test from 'ava';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { ConfigSource, RESOURCE_BROKER, decodeDescribeConfigsResponse, encodeDescribeConfigsRequest, type ConfigEntry } from '../node/src/protocol/apis/describe-configs.ts';
import { ConfigOperation, decodeIncrementalAlterConfigsResponse, encodeIncrementalAlterConfigsRequest, type AlterConfigsEntry } from '../node/src/protocol/apis/alter-configs.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { NodeProcess } from './lib/node-process.ts';
import { createTopicAt, produceTo } from './lib/raw-kafka.ts';
import { waitFor } from './lib/tools.ts';

const SEGMENT_BYTES = 16 * 1024;
const RETENTION_BYTES = 4 * SEGMENT_BYTES;
const node = new NodeProcess({ args: ['--segment-bytes', String(SEGMENT_BYTES), '--retention-check-interval-ms', '100'] });

test.after.always(async () => {
  await node.destroy();
});

async function ask<T>(fn: (w: KafkaWire) => Promise<T>): Promise<T> {
  const wire = await KafkaWire.connect(node.address);
  try {
    return await fn(wire);
  } finally {
    wire.close();
  }
}

/** IncrementalAlterConfigs on one broker resource: its error code and message. */
async function alter(name: string, configs: AlterConfigsEntry[], validateOnly = false): Promise<{ errorCode: number; errorMessage: string | null }> {
  const r = await ask((w) => w.send(ApiKey.IncrementalAlterConfigs, 1, (x) => encodeIncrementalAlterConfigsRequest(x, 1, { resources: [{ resourceType: RESOURCE_BROKER, resourceName: name, configs }], validateOnly })));
  return decodeIncrementalAlterConfigsResponse(r, 1).responses[0]!;
}

/** The broker's configs as DescribeConfigs (with synonyms) reports them. */
async function describeBroker(name: string): Promise<Map<string, ConfigEntry>> {
  const r = await ask((w) => w.send(ApiKey.DescribeConfigs, 1, (x) => encodeDescribeConfigsRequest(x, 1, { resources: [{ resourceType: RESOURCE_BROKER, resourceName: name, configurationKeys: null }], includeSynonyms: true, includeDocumentation: false })));
  const res = decodeDescribeConfigsResponse(r, 1).results[0]!;
  if (res.errorCode !== 0) throw new Error(`DescribeConfigs broker ${name}: error ${res.errorCode}`);
  return new Map(res.configs.map((c) => [c.name, c]));
}

async function logStart(): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${node.adminPort}/v1/status`);
  const body = (await res.json()) as { nodeId: number; partitions: { topic: string; logStartOffset: number }[] };
  return body.partitions.find((p) => p.topic === 'aged')?.logStartOffset ?? 0;
}

async function produceRounds(rounds: number, t: { is(a: unknown, b: unknown): void }): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    t.is((await produceTo(node.address, 'aged', 0, Array.from({ length: 15 }, (_, i) => `v${round}-${i}:`.padEnd(1000, 'x')))).errorCode, 0);
  }
}

const set = (name: string, value: string): AlterConfigsEntry => ({ name, operation: ConfigOperation.SET, value });

test.serial('IncrementalAlterConfigs on the broker: validated, described as DYNAMIC_BROKER_CONFIG, applied live, durable over kill -9', async (t) => {
  await node.start();
  const self = String(((await (await fetch(`http://127.0.0.1:${node.adminPort}/v1/status`)).json()) as { nodeId: number }).nodeId);
  t.is(await createTopicAt(node.address, 'aged', 1), 0);
  await produceRounds(16, t); // ~240 KB in ~16 segments; default retention keeps it all
  t.is(await logStart(), 0);

  // Refusals, each changing nothing.
  t.is((await alter(String(Number(self) + 1), [set('log.retention.bytes', '1')])).errorCode, ErrorCode.INVALID_REQUEST.code, 'another broker\'s id');
  t.is((await alter('', [set('log.retention.bytes', '1')])).errorCode, ErrorCode.INVALID_REQUEST.code, 'the cluster default');
  const staticKey = await alter(self, [set('broker.id', '5')]);
  t.is(staticKey.errorCode, ErrorCode.INVALID_REQUEST.code);
  t.regex(staticKey.errorMessage ?? '', /Cannot update these configs dynamically/);
  t.is((await alter(self, [set('no.such.key', '1')])).errorCode, ErrorCode.INVALID_CONFIG.code);
  t.is((await alter(self, [set('log.retention.bytes', 'lots')])).errorCode, ErrorCode.INVALID_CONFIG.code);
  t.is((await alter(self, [set('log.retention.bytes', String(RETENTION_BYTES))], true)).errorCode, 0, 'validate_only accepts');
  const before = await describeBroker(self);
  t.is(before.get('log.retention.bytes')!.value, '-1', 'validate_only changed nothing');
  t.is(before.get('log.retention.bytes')!.configSource, ConfigSource.DEFAULT_CONFIG);
  t.false(before.get('log.retention.bytes')!.readOnly);
  t.true(before.get('broker.id')!.readOnly);

  t.is((await alter(self, [set('log.retention.bytes', String(RETENTION_BYTES)), set('background.threads', '9')])).errorCode, 0);
  const after = await describeBroker(self);
  const retention = after.get('log.retention.bytes')!;
  t.is(retention.value, String(RETENTION_BYTES));
  t.is(retention.configSource, ConfigSource.DYNAMIC_BROKER_CONFIG);
  t.deepEqual(retention.synonyms.map((s) => [s.value, s.source]), [[String(RETENTION_BYTES), ConfigSource.DYNAMIC_BROKER_CONFIG], ['-1', ConfigSource.DEFAULT_CONFIG]]);
  t.is(after.get('background.threads')!.value, '9');
  t.is(after.get('background.threads')!.configSource, ConfigSource.DYNAMIC_BROKER_CONFIG);
  // Live: the next retention checks delete the old segments under the new broker default.
  await waitFor('old segments deleted under the dynamic log.retention.bytes', async () => ((await logStart()) > 0 ? true : undefined), 60_000, 100);

  await node.kill('SIGKILL');
  await node.start();
  const restarted = await describeBroker(self);
  t.is(restarted.get('log.retention.bytes')!.value, String(RETENTION_BYTES));
  t.is(restarted.get('log.retention.bytes')!.configSource, ConfigSource.DYNAMIC_BROKER_CONFIG);
  t.is(restarted.get('background.threads')!.value, '9');
  // Still in force after the restart: more data pushes the log start further.
  const startAfterRestart = await logStart();
  await produceRounds(16, t);
  await waitFor('retention still applies after kill -9', async () => ((await logStart()) > startAfterRestart ? true : undefined), 60_000, 100);

  // DELETE returns the key to the static default.
  t.is((await alter(self, [{ name: 'log.retention.bytes', operation: ConfigOperation.DELETE, value: null }])).errorCode, 0);
  const deleted = (await describeBroker(self)).get('log.retention.bytes')!;
  t.is(deleted.value, '-1');
  t.is(deleted.configSource, ConfigSource.DEFAULT_CONFIG);
});
