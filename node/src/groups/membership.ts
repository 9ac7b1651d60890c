/**
 * The classic rebalance protocol (Kafka's GroupCoordinator, the membership half): JoinGroup, SyncGroup,
 * Heartbeat and LeaveGroup move groups through the states drawn in group.ts. Answers are Kafka error
 * codes scoped to the group or member; JoinGroup and SyncGroup resolve when the rebalance reaches them.
 *
 * Time comes from an injected Clock. A member's session timer runs while it is not waiting on a join or
 * sync (a waiting member is alive by definition, as in Kafka); the join phase ends when every member has
 * rejoined or the longest rebalance timeout passes, and the sync phase ends when the leader's assignment
 * arrives or the same timeout passes.
 *
 * Everything runs on one event loop turn at a time: no method awaits between reading and changing state.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.ts';
import type { Clock } from './clock.ts';
import {
  EMPTY_BYTES, Group, type GroupDescription, type JoinRequest, type JoinResult, type Member, type MemberIdentity, type Protocol,
  type SyncRequest, type SyncResult,
} from './group.ts';

export interface MembershipConfig {
  /** Kafka's group.min.session.timeout.ms (lower here: tests use short sessions). */
  minSessionTimeoutMs: number;
  /** Kafka's group.max.session.timeout.ms. */
  maxSessionTimeoutMs: number;
  /** Kafka's group.initial.rebalance.delay.ms. */
  initialRebalanceDelayMs: number;
}

export const DEFAULT_MEMBERSHIP_CONFIG: MembershipConfig = {
  minSessionTimeoutMs: 1000,
  maxSessionTimeoutMs: 1_800_000,
  initialRebalanceDelayMs: 1000,
};

const code = (name: keyof typeof ErrorCode): number => ErrorCode[name].code;

function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}

function sameProtocols(a: Protocol[], b: Protocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}

export class GroupMembership {
  readonly groups = new Map<string, Group>();

  constructor(
    private readonly clock: Clock,
    private readonly config: MembershipConfig = DEFAULT_MEMBERSHIP_CONFIG,
    private readonly newMemberId: (clientId: string) => string = (clientId) => `${clientId}-${randomUUID()}`,
  ) {}

