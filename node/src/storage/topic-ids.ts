/**
 * Topic ids (KIP-516) on disk, where Kafka keeps them: every partition directory of a topic holds
 *
 *   <dataDir>/<topic>-<partition>/partition.metadata     "version: 0\ntopic_id: <base64url uuid>"
 *
 * exactly as Kafka's PartitionMetadataFile writes it (no trailing newline; a `.tmp` file, fsync, rename),
 * so a data directory moved to Kafka keeps its ids. Every partition of a topic holds the same id; the
 * first readable one wins on open and is written to partitions that lack it.
 *
 * A topic found without any id (written before ids existed, or every file lost) gets one derived from its
 * name (protocol/uuid.ts nameDerivedTopicId), so every member of its chain, and every node of a cluster,
 * computes the same id for it at once. The head decides in any case: its Create message carries its id
 * down the chain on every link sync, and members adopt it (chain-node.ts).
 */
import * as fs from 'node:fs';
import { replaceFileDurably } from './durable-replace.ts';
import * as path from 'node:path';
import { nameDerivedTopicId, uuidFromString, uuidToString } from '../protocol/uuid.ts';

export const PARTITION_METADATA_FILE = 'partition.metadata';
const FORMAT_VERSION = 0;

/** The id a partition directory records, or undefined when it has no (readable) partition.metadata. */
export function readPartitionMetadata(dir: string): Buffer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, PARTITION_METADATA_FILE), 'utf8');
  } catch {
    return undefined;
  }
  // Kafka's reader: "version: <n>" then "topic_id: <uuid>", split on ':' plus whitespace.
  const [versionLine, idLine] = text.split('\n');
  const version = /^version:\s+(\d+)$/.exec(versionLine ?? '')?.[1];
  const id = /^topic_id:\s+(\S+)$/.exec(idLine?.trimEnd() ?? '')?.[1];
  if (version === undefined || Number(version) < FORMAT_VERSION || id === undefined) return undefined;
  const parsed = uuidFromString(id);
  return parsed && !parsed.equals(Buffer.alloc(16)) ? parsed : undefined;
}

/** Records a topic id in a partition directory, atomically (tmp, fsync, rename). */
export function writePartitionMetadata(dir: string, id: Buffer): void {
  const file = path.join(dir, PARTITION_METADATA_FILE);
  replaceFileDurably(file, `version: ${FORMAT_VERSION}\ntopic_id: ${uuidToString(id)}`);
}

/** Every topic's id, both ways, kept in step with the partition.metadata files. */
export class TopicIds {
  private readonly byName = new Map<string, Buffer>();
  private readonly byId = new Map<string, string>();

  /**
   * Opening a topic: its id from the first partition directory that has one (written to those that do
   * not), or its name-derived id written to all. Returns the id and whether it was made now.
   */
  load(topic: string, dirs: readonly string[]): { id: Buffer; generated: boolean } {
    const found = dirs.map(readPartitionMetadata);
    const existing = found.find((id) => id !== undefined);
    const id = existing ?? nameDerivedTopicId(topic);
    dirs.forEach((dir, i) => {
      if (!found[i]?.equals(id)) writePartitionMetadata(dir, id);
    });
    this.remember(topic, id);
    return { id, generated: existing === undefined };
  }

  /** Gives a topic this id, rewriting the directories that record another (or none). */
  assign(topic: string, dirs: readonly string[], id: Buffer): void {
    for (const dir of dirs) if (!readPartitionMetadata(dir)?.equals(id)) writePartitionMetadata(dir, id);
    this.remember(topic, id);
  }

  /** A topic's id, undefined for an unknown topic. */
  get(topic: string): Buffer | undefined {
    return this.byName.get(topic);
  }

  /** The topic with this id, undefined when none has it. */
  topicOf(id: Buffer): string | undefined {
    return this.byId.get(id.toString('hex'));
  }

  /** Forgets a deleted topic. */
  forget(topic: string): void {
    const id = this.byName.get(topic);
    if (id) this.byId.delete(id.toString('hex'));
    this.byName.delete(topic);
  }

  private remember(topic: string, id: Buffer): void {
    this.forget(topic);
    this.byName.set(topic, Buffer.from(id));
    this.byId.set(id.toString('hex'), topic);
  }
}
