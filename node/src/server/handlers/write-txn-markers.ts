/**
 * WriteTxnMarkers (key 27): the transaction coordinator, which runs at the head of the first chain, asks
 * this node (the head of another chain) to end a transaction in the partitions its chain owns. Each
 * marker is appended through the ordinary produce path with acks=all, so a partition's answer is 0 only
 * once the chain's tail holds the marker.
 *
 * Only the cluster may send it, as in Kafka (ClusterAction on the Cluster): with SASL on, only the
 * inter-broker principal; with ACLs on, a principal with ClusterAction (the inter-broker user is a super
 * user). Anyone else gets CLUSTER_AUTHORIZATION_FAILED for every partition and nothing is written.
 *
 * The producer epoch is checked by the partition's producer state (storage/producer-state.ts): a marker
 * older than the producer's current epoch in that partition is INVALID_PRODUCER_EPOCH (a zombie
 * coordinator's), an equal one is a retry and harmless, a newer one fences the producer's older epochs.
 */
import { decodeWriteTxnMarkersRequest, encodeWriteTxnMarkersResponse, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '../../protocol/apis/write-txn-markers.ts';
import { encodeMarkerBatch } from '../../protocol/control-record.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

/** How long one marker may wait for its chain's tail (the coordinator's request waits longer). */
export const MARKER_COMMIT_TIMEOUT_MS = 10_000;

/** Appends one marker at this chain's head and waits for the tail; a Kafka error code. */
export async function appendMarker(broker: Broker, topic: string, partition: number, batch: Buffer): Promise<number> {
  const count = broker.partitionCount(topic);
  if (count === undefined || partition < 0 || partition >= count) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code;
  return (await broker.produce(topic, partition, batch, -1, MARKER_COMMIT_TIMEOUT_MS, false)).errorCode;
}

/** `decided` learns each marker that landed (the group coordinator settles transactional offsets with it). */
export function writeTxnMarkersHandler(
  broker: Broker,
  access: AccessControl,
  interBrokerPrincipal: string | null,
  decided: (topic: string, producerId: number, commit: boolean) => void,
): ApiHandler<WriteTxnMarkersRequest, WriteTxnMarkersResponse> {
  return {
    decode: decodeWriteTxnMarkersRequest,
    encode: encodeWriteTxnMarkersResponse,
    async handle(req, ctx) {
      const allowed = (interBrokerPrincipal === null || ctx.conn.principal === interBrokerPrincipal) && access.cluster(ctx, 'cluster_action');
      const markers = await Promise.all(req.markers.map(async (m) => {
        const topics = await Promise.all(m.topics.map(async (t) => ({
          name: t.name,
          partitions: await Promise.all(t.partitionIndexes.map(async (partitionIndex) => {
            if (!allowed) return { partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code };
            const batch = encodeMarkerBatch({ producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, timestamp: Date.now() });
            const errorCode = await appendMarker(broker, t.name, partitionIndex, batch);
            if (errorCode === 0) decided(t.name, m.producerId, m.transactionResult);
            return { partitionIndex, errorCode };
          })),
        })));
        return { producerId: m.producerId, topics };
      }));
      return { markers };
    },
  };
}
