/**
 * Which chain owns each topic, and who decides. With one chain (no `--cluster`) the answer is always
 * this node's chain and topics are what its logs hold. In a cluster the answer comes from the placement
 * map (chain/placement.ts), which this directory follows: from the local log on members of the first
 * chain, by fetching from a first-chain member everywhere else.
 *
 * Internal topics (`__` prefix: the placement map itself, group offsets) always live on the first chain.
 */
import { ApiKey } from '../protocol/api-keys.ts';
import { decodeFetchResponse, encodeFetchRequest } from '../protocol/apis/fetch.ts';
import { KafkaError } from '../protocol/errors.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import type { ChainInfo, ClusterView } from '../chain/cluster.ts';
import type { Member } from '../chain/membership.ts';
import { PLACEMENT_TOPIC, PlacementMap, chooseChain, placementRecord, type Placement } from '../chain/placement.ts';
import type { LogManager } from '../storage/log-manager.ts';
import type { Logger } from '../logging.ts';
import { requestOnce } from './forward.ts';
import { ZERO_UUID, isZeroUuid, nameDerivedTopicId, randomTopicId, uuidFromString, uuidToString } from '../protocol/uuid.ts';
import { plainDial, type Dialer } from '../security/dial.ts';
import { AclBindings } from '../security/acl-bindings.ts';
import { SCRAM_KEY_PREFIX, ScramCredentials } from '../security/scram-store.ts';

/** Long-poll wait when following the placement topic from another chain. */
export const PLACEMENT_POLL_MS = 1000;
/** How long a write to the placement topic may wait for the first chain to commit it. */
export const PLACEMENT_COMMIT_MS = 10_000;

/** True for topics the cluster keeps for itself. */
export function isInternalTopic(topic: string): boolean {
  return topic.startsWith('__');
}

export interface Owner {
  chain: string;
  members: Member[];
  /** The owning chain's epoch when this node knows it (its own chain, or a coordination store's). */
  epoch: number | undefined;
  partitions: number;
  /** The topic's config overrides, as every node of the cluster knows them. */
  configs: Record<string, string>;
  /** The topic's id (KIP-516). */
  topicId: Buffer;
}

