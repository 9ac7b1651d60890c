/**
 * The group coordinator of one node: membership (membership.ts) plus committed offsets (offset-store.ts),
 * active only while this node is the head of the chain that holds the internal topics. Every node agrees
 * on that head, so FindCoordinator answers the same everywhere; a node that stops being it drops its
 * groups (waiting requests get NOT_COORDINATOR and clients look again) and the new head rebuilds the
 * offsets from its replica of `__consumer_offsets` on its first group request.
 */
import type { DecodedBatch } from '../protocol/record-batch.ts';
import type { Logger } from '../logging.ts';
import { systemClock, type Clock } from './clock.ts';
import { DEFAULT_MEMBERSHIP_CONFIG, GroupMembership, type MembershipConfig } from './membership.ts';
import { OffsetStore } from './offset-store.ts';
import { HeadActivation } from './head-activation.ts';

export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

/** What the coordinator needs from the node it runs in (the broker in production, a fake in tests). */
export interface CoordinatorHost {
  /** The node every member agrees coordinates all groups, or null while there is none. */
  coordinatorNode(): CoordinatorNode | null;
  /** Whether that node is this one and may write. */
  isCoordinator(): boolean;
  /** Creates the offsets topic when it does not exist yet. */
  ensureOffsetsTopic(): Promise<void>;
  /** The committed batches of the offsets topic, in order. */
  readOffsets(): Iterable<DecodedBatch>;
  /** Appends a batch to the offsets topic and waits for the chain to commit it; a Kafka error code. */
  appendOffsets(batch: Buffer): Promise<number>;
}

export class GroupCoordinator {
  readonly membership: GroupMembership;
  readonly offsets: OffsetStore;
  private readonly activation: HeadActivation;

  constructor(
    private readonly host: CoordinatorHost,
    log: Logger,
    clock: Clock = systemClock,
    config: MembershipConfig = DEFAULT_MEMBERSHIP_CONFIG,
  ) {
    this.membership = new GroupMembership(clock, config);
    this.offsets = new OffsetStore((batch) => host.appendOffsets(batch), () => clock.now());
    this.activation = new HeadActivation({
      isHead: () => host.isCoordinator(),
      load: async () => {
        await host.ensureOffsetsTopic();
        this.offsets.clear();
        this.offsets.load(host.readOffsets());
        for (const group of this.offsets.groups()) this.membership.ensureGroup(group);
      },
      activated: () => log.info('group coordinator active', { groups: this.offsets.groups().length }),
      deactivated: () => {
        this.membership.shutdown();
        this.offsets.clear();
        log.info('group coordinator inactive: this node is no longer the head');
      },
    }, log, 'committed offsets');
  }

  /** Where clients should send group requests. */
  coordinatorNode(): CoordinatorNode | null {
    return this.host.coordinatorNode();
  }

  /** 0 when this node serves group requests now (loading the offsets first if needed), else the error. */
  ready(): Promise<number> {
    return this.activation.ready();
  }

  /** Stops timers and answers waiting requests (node shutdown). */
  close(): void {
    this.membership.shutdown();
    this.activation.close();
  }
}
