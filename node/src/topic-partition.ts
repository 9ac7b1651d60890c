/**
 * The one map key for a partition: `topic\0partition`. Topic names cannot hold NUL (see
 * storage/log-files.ts's validateTopicName), so the key cannot collide and splits back unambiguously.
 */

/** `topic\0partition`: a map key that cannot collide. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/** The topic and partition a `tpKey` was made from. */
export function splitTpKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('\0');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** The prefix every key of `topic`'s partitions starts with. */
export function tpKeyPrefix(topic: string): string {
  return `${topic}\0`;
}
