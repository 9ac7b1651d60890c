/**
 * Metadata: brokers are the chain's members; every partition's leader is the head (where unmodified
 * clients must produce), replicas and ISR the members in chain order. Asking for a missing topic creates
 * it when auto-creation is on and the client allows it, as Kafka does.
 *
 * Every topic carries its id (v10+, KIP-516); a topic asked for by id alone (null name, v12) is looked
 * up by that id, and an id no topic has answers UNKNOWN_TOPIC_ID with a null name.
 *
 * ACLs, as Kafka: a listing of all topics leaves out those the principal may not Describe; a topic asked
 * for by name without Describe is TOPIC_AUTHORIZATION_FAILED; creating a missing one needs Create on the
 * topic or the cluster, else TOPIC_AUTHORIZATION_FAILED.
 */
import { ErrorCode } from '../../protocol/error-codes.ts';
import { KafkaError } from '../../protocol/errors.ts';
import { AUTHORIZED_OPERATIONS_OMITTED, decodeMetadataRequest, encodeMetadataResponse, type MetadataRequest, type MetadataResponse, type MetadataTopic } from '../../protocol/apis/metadata.ts';
import { validateTopicName } from '../../storage/log-files.ts';
import type { AccessControl } from '../access-control.ts';
import { CLUSTER_NAME } from '../../security/acl.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';
import { ZERO_UUID, isZeroUuid } from '../../protocol/uuid.ts';


/** Per-topic decorations a request asked for. */
type Decorate = (t: MetadataTopic) => MetadataTopic;

/** Answers Metadata from the broker's chain view. */
export function metadataHandler(broker: Broker, access: AccessControl): ApiHandler<MetadataRequest, MetadataResponse> {
  return {
    decode: decodeMetadataRequest,
    encode: encodeMetadataResponse,
    async handle(req, ctx) {
      // null: asked by an id no topic has.
      const names: (string | null)[] = req.topics === null
        ? broker.topics().map((t) => t.topic).filter((name) => access.topic(ctx, 'describe', name, false))
        : req.topics.map((t) => t.name ?? (isZeroUuid(t.topicId) ? '' : broker.directory.topicById(t.topicId) ?? null));
      // Kafka fills the bitfields in only when asked (v8+), and only for topics the principal may describe.
      const decorate: Decorate = req.includeTopicAuthorizedOperations
        ? (t) => (t.errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED.code || t.name === null ? t : { ...t, topicAuthorizedOperations: access.authorizedOperations(ctx, 'topic', t.name) })
        : (t) => t;
      return {
        throttleTimeMs: 0,
        brokers: broker.brokers().map((b) => ({ ...b, rack: null })),
        clusterId: broker.config.clusterId,
        controllerId: broker.controllerId(),
        topics: await Promise.all(names.map(async (name, i) => {
          const byId = req.topics?.[i]?.name === null;
          if (name === null) return unknownId(req.topics![i]!.topicId);
          // As Kafka: asked by id, the id is no secret but the name is; asked by name, the id is.
          if (req.topics !== null && !access.topic(ctx, 'describe', name)) return byId ? { ...unauthorized(''), name: null, topicId: req.topics[i]!.topicId } : unauthorized(name);
          const autoCreate = req.topics !== null && req.allowAutoTopicCreation && !byId;
          // Create is asked only for a topic this node does not know, so existing topics cost one check.
          const mayCreate = !autoCreate || broker.partitionCount(name) !== undefined || access.createTopic(ctx, name);
          return decorate(await describeTopic(broker, name, autoCreate, mayCreate));
        })),
        clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? access.authorizedOperations(ctx, 'cluster', CLUSTER_NAME) : AUTHORIZED_OPERATIONS_OMITTED,
      };
    },
  };
}

function topicBase(name: string, topicId: Buffer = ZERO_UUID): Omit<MetadataTopic, 'errorCode' | 'partitions'> {
  return { name, topicId, isInternal: false, topicAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
}

function unknownId(topicId: Buffer): MetadataTopic {
  return { ...topicBase('', topicId), name: null, errorCode: ErrorCode.UNKNOWN_TOPIC_ID.code, partitions: [] };
}

function unauthorized(name: string): MetadataTopic {
  return { ...topicBase(name), errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED.code, partitions: [] };
}

/** A topic as Metadata describes it (auto-creating it when asked and allowed); errors in its error code. */
export async function describeTopic(broker: Broker, name: string, autoCreate: boolean, mayCreate: boolean): Promise<MetadataTopic> {
  const base = topicBase(name);
  try {
    validateTopicName(name);
    const count = autoCreate ? await broker.autoCreate(name, mayCreate) : broker.partitionCount(name);
    if (count === undefined) {
      // Asked to create it but it has not reached this node yet: retriable, as Kafka answers new topics.
      const code = autoCreate && broker.config.autoCreateTopics ? ErrorCode.LEADER_NOT_AVAILABLE.code : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code;
      return { ...base, errorCode: code, partitions: [] };
    }
    const leader = broker.leaderId(name);
    const replicas = broker.replicaIds(name);
    const leaderEpoch = broker.leaderEpoch(name);
    return {
      ...base,
      topicId: broker.directory.topicId(name),
      errorCode: leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE.code : 0,
      partitions: Array.from({ length: count }, (_, p) => ({
        errorCode: leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE.code : 0,
        partitionIndex: p,
        leaderId: leader,
        leaderEpoch,
        replicaNodes: replicas,
        isrNodes: replicas,
        offlineReplicas: [],
      })),
    };
  } catch (err) {
    return { ...base, errorCode: err instanceof KafkaError ? err.code : broker.codeFor(err, name, -1), partitions: [] };
  }
}
