/** `--coordinator` / VONNEGUT_COORDINATOR: the spellings accepted, and one clear refusal line for the rest. */
import test from 'ava';
import { resolveServeConfig } from '../../src/config.ts';
import { parseCoordinatorSpec } from '../../src/coordination/spec.ts';
import { CoordinationError } from '../../src/coordination/store.ts';
import { openCoordinator } from '../../src/coordination/index.ts';
import { EtcdStore } from '../../src/coordination/etcd.ts';
import { silentLogger } from '../../src/logging.ts';

const DISCOVERY = 'srv:_kafka._tcp.vg';

test('etcd endpoint lists and kubernetes are understood', (t) => {
  t.deepEqual(parseCoordinatorSpec('etcd:127.0.0.1:2379'), { kind: 'etcd', endpoints: ['127.0.0.1:2379'] });
  t.deepEqual(parseCoordinatorSpec('etcd:e0:2379,e1:2379,e2:2379'), { kind: 'etcd', endpoints: ['e0:2379', 'e1:2379', 'e2:2379'] });
  t.deepEqual(parseCoordinatorSpec('kubernetes'), { kind: 'kubernetes' });
});

test('anything else is one CoordinationError line saying what is expected', (t) => {
  for (const bad of ['', 'etcd', 'etcd:', 'etcd:host', 'etcd:host:99999', 'zookeeper:h:2181', 'k8s', 'etcd://h:2379']) {
    const err = t.throws(() => parseCoordinatorSpec(bad), { instanceOf: CoordinationError }, bad);
    t.regex(err!.message, /expected etcd:HOST:PORT\[,HOST:PORT\.\.\.\] or kubernetes$/);
    t.false(err!.message.includes('\n'));
  }
});

test('--coordinator and VONNEGUT_COORDINATOR reach the node config, validated at startup', (t) => {
  t.is(resolveServeConfig({ discovery: DISCOVERY, coordinator: 'etcd:127.0.0.1:2379' }, {}).config.coordinator, 'etcd:127.0.0.1:2379');
  t.is(resolveServeConfig({}, { VONNEGUT_DISCOVERY: DISCOVERY, VONNEGUT_COORDINATOR: 'kubernetes' }).config.coordinator, 'kubernetes');
  t.is(resolveServeConfig({ discovery: DISCOVERY }, {}).config.coordinator, undefined, 'no coordinator: fixed chain order');
  t.throws(() => resolveServeConfig({ discovery: DISCOVERY, coordinator: 'consul:h:1' }, {}), { message: /not understood/ });
  t.throws(() => resolveServeConfig({ coordinator: 'kubernetes' }, {}), { message: /--coordinator needs --discovery/ });
});

test('openCoordinator builds the named backend without touching the network', async (t) => {
  const store = await openCoordinator('etcd:127.0.0.1:1,127.0.0.1:2', silentLogger);
  t.true(store instanceof EtcdStore);
  t.is(store.description, 'etcd:127.0.0.1:1,127.0.0.1:2');
  await store.close();
  await t.throwsAsync(openCoordinator('nope', silentLogger), { instanceOf: CoordinationError });
});
