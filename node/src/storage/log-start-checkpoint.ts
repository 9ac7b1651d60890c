/**
 * `<dataDir>/log-start-offset-checkpoint`, in Kafka's checkpoint format (CheckpointFile.scala):
 *
 *   0                      version
 *   2                      number of entries
 *   orders 0 1200          topic partition log_start_offset, one line each
 *   orders 1 300
 *
 * Kafka writes it so a log start offset moved by DeleteRecords (not at a segment boundary) survives a
 * restart; so does vonnegut. Written through a temporary file, fsync and rename: old or new, never torn.
 */
import * as fs from 'node:fs';
import { replaceFileDurably } from './durable-replace.ts';
import * as path from 'node:path';

export const LOG_START_CHECKPOINT_FILE = 'log-start-offset-checkpoint';
const VERSION = 0;

export interface LogStartEntry {
  topic: string;
  partition: number;
  offset: number;
}

/** Reads the checkpoint of a data dir; empty when absent. Throws on a malformed file (a clear refusal). */
export function readLogStartCheckpoint(dataDir: string): LogStartEntry[] {
  const file = path.join(dataDir, LOG_START_CHECKPOINT_FILE);
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  if (Number(lines[0]) !== VERSION) throw new Error(`${file}: unsupported version ${lines[0]}`);
  const count = Number(lines[1]);
  const entries = lines.slice(2).map((line) => {
    const [topic, partition, offset] = line.split(' ');
    const e = { topic: topic ?? '', partition: Number(partition), offset: Number(offset) };
    if (!e.topic || !Number.isInteger(e.partition) || !Number.isInteger(e.offset)) throw new Error(`${file}: malformed line ${JSON.stringify(line)}`);
    return e;
  });
  if (entries.length !== count) throw new Error(`${file}: ${entries.length} entries, header says ${count}`);
  return entries;
}

/** Replaces the checkpoint with `entries`. */
export function writeLogStartCheckpoint(dataDir: string, entries: readonly LogStartEntry[]): void {
  const file = path.join(dataDir, LOG_START_CHECKPOINT_FILE);
  const text = [String(VERSION), String(entries.length), ...entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`)].join('\n') + '\n';
  replaceFileDurably(file, text);
}