  /** JoinGroup: resolves when this member's rebalance completes, or at once with an error. */
  join(req: JoinRequest): Promise<JoinResult> {
    if (req.groupId === '') return Promise.resolve(joinError(code('INVALID_GROUP_ID'), req.memberId));
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return Promise.resolve(joinError(code('INVALID_SESSION_TIMEOUT'), req.memberId));
    }
    let group = this.groups.get(req.groupId);
    if (!group) {
      if (req.memberId !== '') return Promise.resolve(joinError(code('UNKNOWN_MEMBER_ID'), req.memberId));
      group = new Group(req.groupId);
      this.groups.set(req.groupId, group);
    }
    const g = group;
    const fits = g.state === 'Empty' ? req.protocolType !== '' && req.protocols.length > 0 : g.supports(req.protocolType, req.protocols);
    if (!fits) return Promise.resolve(joinError(code('INCONSISTENT_GROUP_PROTOCOL'), req.memberId));
    return new Promise((resolve) => {
      if (req.memberId === '') this.joinUnknown(g, req, resolve);
      else this.joinKnown(g, req, resolve);
    });
  }

  private joinUnknown(group: Group, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    const memberId = this.newMemberId(req.clientId);
    if (req.groupInstanceId !== null) {
      const old = group.staticMembers.get(req.groupInstanceId);
      if (old !== undefined) this.replaceStatic(group, group.members.get(old)!, memberId, req, resolve);
      else this.addMember(group, memberId, req, resolve);
      return;
    }
    if (req.requireKnownMemberId) {
      // The id is reserved until the client comes back with it; a client that never does stops blocking
      // the rebalance after its session timeout.
      group.pendingMembers.set(memberId, this.clock.schedule(req.sessionTimeoutMs, () => {
        if (group.pendingMembers.delete(memberId)) this.maybeCompleteJoin(group);
      }));
      resolve(joinError(code('MEMBER_ID_REQUIRED'), memberId));
      return;
    }
    this.addMember(group, memberId, req, resolve);
  }

  private joinKnown(group: Group, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    const pending = group.pendingMembers.get(req.memberId);
    if (pending) {
      pending.cancel();
      group.pendingMembers.delete(req.memberId);
      this.addMember(group, req.memberId, req, resolve);
      return;
    }
    const member = group.members.get(req.memberId);
    if (!member) return resolve(joinError(code('UNKNOWN_MEMBER_ID'), req.memberId));
    if (this.fenced(group, req.groupInstanceId, req.memberId)) return resolve(joinError(code('FENCED_INSTANCE_ID'), req.memberId));
    switch (group.state) {
      case 'PreparingRebalance':
        this.updateMember(member, req, resolve);
        this.maybeCompleteJoin(group);
        return;
      case 'CompletingRebalance':
      case 'Stable':
        // A follower rejoining with nothing changed gets the current generation back without a rebalance;
        // the leader rejoining, or anyone changing its metadata, starts one.
        if (sameProtocols(member.protocols, req.protocols) && (group.state === 'CompletingRebalance' || member.memberId !== group.leaderId)) {
          this.touch(group, member);
          return resolve(this.joinResult(group, member));
        }
        this.updateMember(member, req, resolve);
        this.prepareRebalance(group);
        return;
      default:
        resolve(joinError(code('UNKNOWN_MEMBER_ID'), req.memberId));
    }
  }

  private addMember(group: Group, memberId: string, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: EMPTY_BYTES,
      joinWaiter: resolve,
      syncWaiter: null,
      sessionTimer: null,
    };
    if (group.members.size === 0) group.protocolType = req.protocolType;
    group.members.set(memberId, member);
    if (req.groupInstanceId !== null) group.staticMembers.set(req.groupInstanceId, memberId);
    group.leaderId ??= memberId;
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    else this.prepareRebalance(group);
  }

  /** A static member restarted (same group.instance.id, new member id): it takes the old member's place. */
  private replaceStatic(group: Group, old: Member, memberId: string, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    old.joinWaiter?.(joinError(code('FENCED_INSTANCE_ID'), old.memberId));
    old.syncWaiter?.(syncError(code('FENCED_INSTANCE_ID')));
    old.sessionTimer?.cancel();
    const member: Member = { ...old, memberId, joinWaiter: null, syncWaiter: null, sessionTimer: null };
    group.members.delete(old.memberId);
    group.members.set(memberId, member);
    group.staticMembers.set(req.groupInstanceId!, memberId);
    if (group.leaderId === old.memberId) group.leaderId = memberId;
    if (group.state === 'Stable' && sameProtocols(old.protocols, req.protocols)) {
      // KIP-345: a static member that comes back unchanged keeps its assignment; nobody rebalances.
      member.sessionTimeoutMs = req.sessionTimeoutMs;
      member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
      this.touch(group, member);
      resolve(this.joinResult(group, member));
      return;
    }
    this.updateMember(member, req, resolve);
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    else this.prepareRebalance(group);
  }

  private updateMember(member: Member, req: JoinRequest, resolve: (r: JoinResult) => void): void {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.clientId = req.clientId;
    member.clientHost = req.clientHost;
    // A second JoinGroup from the same member supersedes the first, which is told to retry.
    member.joinWaiter?.(joinError(code('REBALANCE_IN_PROGRESS'), member.memberId));
    member.joinWaiter = resolve;
  }

  /** Starts (or restarts) the join phase. */
  private prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') this.failSyncs(group, code('REBALANCE_IN_PROGRESS'));
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    group.phaseTimer?.cancel();
    const timeout = group.rebalanceTimeoutMs();
    if (wasEmpty && this.config.initialRebalanceDelayMs > 0) {
      group.inInitialDelay = true;
      const delay = Math.min(this.config.initialRebalanceDelayMs, timeout);
      group.phaseTimer = this.clock.schedule(delay, () => {
        group.inInitialDelay = false;
        group.phaseTimer = this.clock.schedule(Math.max(0, timeout - delay), () => this.completeJoin(group));
        this.maybeCompleteJoin(group);
      });
      return;
    }
    group.inInitialDelay = false;
    group.phaseTimer = this.clock.schedule(timeout, () => this.completeJoin(group));
    this.maybeCompleteJoin(group);
  }

  private maybeCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && !group.inInitialDelay && group.allJoined()) this.completeJoin(group);
  }

  /** Ends the join phase: drops dynamic members that did not rejoin, starts the next generation. */
  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    group.phaseTimer?.cancel();
    group.phaseTimer = null;
    group.inInitialDelay = false;
    for (const t of group.pendingMembers.values()) t.cancel();
    group.pendingMembers.clear();
    // Static members that did not rejoin keep their place until their session expires (KIP-345).
    for (const m of [...group.members.values()]) if (!m.joinWaiter && m.groupInstanceId === null) this.forget(group, m);
    const joined = [...group.members.values()].filter((m) => m.joinWaiter);
    group.generationId++;
    if (joined.length === 0) {
      for (const m of [...group.members.values()]) this.forget(group, m);
      group.state = 'Empty';
      group.protocolName = null;
      group.leaderId = null;
      return;
    }
    if (!group.leaderId || !group.members.get(group.leaderId)?.joinWaiter) group.leaderId = joined[0]!.memberId;
    group.protocolName = group.selectProtocol();
    group.state = 'CompletingRebalance';
    for (const m of group.members.values()) m.assignment = EMPTY_BYTES;
    for (const m of joined) {
      const waiter = m.joinWaiter!;
      m.joinWaiter = null;
      waiter(this.joinResult(group, m));
      this.touch(group, m);
    }
    group.phaseTimer = this.clock.schedule(group.rebalanceTimeoutMs(), () => this.syncExpired(group));
  }

  /** The leader never sent its assignment: members that did not sync are dropped and the group rebalances. */
  private syncExpired(group: Group): void {
    if (group.state !== 'CompletingRebalance') return;
    group.phaseTimer = null;
    for (const m of [...group.members.values()]) if (!m.syncWaiter) this.forget(group, m);
    this.prepareRebalance(group);
  }

  private joinResult(group: Group, member: Member): JoinResult {
    const leader = group.leaderId ?? '';
    return {
      errorCode: 0,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader,
      memberId: member.memberId,
      members: member.memberId === leader
        ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: group.metadataOf(m) }))
        : [],
    };
  }

  /** SyncGroup: followers wait for the leader's assignment; in Stable everyone gets theirs at once. */
  sync(req: SyncRequest): Promise<SyncResult> {
    const group = this.groups.get(req.groupId);
    if (group && this.fenced(group, req.groupInstanceId, req.memberId)) return Promise.resolve(syncError(code('FENCED_INSTANCE_ID')));
    const member = group?.members.get(req.memberId);
    if (!group || !member) return Promise.resolve(syncError(code('UNKNOWN_MEMBER_ID')));
    if (req.generationId !== group.generationId) return Promise.resolve(syncError(code('ILLEGAL_GENERATION')));
    if ((req.protocolType !== null && req.protocolType !== group.protocolType) || (req.protocolName !== null && req.protocolName !== group.protocolName)) {
      return Promise.resolve(syncError(code('INCONSISTENT_GROUP_PROTOCOL')));
    }
    if (group.state === 'PreparingRebalance') return Promise.resolve(syncError(code('REBALANCE_IN_PROGRESS')));
    if (group.state === 'Stable') {
      this.touch(group, member);
      return Promise.resolve(this.syncResult(group, member));
    }
    if (group.state !== 'CompletingRebalance') return Promise.resolve(syncError(code('UNKNOWN_MEMBER_ID')));
    return new Promise((resolve) => {
      member.syncWaiter?.(syncError(code('REBALANCE_IN_PROGRESS')));
      member.syncWaiter = resolve;
      if (req.memberId !== group.leaderId) return;
      const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
      for (const m of group.members.values()) m.assignment = given.get(m.memberId) ?? EMPTY_BYTES;
      group.phaseTimer?.cancel();
      group.phaseTimer = null;
      group.state = 'Stable';
      for (const m of group.members.values()) {
        const waiter = m.syncWaiter;
        if (!waiter) continue;
        m.syncWaiter = null;
        waiter(this.syncResult(group, m));
        this.touch(group, m);
      }
    });
  }

  private syncResult(group: Group, member: Member): SyncResult {
    return { errorCode: 0, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
  }

  private failSyncs(group: Group, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = EMPTY_BYTES;
      const waiter = m.syncWaiter;
      if (!waiter) continue;
      m.syncWaiter = null;
      waiter(syncError(errorCode));
      this.touch(group, m);
    }
  }

  /** Heartbeat: keeps the session alive and tells the member when to rejoin. */
  heartbeat(req: MemberIdentity): number {
    const group = this.groups.get(req.groupId);
    // A fenced static member is told so before anything else, as Kafka does, so it stops for good.
    if (group && this.fenced(group, req.groupInstanceId, req.memberId)) return code('FENCED_INSTANCE_ID');
    const member = group?.members.get(req.memberId);
    if (!group || !member || group.state === 'Empty') return code('UNKNOWN_MEMBER_ID');
    if (req.generationId !== group.generationId) return code('ILLEGAL_GENERATION');
    this.touch(group, member);
    return group.state === 'PreparingRebalance' ? code('REBALANCE_IN_PROGRESS') : 0;
  }

  /** LeaveGroup for each member; per-member error codes. */
  leave(groupId: string, members: { memberId: string; groupInstanceId: string | null }[]): number[] {
    const group = this.groups.get(groupId);
    return members.map(({ memberId, groupInstanceId }) => {
      if (!group) return code('UNKNOWN_MEMBER_ID');
      let id = memberId;
      if (groupInstanceId !== null) {
        const current = group.staticMembers.get(groupInstanceId);
        if (current === undefined) return code('UNKNOWN_MEMBER_ID');
        if (memberId !== '' && memberId !== current) return code('FENCED_INSTANCE_ID');
        id = current;
      }
      const pending = group.pendingMembers.get(id);
      if (pending) {
        pending.cancel();
        group.pendingMembers.delete(id);
        this.maybeCompleteJoin(group);
        return 0;
      }
      const member = group.members.get(id);
      if (!member) return code('UNKNOWN_MEMBER_ID');
      this.removeMember(group, member);
      return 0;
    });
  }

  /**
   * Whether this member may commit offsets now (Kafka's rules): 0, or the error for every partition.
   * A commit from outside any generation (-1, no member id) is fine for a group without members.
   */
  checkCommit(req: MemberIdentity): number {
    let group = this.groups.get(req.groupId);
    if (req.generationId < 0 && req.memberId === '') {
      if (!group) {
        group = new Group(req.groupId);
        this.groups.set(req.groupId, group);
      }
      return group.state === 'Empty' ? 0 : code('UNKNOWN_MEMBER_ID');
    }
    if (!group) return code('ILLEGAL_GENERATION');
    if (this.fenced(group, req.groupInstanceId, req.memberId)) return code('FENCED_INSTANCE_ID');
    const member = group.members.get(req.memberId);
    if (!member) return code('UNKNOWN_MEMBER_ID');
    if (req.generationId !== group.generationId) return code('ILLEGAL_GENERATION');
    if (group.state === 'CompletingRebalance') return code('REBALANCE_IN_PROGRESS');
    this.touch(group, member);
    return 0;
  }

  /** Makes sure a group known only by its committed offsets is listed (Empty). */
  ensureGroup(groupId: string): Group {
    let group = this.groups.get(groupId);
    if (!group) {
      group = new Group(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: 0, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    const stable = group.state === 'Stable';
    return {
      errorCode: 0,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? group.metadataOf(m) : EMPTY_BYTES,
        memberAssignment: stable ? m.assignment : EMPTY_BYTES,
      })),
    };
  }

  list(): { groupId: string; protocolType: string; groupState: string }[] {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state }));
  }

  /** DeleteGroups: only groups without members; 0 or the group's error code. */
  delete(groupId: string): number {
    const group = this.groups.get(groupId);
    if (!group) return code('GROUP_ID_NOT_FOUND');
    if (group.state !== 'Empty') return code('NON_EMPTY_GROUP');
    group.phaseTimer?.cancel();
    group.state = 'Dead';
    this.groups.delete(groupId);
    return 0;
  }

  /** This node stopped being the coordinator: every waiting request is told to look again. */
  shutdown(): void {
    for (const group of this.groups.values()) {
      group.phaseTimer?.cancel();
      for (const t of group.pendingMembers.values()) t.cancel();
      for (const m of group.members.values()) {
        m.sessionTimer?.cancel();
        m.joinWaiter?.(joinError(code('NOT_COORDINATOR'), m.memberId));
        m.syncWaiter?.(syncError(code('NOT_COORDINATOR')));
        m.joinWaiter = null;
        m.syncWaiter = null;
      }
    }
    this.groups.clear();
  }

  private fenced(group: Group, groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    return group.staticMembers.get(groupInstanceId) !== memberId;
  }

  /** Restarts a member's session timer. */
  private touch(group: Group, member: Member): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.clock.schedule(member.sessionTimeoutMs, () => {
      member.sessionTimer = null;
      if (group.members.get(member.memberId) !== member) return;
      // A member waiting on a join or sync is alive; the rebalance phase timers bound that wait.
      if (member.joinWaiter || member.syncWaiter) return this.touch(group, member);
      this.removeMember(group, member);
    });
  }

  /** A member left or expired: the others rebalance without it. */
  private removeMember(group: Group, member: Member): void {
    this.forget(group, member);
    member.joinWaiter?.(joinError(code('UNKNOWN_MEMBER_ID'), member.memberId));
    member.syncWaiter?.(syncError(code('UNKNOWN_MEMBER_ID')));
    member.joinWaiter = null;
    member.syncWaiter = null;
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else this.maybeCompleteJoin(group);
  }

  /** Removes a member's traces without touching the group's state. */
  private forget(group: Group, member: Member): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = null;
    group.members.delete(member.memberId);
    if (member.groupInstanceId !== null && group.staticMembers.get(member.groupInstanceId) === member.memberId) {
      group.staticMembers.delete(member.groupInstanceId);
    }
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }
}
