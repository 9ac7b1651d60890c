import test from 'ava';
import { ClusterConfigs } from '../../src/coordination/cluster-configs.ts';
import { ClusterView, parseClusterSpec } from '../../src/chain/cluster.ts';
import { silentLogger } from '../../src/logging.ts';
import { MemoryStore } from './memory-store.ts';

// Two static chains: chain-0 (this node's) and chain-1, whose members the list orders a0, a1, a2.
const SPECS = parseClusterSpec('static:s0=127.0.0.1:9000,static:a0=127.0.1.1:9001,a1=127.0.1.2:9001,a2=127.0.1.3:9001');

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function view(store: MemoryStore) {
  const configs = new ClusterConfigs(store, ['chain-0', 'chain-1'], silentLogger, 3_600_000);
  const cluster = new ClusterView([...SPECS], SPECS[0]!, silentLogger, { configs, refreshMs: 3_600_000 });
  return { configs, cluster, names: () => cluster.chain('chain-1')!.members.map((m) => `${m.name}@${m.host}`).join(',') };
}

test('another chain is ordered by its stored configuration, not by discovery, and follows a failover as it happens', async (t) => {
  const store = new MemoryStore();
  await store.compareAndSetConfig('chain-1', { epoch: 4, members: ['a1', 'a2', 'a0'] }, null);
  // a1 published a different address with its lease; a2 and a0 have none, so discovery's is used.
  await store.renewLease('chain-1', 'a1', { host: '127.0.9.9', port: 9001 }, 60_000);
  const { configs, cluster, names } = view(store);
  await configs.start();
  await cluster.start();
  t.teardown(() => {
    cluster.stop();
    configs.stop();
  });
  t.is(names(), 'a1@127.0.9.9,a2@127.0.1.3,a0@127.0.1.1', 'configuration order, lease addresses first, then discovery');
  t.is(cluster.chain('chain-1')!.epoch, 4);
  t.is(cluster.chain('chain-0')!.epoch, undefined, 'a chain the store holds nothing for keeps discovery order and no epoch');

  // The head a1 is removed by the chain's failover: the view changes on the store's event, not on a poll.
  const cur = await store.getConfig('chain-1');
  await store.compareAndSetConfig('chain-1', { epoch: 5, members: ['a2', 'a0'] }, cur!.version);
  await until('the new head is seen', () => cluster.chain('chain-1')!.members[0]?.name === 'a2');
  t.is(names(), 'a2@127.0.1.3,a0@127.0.1.1');
  t.is(cluster.chain('chain-1')!.epoch, 5);
});

test('a read of an older epoch never replaces a newer configuration', async (t) => {
  const store = new MemoryStore();
  await store.compareAndSetConfig('chain-1', { epoch: 7, members: ['a2', 'a0'] }, null);
  const { configs, cluster, names } = view(store);
  await configs.start();
  await cluster.start();
  t.teardown(() => {
    cluster.stop();
    configs.stop();
  });
  t.is(names(), 'a2@127.0.1.3,a0@127.0.1.1');
  // A store that went back in time (e.g. restored from an old snapshot) must not resurrect an old head.
  const cur = await store.getConfig('chain-1');
  await store.compareAndSetConfig('chain-1', { epoch: 3, members: ['a0', 'a1', 'a2'] }, cur!.version);
  await configs.refresh();
  t.is(names(), 'a2@127.0.1.3,a0@127.0.1.1');
  t.is(configs.get('chain-1')!.epoch, 7);
});

test('an unreachable store keeps the last configuration', async (t) => {
  const store = new MemoryStore();
  await store.compareAndSetConfig('chain-1', { epoch: 2, members: ['a2', 'a1', 'a0'] }, null);
  const { configs, cluster, names } = view(store);
  await configs.start();
  await cluster.start();
  t.teardown(() => {
    cluster.stop();
    configs.stop();
  });
  store.down = true;
  await configs.refresh();
  t.is(names(), 'a2@127.0.1.3,a1@127.0.1.2,a0@127.0.1.1');
});
