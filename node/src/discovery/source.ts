/**
 * Where chain members come from. A source is polled; it never throws across its boundary but reports
 * a typed failure so the node can keep its last good view and say so in /readyz.
 */
import type { Member } from './member.ts';

export type DiscoveryResult = { ok: true; members: Member[] } | { ok: false; error: string };

export interface DiscoverySource {
  /** A short description for logs and status (`srv:_kafka._tcp.vg-a.default.svc`). */
  readonly description: string;
  resolve(): Promise<DiscoveryResult>;
}
