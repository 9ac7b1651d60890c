/**
 * Polls a discovery source (DNS SRV or a static list) for a chain's members, with jitter so a chain's
 * members do not all ask in the same instant. A failed answer keeps the last good view: a DNS hiccup
 * must not reshape the chain. Used without a coordination store (the dev / single-machine mode).
 */
import type { Logger } from '../logging.ts';
import type { DiscoverySource } from '../discovery/source.ts';
import type { Member } from './membership.ts';

export const DISCOVERY_REFRESH_MS = 2000;

export class DiscoveryPoller {
  private timer: NodeJS.Timeout | null = null;
  private error: string | null = null;
  private lastAnswerAt = 0;
  private stopped = false;

  constructor(
    private readonly source: DiscoverySource,
    private readonly onMembers: (members: Member[]) => void,
    private readonly logger: Logger,
    private readonly refreshMs = DISCOVERY_REFRESH_MS,
  ) {}

  /** Milliseconds since discovery last answered, and its last error (for /readyz and status). */
  get health(): { ageMs: number; error: string | null } {
    return { ageMs: Date.now() - this.lastAnswerAt, error: this.error };
  }

  /** Resolves once (so the first view is there when it returns), then keeps polling. */
  async start(): Promise<void> {
    await this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.stopped) return;
    const result = await this.source.resolve();
    if (this.stopped) return;
    if (result.ok) {
      this.error = null;
      this.lastAnswerAt = Date.now();
      this.onMembers(result.members);
    } else {
      this.error = result.error;
      this.logger.warn('discovery failed; keeping last view', { source: this.source.description, error: result.error });
    }
    this.timer = setTimeout(() => void this.poll(), this.refreshMs * (0.8 + Math.random() * 0.4));
  }
}
