/**
 * The transaction coordinator's view of a running broker (transactions/coordinator.ts TxnHost): the
 * same node and the same internal-topic path as the group coordinator (broker-host.ts). Markers for
 * partitions of this node's chain go through its own produce path; markers for partitions of other
 * chains go to their chain's head as WriteTxnMarkers (marker-channel.ts), Kafka's inter-broker request.
 * Offsets markers are handed to the group coordinator's store.
 */
import type { GroupCoordinator } from '../groups/coordinator.ts';
import { OFFSETS_TOPIC } from '../groups/offset-records.ts';
import { encodeMarkerBatch } from '../protocol/control-record.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { TxnHost } from '../transactions/coordinator.ts';
import { TRANSACTION_STATE_TOPIC } from '../transactions/txn-records.ts';
import { appendInternal, ensureInternalTopic, isCoordinatorHere, readInternalTopic } from './broker-host.ts';
import type { Broker } from './broker.ts';
import { appendMarker } from './handlers/write-txn-markers.ts';
import type { MarkerChannel } from './marker-channel.ts';
import type { ProducerIdAllocator } from './producer-ids.ts';

export function brokerTxnHost(broker: Broker, groups: GroupCoordinator, ids: ProducerIdAllocator, channel: MarkerChannel): TxnHost {
  return {
    isCoordinator: () => isCoordinatorHere(broker),
    ensureStateTopic: () => ensureInternalTopic(broker, TRANSACTION_STATE_TOPIC),
    readState: () => readInternalTopic(broker, TRANSACTION_STATE_TOPIC),
    appendState: (batch) => appendInternal(broker, TRANSACTION_STATE_TOPIC, batch),
    async writeMarker(topic, partition, marker) {
      const owner = broker.directory.owner(topic);
      // A topic deleted since the transaction touched it has nothing left to mark (Kafka skips it too).
      if (!owner || partition >= owner.partitions) return 0;
      if (broker.directory.ownedHere(owner)) {
        const code = await appendMarker(broker, topic, partition, encodeMarkerBatch({ ...marker, timestamp: Date.now() }));
        return code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code ? 0 : code;
      }
      const head = owner.members[0];
      if (!head) return ErrorCode.NOT_LEADER_OR_FOLLOWER.code;
      return channel.write(head.host, head.port, { ...marker, topic, partition });
    },
    coordinatorEpoch: () => broker.chain.epoch,
    nextProducerId: () => ids.next(),
    offsetsDecided(topic, producerId, commit) {
      if (topic === OFFSETS_TOPIC) groups.offsets.completeTransaction(producerId, commit);
    },
  };
}
