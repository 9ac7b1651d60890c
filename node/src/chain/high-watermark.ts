/**
 * Committed offsets (high-water marks) per partition, the waiters on them, and their checkpoint file.
 *
 * In a chain a record is committed once the tail has it; each node learns that from the acknowledgements
 * travelling back up, so its high-water mark only moves forward. Produce requests with acks=-1 wait here
 * for their last offset to commit; Fetch long polls wait for any of their partitions to advance.
 *
 * The checkpoint is Kafka's `replication-offset-checkpoint` format (version line `0`, a count line, then
 * `topic partition offset` lines). It may lag: a stale (lower) mark after a crash is safe, because the
 * mark is re-learned from the successor and never used to drop data that a successor might not have.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CHECKPOINT_FILE = 'replication-offset-checkpoint';

/** `topic\0partition`: a map key that cannot collide (topic names cannot hold NUL). */
export function tpKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

interface CommitWaiter {
  offset: number;
  resolve: () => void;
}

export class HighWatermarks {
  private readonly marks = new Map<string, number>();
  private readonly commitWaiters = new Map<string, CommitWaiter[]>();
  private readonly dataWaiters = new Set<{ keys: Set<string>; wake: () => void }>();

  /** The committed offset (exclusive) of a partition; 0 when unknown. */
  get(topic: string, partition: number): number {
    return this.marks.get(tpKey(topic, partition)) ?? 0;
  }

  /** Advances a partition's mark (never backwards); wakes waiters. Returns true if it moved. */
  advance(topic: string, partition: number, offset: number): boolean {
    const key = tpKey(topic, partition);
    const current = this.marks.get(key) ?? 0;
    if (offset <= current) return false;
    this.marks.set(key, offset);
    const waiters = this.commitWaiters.get(key);
    if (waiters) {
      const still = waiters.filter((w) => {
        if (w.offset < offset) {
          w.resolve();
          return false;
        }
        return true;
      });
      if (still.length === 0) this.commitWaiters.delete(key);
      else this.commitWaiters.set(key, still);
    }
    for (const w of this.dataWaiters) if (w.keys.has(key)) w.wake();
    return true;
  }

  /** Sets a mark outright (topic deleted and recreated, log truncated below it on recovery). */
  reset(topic: string, partition: number, offset: number): void {
    this.marks.set(tpKey(topic, partition), offset);
  }

  /** Forgets a partition (topic deleted). */
  remove(topic: string, partition: number): void {
    this.marks.delete(tpKey(topic, partition));
  }

  /** Resolves once `offset` is committed, or with false after `timeoutMs`. */
  waitForCommit(topic: string, partition: number, offset: number, timeoutMs: number): Promise<boolean> {
    if (offset < this.get(topic, partition)) return Promise.resolve(true);
    const key = tpKey(topic, partition);
    return new Promise((resolve) => {
      const waiter: CommitWaiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const list = this.commitWaiters.get(key);
        if (list) {
          const i = list.indexOf(waiter);
          if (i >= 0) list.splice(i, 1);
        }
        resolve(false);
      }, timeoutMs);
      const list = this.commitWaiters.get(key);
      if (list) list.push(waiter);
      else this.commitWaiters.set(key, [waiter]);
    });
  }

  /** Resolves when any of the partitions advances, or after `timeoutMs` (Fetch's max.wait.ms). */
  waitForData(partitions: Iterable<[string, number]>, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const keys = new Set<string>();
      for (const [t, p] of partitions) keys.add(tpKey(t, p));
      const entry = {
        keys,
        wake: () => {
          clearTimeout(timer);
          this.dataWaiters.delete(entry);
          resolve();
        },
      };
      const timer = setTimeout(entry.wake, timeoutMs);
      this.dataWaiters.add(entry);
    });
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const w of [...this.dataWaiters]) w.wake();
  }

  /** Writes the checkpoint atomically (temp file + rename). */
  checkpoint(dataDir: string): void {
    const lines = ['0', String(this.marks.size)];
    for (const [key, offset] of this.marks) {
      const [topic, partition] = key.split('\0');
      lines.push(`${topic} ${partition} ${offset}`);
    }
    const file = path.join(dataDir, CHECKPOINT_FILE);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, lines.join('\n') + '\n');
    fs.renameSync(tmp, file);
  }

  /** Reads a checkpoint written by `checkpoint`; a missing or malformed file yields no marks. */
  static load(dataDir: string): HighWatermarks {
    const hw = new HighWatermarks();
    let text: string;
    try {
      text = fs.readFileSync(path.join(dataDir, CHECKPOINT_FILE), 'utf8');
    } catch {
      return hw;
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (lines[0] !== '0') return hw;
    for (const line of lines.slice(2)) {
      const parts = line.split(' ');
      if (parts.length !== 3) continue;
      const partition = Number(parts[1]);
      const offset = Number(parts[2]);
      if (Number.isInteger(partition) && Number.isInteger(offset)) hw.marks.set(tpKey(parts[0]!, partition), offset);
    }
    return hw;
  }
}
