/**
 * Epochs only rise, even when the coordination store forgets: a node starting a chain's configuration
 * starts it above any epoch it has seen, and a node that sees a stored configuration older than its own
 * epoch (a wiped store, or one restored from an old snapshot) raises the stored epoch by compare-and-set.
 * Otherwise nodes that kept their epochs on disk would refuse links at the store's lower epochs forever.
 */
import test from 'ava';
import { EventEmitter } from 'node:events';
import { Failover, type FailoverTarget } from '../../src/coordination/failover.ts';
import { firstConfig, raisedEpoch } from '../../src/coordination/failover-rules.ts';
import { positionInConfig, type Member, type Position } from '../../src/chain/membership.ts';
import { silentLogger } from '../../src/logging.ts';
import { MemoryStore } from './memory-store.ts';

/** A chain node as far as the loop sees it; like ChainNode, its epoch never goes down. */
class EpochNode extends EventEmitter implements FailoverTarget {
  view: Position;
  constructor(readonly self: string, public epoch: number) {
    super();
    this.view = positionInConfig(self, [], 1);
  }
  applyConfig(epoch: number, members: Member[], joiner?: Member): void {
    this.epoch = Math.max(this.epoch, epoch);
    this.view = positionInConfig(this.self, members, 1, joiner);
  }
  setLeaseDeadline(): void {}
  joinerCaughtUp(): boolean {
    return true;
  }
  truncateToCommitted(): void {}
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function loop(store: MemoryStore, node: EpochNode): Failover {
  return new Failover({ store, chain: 'c', self: node.self, info: { host: '127.0.0.1', port: 9000 }, node, ttlMs: 3000, renewMs: 3_600_000, logger: silentLogger });
}

test('rules: a first configuration starts above the epoch seen; a stored one below it is raised, one at or above it is kept', (t) => {
  t.deepEqual(firstConfig('a'), { epoch: 1, members: ['a'] });
  t.deepEqual(firstConfig('a', 9), { epoch: 10, members: ['a'] });
  t.deepEqual(raisedEpoch({ epoch: 3, members: ['a', 'b'] }, 9), { epoch: 10, members: ['a', 'b'] });
  t.is(raisedEpoch({ epoch: 9, members: ['a'] }, 9), null);
  t.is(raisedEpoch({ epoch: 12, members: ['a'] }, 9), null);
});

test('in-memory store: after a wipe the chain re-forms at epochs above every epoch its nodes had seen', async (t) => {
  const store = new MemoryStore();
  const a = new EpochNode('a', 9);
  const fa = loop(store, a);
  await fa.start();
  t.teardown(() => fa.stop());
  t.is((await store.getConfig('c'))?.value.epoch, 10, 'a node with epoch 9 on disk starts the chain at 10');

  // b has seen epoch 14 elsewhere (its disk survived a store that went back in time).
  const b = new EpochNode('b', 14);
  const fb = loop(store, b);
  await fb.start();
  t.teardown(() => fb.stop());
  await until('b joined above its own epoch', async () => {
    const cur = await store.getConfig('c');
    return cur !== null && cur.value.members.join() === 'a,b' && cur.value.epoch > 14;
  });

  store.wipe();
  await until('the chain re-formed above every epoch seen', async () => {
    const cur = await store.getConfig('c');
    return cur !== null && cur.value.members.length === 2 && cur.value.epoch > Math.max(a.epoch - 1, b.epoch - 1) && a.epoch === cur.value.epoch && b.epoch === cur.value.epoch;
  });
  t.pass();
});
