/**
 * Where the coordination store keeps things: the etcd key layout and the record codecs both backends
 * share. One home, so an operator reading etcd by hand (`etcdctl get --prefix /vonnegut/`) and the code
 * agree.
 *
 *   /vonnegut/chains/<chain>/config            JSON ChainConfig, changed only by compare-and-set
 *   /vonnegut/chains/<chain>/members/<member>  JSON MemberInfo, attached to the member's etcd lease
 *
 * Chain and member names are URI-encoded so a `/` in a name cannot escape its prefix.
 *
 * On Kubernetes every record is a coordination.k8s.io Lease in the pod's namespace:
 *
 *   vonnegut.<chain>.config            annotation vonnegut.io/chain-config: JSON ChainConfig
 *   vonnegut.<chain>.member.<member>   holderIdentity <member>, renewTime, leaseDurationSeconds,
 *                                      annotation vonnegut.io/member-info: JSON MemberInfo
 *
 * all labelled vonnegut.io/chain=<chain> (one list finds a chain's records) and annotated with the exact
 * chain and member names. A name part that is not a DNS label is replaced by a hash of itself.
 */
import { createHash } from 'node:crypto';
import { CoordinationError, type ChainConfig, type MemberInfo } from './store.ts';

export const KEY_ROOT = '/vonnegut/chains/';

/** The prefix holding everything of one chain (what a watch covers). */
export function chainPrefix(chain: string): string {
  return `${KEY_ROOT}${encodeURIComponent(chain)}/`;
}

/** The key of a chain's configuration record. */
export function configKey(chain: string): string {
  return `${chainPrefix(chain)}config`;
}

/** The prefix under which the chain's member leases live. */
export function membersPrefix(chain: string): string {
  return `${chainPrefix(chain)}members/`;
}

/** The key of one member's lease record. */
export function memberKey(chain: string, member: string): string {
  return `${membersPrefix(chain)}${encodeURIComponent(member)}`;
}

/** The member name of a key under `membersPrefix(chain)`. */
export function memberOfKey(chain: string, key: string): string {
  return decodeURIComponent(key.slice(membersPrefix(chain).length));
}

/** Checks a configuration before it is written: a store never holds a record the failover rules cannot read. */
export function checkChainConfig(config: ChainConfig): ChainConfig {
  const { epoch, members } = config;
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new CoordinationError(`chain config epoch must be a non-negative integer, got ${String(epoch)}`);
  if (!Array.isArray(members) || members.some((m) => typeof m !== 'string' || m === '')) {
    throw new CoordinationError('chain config members must be non-empty strings');
  }
  if (new Set(members).size !== members.length) throw new CoordinationError(`chain config names a member twice: ${members.join(',')}`);
  return { epoch, members: [...members] };
}

/** Parses a stored configuration record; a record nobody could have written is an error, not null. */
export function parseChainConfig(text: string, where: string): ChainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CoordinationError(`chain config at ${where} is not JSON`, err);
  }
  const obj = raw as Partial<ChainConfig> | null;
  if (obj === null || typeof obj !== 'object') throw new CoordinationError(`chain config at ${where} is not an object`);
  return checkChainConfig({ epoch: obj.epoch as number, members: obj.members as string[] });
}

/** Checks a member's published address. */
export function checkMemberInfo(info: MemberInfo): MemberInfo {
  if (typeof info.host !== 'string' || info.host === '') throw new CoordinationError('member info host must be a non-empty string');
  if (!Number.isInteger(info.port) || info.port < 0 || info.port > 65535) throw new CoordinationError(`member info port out of range: ${String(info.port)}`);
  return { host: info.host, port: info.port };
}

/** Parses a stored member record, or null when it is unreadable (one bad record must not hide the others). */
export function parseMemberInfo(text: string): MemberInfo | null {
  try {
    return checkMemberInfo(JSON.parse(text) as MemberInfo);
  } catch {
    return null;
  }
}

export const K8S_LABEL_CHAIN = 'vonnegut.io/chain';
export const K8S_LABEL_ROLE = 'vonnegut.io/role';
export const K8S_ANNOTATION_CHAIN = 'vonnegut.io/chain';
export const K8S_ANNOTATION_MEMBER = 'vonnegut.io/member';
export const K8S_ANNOTATION_CONFIG = 'vonnegut.io/chain-config';
export const K8S_ANNOTATION_INFO = 'vonnegut.io/member-info';
/** The TTL exactly as asked, in ms (leaseDurationSeconds is whole seconds, rounded up). */
export const K8S_ANNOTATION_TTL_MS = 'vonnegut.io/ttl-ms';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function hashed(s: string): string {
  return `h-${createHash('sha256').update(s).digest('hex').slice(0, 16)}`;
}

/** One dot-free part of a Kubernetes object name: the name itself when it is a DNS label, else a hash. */
function namePart(s: string): string {
  return s.length <= 63 && DNS_LABEL.test(s) ? s : hashed(s);
}

/** The Lease holding a chain's configuration. */
export function k8sConfigName(chain: string): string {
  return `vonnegut.${namePart(chain)}.config`;
}

/** The Lease of one member of a chain. */
export function k8sMemberName(chain: string, member: string): string {
  return `vonnegut.${namePart(chain)}.member.${namePart(member)}`;
}

/** The vonnegut.io/chain label value of a chain's Leases (label values allow at most 63 characters). */
export function k8sChainLabel(chain: string): string {
  return chain.length <= 63 && LABEL_VALUE.test(chain) ? chain : hashed(chain);
}
