/**
 * Kafka's Uuid (KIP-516 topic ids): 16 bytes on the wire (`uuid` fields), and as text the URL-safe base64
 * of those bytes without padding (22 characters), as Kafka's `Uuid.toString()` writes it in logs, tools
 * and `partition.metadata` files.
 */
import { createHash, randomUUID } from 'node:crypto';

/** The all-zero id: "no id" (Kafka's Uuid.ZERO_UUID), what versions without topic ids carry. */
export const ZERO_UUID: Buffer = Buffer.alloc(16);
/** Kafka reserves 0 and 1 (the metadata topic's id); a generated id is never one of them. */
const ONE_UUID: Buffer = Buffer.from('00000000000000000000000000000001', 'hex');

/** Kafka's text form of a uuid. */
export function uuidToString(id: Buffer): string {
  return id.toString('base64url');
}

/** Parses Kafka's text form; undefined for anything that is not 16 bytes of URL-safe base64. */
export function uuidFromString(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]{22}$/.test(s)) return undefined;
  const id = Buffer.from(s, 'base64url');
  return id.length === 16 ? id : undefined;
}

/** True for the all-zero id. */
export function isZeroUuid(id: Buffer): boolean {
  return id.equals(ZERO_UUID);
}

/** Whether Kafka would hand out this id: never 0 or 1, text never starting with '-'. */
function usable(id: Buffer): boolean {
  return !id.equals(ZERO_UUID) && !id.equals(ONE_UUID) && !uuidToString(id).startsWith('-');
}

/** A random (version 4) id as Kafka's Uuid.randomUuid() makes them. */
export function randomTopicId(): Buffer {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex');
    if (usable(id)) return id;
  }
}

/**
 * An id computed from a topic's name alone (an RFC 9562 version 8 uuid from SHA-256), for topics written
 * before ids existed: every node that holds or knows such a topic computes the same id without asking.
 */
export function nameDerivedTopicId(topic: string): Buffer {
  for (let attempt = 0; ; attempt++) {
    const id = createHash('sha256').update(`vonnegut topic id ${attempt}\0${topic}`).digest().subarray(0, 16);
    id[6] = (id[6]! & 0x0f) | 0x80;
    id[8] = (id[8]! & 0x3f) | 0x80;
    if (usable(id)) return Buffer.from(id);
  }
}
