/**
 * The head-only life of a coordinator whose state lives in an internal topic (the group coordinator with
 * `__consumer_offsets`, the transaction coordinator with `__transaction_state`): it serves only while this
 * node heads the chain holding that topic, loads the topic once on becoming head (concurrent requests share
 * that load), and drops its state when the head role moves, so a later return reloads what others wrote.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Logger } from '../logging.ts';

/** What a head-only coordinator does at each step of its life. */
export interface HeadRole {
  /** True while this node is the head of the chain holding the internal topic. */
  isHead(): boolean;
  /** Reads the internal topic into memory; a rejection leaves the coordinator inactive. */
  load(): Promise<void>;
  /** Runs once the load finished and the coordinator serves. */
  activated(): void;
  /** Runs when the head role moved away from an active coordinator. */
  deactivated(): void;
}

export class HeadActivation {
  private activeNow = false;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly role: HeadRole,
    private readonly log: Logger,
    /** What the load reads, for the warning when it fails (e.g. "committed offsets"). */
    private readonly what: string,
  ) {}

  /** True while the coordinator serves. */
  get active(): boolean {
    return this.activeNow;
  }

  /** 0 when the coordinator serves now (loading first if needed), else the Kafka error code to answer. */
  async ready(): Promise<number> {
    if (!this.role.isHead()) {
      if (this.activeNow) {
        this.activeNow = false;
        this.role.deactivated();
      }
      return ErrorCode.NOT_COORDINATOR.code;
    }
    if (this.activeNow) return 0;
    this.loading ??= this.role.load().then(() => {
      this.activeNow = true;
      this.role.activated();
    }).finally(() => {
      this.loading = null;
    });
    try {
      await this.loading;
    } catch (err) {
      this.log.warn(`could not load ${this.what}`, { error: (err as Error).message });
      return ErrorCode.COORDINATOR_NOT_AVAILABLE.code;
    }
    return this.activeNow ? 0 : ErrorCode.COORDINATOR_LOAD_IN_PROGRESS.code;
  }

  /** Stops serving without a head change (node shutdown). */
  close(): void {
    this.activeNow = false;
  }
}