export class TopicDirectory {
  readonly placement = new PlacementMap();
  private stopped = false;
  private followTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly chain: ChainNode,
    private readonly logs: LogManager,
    readonly cluster: ClusterView | null,
    private readonly log: Logger,
    /** Called when a topic's placement changes (the broker creates or deletes its local log). */
    private readonly onChange: (topic: string) => void,
    /** Connections to other nodes (placement reads). */
    private readonly dial: Dialer = plainDial,
    /** The ACLs of the admin APIs, which live in the same log (security/acl-bindings.ts). */
    readonly acls: AclBindings = new AclBindings(),
  ) {}

  /** This node's chain, with its freshest member list. */
  own(): ChainInfo {
    if (!this.cluster) return { name: 'default', spec: '', members: this.chain.view.members, epoch: this.chain.epoch };
    this.cluster.setOwn(this.chain.view.members, this.chain.epoch);
    return this.cluster.own();
  }

  /** The first chain (placement map, internal topics, the cluster's controller). */
  first(): ChainInfo {
    return this.cluster ? this.cluster.first() : this.own();
  }

  /** Every chain. */
  chains(): readonly ChainInfo[] {
    if (!this.cluster) return [this.own()];
    this.own();
    return this.cluster.chains();
  }

  /** The member that creates and deletes topics: the first chain's head. */
  controller(): Member | undefined {
    return this.first().members[0];
  }

  /** Whether this node is the controller. */
  isController(): boolean {
    const c = this.first();
    const role = this.chain.view.role;
    return c.spec === this.own().spec && (role === 'head' || role === 'solo');
  }

  /** Who owns a topic, or undefined for a topic the cluster does not know. */
  owner(topic: string): Owner | undefined {
    if (!this.cluster || isInternalTopic(topic)) {
      const chain = this.first();
      const partitions = this.logs.partitionCount(topic);
      return partitions !== undefined
        ? { chain: chain.name, members: chain.members, epoch: chain.epoch, partitions, configs: this.logs.topicOverrides(topic), topicId: this.logs.topicId(topic) ?? ZERO_UUID }
        : undefined;
    }
    const placed = this.placement.get(topic);
    if (!placed) return undefined;
    this.own();
    const chain = this.cluster.chain(placed.chain);
    // A placement older than ids: the owning chain's logs derived the id from the name, as we do here.
    const topicId = (placed.topicId !== undefined ? uuidFromString(placed.topicId) : undefined) ?? this.logs.topicId(topic) ?? nameDerivedTopicId(topic);
    return { chain: placed.chain, members: chain?.members ?? [], epoch: chain?.epoch, partitions: placed.partitions, configs: placed.configs ?? {}, topicId };
  }

  /** A topic's id (KIP-516); zero for an unknown topic or one whose id this node cannot know. */
  topicId(topic: string): Buffer {
    return this.owner(topic)?.topicId ?? ZERO_UUID;
  }

  /** The topic with this id (KIP-516), undefined when the cluster has none with it. */
  topicById(id: Buffer): string | undefined {
    if (isZeroUuid(id)) return undefined;
    if (this.cluster) {
      const text = uuidToString(id);
      const placed = this.placement.entries().find(([name, p]) => (p.topicId ?? uuidToString(nameDerivedTopicId(name))) === text)?.[0];
      if (placed !== undefined) return placed;
    }
    const local = this.logs.topicById(id);
    return local !== undefined && this.owner(local)?.topicId.equals(id) ? local : undefined;
  }

  /** Whether this node's chain owns the topic. */
  ownedHere(owner: Owner): boolean {
    return owner.chain === this.own().name;
  }

  /** User-visible topics with partition counts. */
  topics(): { topic: string; partitions: number }[] {
    if (!this.cluster) return this.logs.list().filter((t) => !isInternalTopic(t.topic));
    return this.placement.entries().map(([topic, p]) => ({ topic, partitions: p.partitions }));
  }

  /** Controller only: places a new topic on the least loaded chain and commits that to the placement topic. */
  async place(topic: string, partitions: number, configs: Record<string, string> = {}): Promise<Placement> {
    const names = this.chains().map((c) => c.name);
    const placement: Placement = {
      chain: chooseChain(names, this.placement.load(names)), partitions, ...(Object.keys(configs).length > 0 && { configs }), topicId: uuidToString(randomTopicId()),
    };
    await this.appendPlacement(placementRecord(topic, placement));
    return placement;
  }

  /** Controller only: changes a placed topic's partition count or configs (never its chain). */
  async update(topic: string, change: { partitions?: number; configs?: Record<string, string> }): Promise<void> {
    const current = this.placement.get(topic);
    if (!current) throw new KafkaError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic} does not exist`);
    const configs = change.configs ?? current.configs ?? {};
    const { configs: _old, ...rest } = current;
    await this.appendPlacement(placementRecord(topic, { ...rest, partitions: change.partitions ?? current.partitions, ...(Object.keys(configs).length > 0 && { configs }) }));
  }

  /** Controller only: removes a topic from the placement map. */
  async unplace(topic: string): Promise<void> {
    await this.appendPlacement(placementRecord(topic, null));
  }

  /** Controller only: appends ACL records (security/acl-bindings.ts aclRecords) and waits for their commit. */
  async appendAcls(batch: Buffer): Promise<void> {
    await this.appendPlacement(batch);
  }

  private async appendPlacement(batch: Buffer): Promise<void> {
    const writable = this.chain.writable();
    if (!writable.ok) throw writable.error;
    if (!this.logs.list().some((t) => t.topic === PLACEMENT_TOPIC)) {
      this.logs.ensureTopic(PLACEMENT_TOPIC, 1);
      this.chain.topicCreated(PLACEMENT_TOPIC, 1);
    }
    const [appended] = this.chain.appendMany(PLACEMENT_TOPIC, 0, [batch]);
    if (appended instanceof KafkaError) throw appended;
    const { lastOffset } = appended!;
    if (!(await this.chain.waitForCommit(PLACEMENT_TOPIC, 0, lastOffset, PLACEMENT_COMMIT_MS))) {
      throw new KafkaError('REQUEST_TIMED_OUT', 'the placement map did not commit in time');
    }
    this.readLocal();
  }

  /**
   * Starts following the metadata log: the placement map in a cluster, and the ACLs everywhere. A local
   * log is read at once, so a restarted member of the first chain enforces its ACLs from its first request.
   */
  start(): void {
    if (this.first().spec === this.own().spec) this.readLocal();
    void this.follow();
  }

  stop(): void {
    this.stopped = true;
    if (this.followTimer) clearTimeout(this.followTimer);
    for (const w of this.waiters) w();
  }

  /** Reads placement changes now (a request named a topic this node has not heard of yet). */
  refresh(): Promise<void> {
    if (!this.cluster) {
      this.readLocal();
      return Promise.resolve();
    }
    this.refreshing ??= this.pull(0).finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /** Resolves once a topic is known here (placed, or created locally on a single chain), or after `timeoutMs`. */
  async waitForTopic(topic: string, timeoutMs: number): Promise<boolean> {
    if (!this.cluster) return this.chain.waitForTopic(topic, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    while (!this.owner(topic)) {
      if (Date.now() > deadline) return false;
      await this.refresh();
      if (!this.owner(topic)) await new Promise<void>((r) => setTimeout(r, 50));
    }
    return true;
  }

  private async follow(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.pull(PLACEMENT_POLL_MS);
    } catch (err) {
      this.log.debug('placement follow failed', { error: (err as Error).message });
    }
    if (this.stopped) return;
    // Members of the first chain wake on local commits; others long-poll the first chain.
    const local = this.first().spec === this.own().spec;
    if (local) {
      await this.chain.waitForData([[PLACEMENT_TOPIC, 0]], PLACEMENT_POLL_MS);
      void this.follow();
    } else {
      // Back off a little after an empty or failed poll so a dead first chain is not hammered.
      this.followTimer = setTimeout(() => void this.follow(), 50);
    }
  }

  /** Reads new placement records; `waitMs` long-polls a remote first chain for changes. */
  private async pull(waitMs: number): Promise<void> {
    if (this.first().spec === this.own().spec) {
      this.readLocal();
      return;
    }
    // Ask the first chain's members, tail first (it never serves anything uncommitted anyway).
    const members = [...this.first().members].reverse();
    let lastError: unknown;
    for (const m of members) {
      try {
        await this.fetchRemote(m, waitMs);
        return;
      } catch (err) {
        lastError = err;
      }
    }
    if (lastError) throw lastError;
  }

  private readLocal(): void {
    const log = this.logs.get(PLACEMENT_TOPIC, 0);
    if (log) {
      const hwm = this.chain.committedOffset(PLACEMENT_TOPIC, 0);
      while (this.placement.nextOffset < hwm) {
        const { records } = log.read(this.placement.nextOffset, { maxBytes: 1 << 20, maxOffset: hwm });
        if (records.length === 0) break;
        this.applied(this.placement.apply(records, this.aclRecord));
      }
    }
    this.acls.loaded = true;
  }

  /** The SCRAM credentials of AlterUserScramCredentials, which live in the same log (security/scram-store.ts). */
  readonly scram = new ScramCredentials();

  private readonly aclRecord = (key: string, value: Buffer | null): void => {
    if (key.startsWith(SCRAM_KEY_PREFIX)) this.scram.apply(key, value);
    else this.acls.apply(key, value);
  };

  private async fetchRemote(m: Member, waitMs: number): Promise<void> {
    const version = 4;
    const r = await requestOnce(m.host, m.port, ApiKey.Fetch, version, (w) =>
      encodeFetchRequest(w, version, {
        replicaId: -1, maxWaitMs: waitMs, minBytes: 1, maxBytes: 4 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: PLACEMENT_TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: this.placement.nextOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 4 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      }),
      this.dial,
    );
    const p = decodeFetchResponse(r, version).topics[0]?.partitions[0];
    if (!p) return;
    // UNKNOWN_TOPIC: no topic was ever created, the map is empty.
    if (p.errorCode !== 0 && p.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION.code) throw new KafkaError('UNKNOWN_SERVER_ERROR', `placement fetch from ${m.name} failed with error ${p.errorCode}`);
    if (p.records && p.records.length > 0) this.applied(this.placement.apply(p.records, this.aclRecord));
    this.acls.loaded = true;
  }

  private applied(topics: string[]): void {
    for (const t of topics) this.onChange(t);
  }
}
