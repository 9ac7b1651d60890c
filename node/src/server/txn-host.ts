/**
 * The transaction coordinator's view of a running broker (transactions/coordinator.ts TxnHost): the
 * same node and the same internal-topic path as the group coordinator (broker-host.ts), markers written
 * through the ordinary produce path of each partition's chain head, and offsets markers handed to the
 * group coordinator's store.
 */
import type { GroupCoordinator } from '../groups/coordinator.ts';
import { OFFSETS_TOPIC } from '../groups/offset-records.ts';
import type { TxnHost } from '../transactions/coordinator.ts';
import { TRANSACTION_STATE_TOPIC } from '../transactions/txn-records.ts';
import { appendInternal, ensureInternalTopic, isCoordinatorHere, OFFSET_COMMIT_TIMEOUT_MS, readInternalTopic } from './broker-host.ts';
import type { Broker } from './broker.ts';
import type { ProducerIdAllocator } from './producer-ids.ts';

export function brokerTxnHost(broker: Broker, groups: GroupCoordinator, ids: ProducerIdAllocator): TxnHost {
  return {
    isCoordinator: () => isCoordinatorHere(broker),
    ensureStateTopic: () => ensureInternalTopic(broker, TRANSACTION_STATE_TOPIC),
    readState: () => readInternalTopic(broker, TRANSACTION_STATE_TOPIC),
    appendState: (batch) => appendInternal(broker, TRANSACTION_STATE_TOPIC, batch),
    async writeMarker(topic, partition, batch) {
      // A topic deleted since the transaction touched it has nothing left to mark (Kafka skips it too).
      const count = broker.partitionCount(topic);
      if (count === undefined || partition >= count) return 0;
      const res = await broker.produce(topic, partition, batch, -1, OFFSET_COMMIT_TIMEOUT_MS, false);
      return res.errorCode;
    },
    coordinatorEpoch: () => broker.chain.epoch,
    nextProducerId: () => ids.next(),
    offsetsDecided(topic, producerId, commit) {
      if (topic === OFFSETS_TOPIC) groups.offsets.completeTransaction(producerId, commit);
    },
  };
}
