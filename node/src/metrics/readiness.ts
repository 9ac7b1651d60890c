/**
 * What `/readyz` reports for a node: ready only while it is a member of its chain's discovery answer,
 * its chain is formed (`replicas` members in discovery), its own replication links are alive, discovery answers, the data directory takes writes,
 * no drain is under way, and (with --coordinator) the coordination store answers.
 *
 * Links count as well as membership because discovery keeps listing a dead member (the headless Service
 * publishes not-ready addresses): when a member is killed or frozen, its neighbours lose their link and
 * turn unready, and the PodDisruptionBudget then refuses to evict a second member of the broken chain.
 */
import type { ChainNode } from '../chain/chain-node.ts';
import type { Readiness } from './admin-server.ts';
import { notInDiscoveryMessage, type Advertised } from '../discovery/self.ts';
import type { CoordinatorHealth } from '../coordination/failover.ts';

export interface ReadinessSource {
  chain: ChainNode;
  replicas: number;
  /** True when a probe file can be written in the data directory. */
  dataDirWritable(): boolean;
  draining(): boolean;
  /** With discovery: this node's name and address, and the source, to say why it is not a member. */
  identity?: { name: string; advertised: Advertised; source: string };
  /** With a coordination store: whether it answers (coordination/failover.ts Failover.health). */
  coordinator?: () => CoordinatorHealth;
}

/** The readiness check of a coordination store: failing names the store and its error. */
export function coordinatorCheck(h: CoordinatorHealth): { ok: boolean; detail: string } {
  if (h.reachable) return { ok: true, detail: `${h.store} answered ${h.sinceAnswerMs} ms ago` };
  const since = h.sinceAnswerMs < 0 ? 'never answered' : `last answered ${h.sinceAnswerMs} ms ago`;
  return { ok: false, detail: `coordination store ${h.store} unreachable or without quorum (${since}): ${h.error ?? 'no answer yet'}; the chain configuration cannot change and writes stop at the lease deadline` };
}

/** Why this node is not a member of its chain's discovery answer, or null when it is (or has no discovery). */
export function notInDiscovery(src: Pick<ReadinessSource, 'chain' | 'identity'>): string | null {
  const view = src.chain.view;
  if (!src.identity || view.role !== 'outside' || src.chain.discoveryHealth.error !== null) return null;
  return notInDiscoveryMessage(src.identity.name, src.identity.advertised, view.members, src.identity.source);
}

/** Evaluates every readiness check; ready when all pass. */
export function nodeReadiness(src: ReadinessSource): Readiness {
  const view = src.chain.view;
  const disc = src.chain.discoveryHealth;
  const links = src.chain.linkHealth();
  const broken = [links.upstream === false ? `no live link from ${view.predecessor?.name ?? 'the predecessor'}` : '', links.downstream === false ? `not linked down to the tail through ${view.successor?.name ?? 'the successor'}` : '']
    .filter((s) => s !== '');
  const outside = notInDiscovery(src);
  const checks = {
    ...(src.identity ? { inDiscovery: outside === null ? { ok: true } : { ok: false, detail: outside } } : {}),
    ...(src.coordinator ? { coordinatorReachable: coordinatorCheck(src.coordinator()) } : {}),
    chainFormed: { ok: view.formed, detail: `${view.members.length}/${src.replicas} members, role ${view.role}` },
    chainLinked: { ok: view.role !== 'outside' && broken.length === 0, detail: broken.length > 0 ? broken.join('; ') : `role ${view.role}` },
    discoveryFresh: { ok: disc.error === null, detail: disc.error ?? `age ${disc.ageMs} ms` },
    dataDirWritable: { ok: src.dataDirWritable() },
    notDraining: { ok: !src.draining() },
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}
