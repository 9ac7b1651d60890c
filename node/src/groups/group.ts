/**
 * One consumer group's state in the classic rebalance protocol (Kafka's GroupMetadata): its members,
 * generation, chosen protocol and leader. The transitions live in membership.ts; this file holds the data
 * and the questions asked about it.
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance ──leader sync──▶ Stable
 *     ▲                    ▲                                            │                              │
 *     └── last member gone ┴──────────── join, leave, session expiry ───┴──────────────────────────────┘
 */
import type { SyncGroupRequest } from '../protocol/apis/sync-group.ts';
import type { Timer } from './clock.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

/** What a JoinGroup is answered with once its rebalance completes (or at once). */
export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Every member with its metadata for the chosen protocol: only the leader gets them. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** What a member says about itself when it joins; a JoinGroup request carries it, a member keeps it. */
export interface MemberProfile {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
}

export interface Member extends MemberProfile {
  assignment: Buffer;
  /** The JoinGroup waiting for this rebalance to complete. */
  joinWaiter: ((r: JoinResult) => void) | null;
  /** The SyncGroup waiting for the leader's assignment. */
  syncWaiter: ((r: SyncResult) => void) | null;
  sessionTimer: Timer | null;
}

export const EMPTY_BYTES = Buffer.alloc(0);

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** group.instance.id -> member id of static members (KIP-345). */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, expiring if the client never rejoins with them. */
  readonly pendingMembers = new Map<string, Timer>();
  /** Completes the join phase when members are slow to rejoin, or ends a stalled sync phase. */
  phaseTimer: Timer | null = null;
  /** A newly formed group waits a moment for more members before its first generation (Kafka's
   * group.initial.rebalance.delay.ms), so consumers starting together do not rebalance once per arrival. */
  inInitialDelay = false;

  constructor(readonly groupId: string) {}

  /** Whether every known member has a JoinGroup waiting. */
  allJoined(): boolean {
    for (const m of this.members.values()) if (!m.joinWaiter) return false;
    return this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long the join phase waits for laggards. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Protocols every member supports; the group's protocol must come from these. */
  candidateProtocols(): Set<string> {
    const members = [...this.members.values()];
    const common = new Set<string>(members[0]?.protocols.map((p) => p.name) ?? []);
    for (const m of members.slice(1)) {
      const names = new Set(m.protocols.map((p) => p.name));
      for (const n of common) if (!names.has(n)) common.delete(n);
    }
    return common;
  }

  /** Whether a joining member's protocol type and protocols fit the members already here. */
  supports(protocolType: string, protocols: Protocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }

  /** Each member votes for its first preference among the candidates; the most votes win (Kafka's rule). */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const [name, n] of votes) if (best === null || n > votes.get(best)!) best = name;
    return best;
  }

  /** A member's metadata for the group's protocol. */
  metadataOf(m: Member): Buffer {
    return m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? EMPTY_BYTES;
  }
}

// What the membership protocol (membership.ts) takes and reports.

export interface JoinRequest extends MemberProfile {
  groupId: string;
  /** JoinGroup v4+: a member without an id is sent away with one (MEMBER_ID_REQUIRED) and must rejoin. */
  requireKnownMemberId: boolean;
}

/** The SyncGroup request as decoded: membership takes it whole. */
export type SyncRequest = SyncGroupRequest;

export interface MemberIdentity {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Buffer; memberAssignment: Buffer }[];
}
