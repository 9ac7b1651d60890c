/**
 * Committed offsets (high-water marks) per partition, the waiters on them, and their checkpoint file.
 *
 * In a chain a record is committed once the tail has it; each node learns that from the acknowledgements
 * travelling back up, so its high-water mark only moves forward. Produce requests with acks=-1 wait here
 * for their last offset to commit; Fetch long polls wait for any of their partitions to advance.
 *
 * Two files keep the marks across restarts. `replication-offset-checkpoint` is Kafka's format (version
 * line `0`, a count line, then `topic partition offset` lines), rewritten every second for tools. Because
 * that can lag, and a reader must never see the mark go backwards after a kill -9, every advance is also
 * written within the same event-loop turn to `high-watermark.slots`: one 8-byte slot per partition,
 * overwritten in place (a pwrite into the page cache, which a killed process does not lose), with the
 * slot of each partition named once in `high-watermark.slots.index` (`slot topic partition` lines).
 * On open the larger of the two wins.
 */
import fs from 'node:fs';
import path from 'node:path';
import { splitTpKey, tpKey } from '../topic-partition.ts';

export const CHECKPOINT_FILE = 'replication-offset-checkpoint';
export const SLOTS_FILE = 'high-watermark.slots';
export const SLOTS_INDEX_FILE = 'high-watermark.slots.index';

interface CommitWaiter {
  offset: number;
  resolve: () => void;
  abandon: () => void;
}

/** Durable per-partition slots for high-water marks (see the file header). */
class MarkSlots {
  private readonly slots = new Map<string, number>();
  private readonly dirty = new Map<string, number>();
  private scheduled = false;
  private fd: number;
  private indexFd: number;
  private readonly scratch = Buffer.alloc(8);

  constructor(dataDir: string, loaded: Map<string, number>) {
    const index = path.join(dataDir, SLOTS_INDEX_FILE);
    const file = path.join(dataDir, SLOTS_FILE);
    let text = '';
    try {
      text = fs.readFileSync(index, 'utf8');
    } catch {
      // First start: no slots yet.
    }
    this.fd = fs.openSync(file, 'a+');
    this.indexFd = fs.openSync(index, 'a');
    const buf = fs.readFileSync(file);
    for (const line of text.split('\n')) {
      const parts = line.split(' ');
      if (parts.length !== 3) continue;
      const slot = Number(parts[0]);
      const key = tpKey(parts[1]!, Number(parts[2]));
      this.slots.set(key, slot);
      if ((slot + 1) * 8 <= buf.length) {
        const offset = Number(buf.readBigInt64BE(slot * 8));
        if (offset > (loaded.get(key) ?? 0)) loaded.set(key, offset);
      }
    }
    fs.closeSync(this.fd);
    this.fd = fs.openSync(file, 'r+');
  }

  /** Records an advance; written once per event-loop turn per partition. */
  note(key: string, offset: number): void {
    this.dirty.set(key, offset);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    for (const [key, offset] of this.dirty) {
      let slot = this.slots.get(key);
      if (slot === undefined) {
        slot = this.slots.size;
        this.slots.set(key, slot);
        const { topic, partition } = splitTpKey(key);
        fs.writeSync(this.indexFd, `${slot} ${topic} ${partition}\n`);
      }
      this.scratch.writeBigInt64BE(BigInt(offset), 0);
      fs.writeSync(this.fd, this.scratch, 0, 8, slot * 8);
    }
    this.dirty.clear();
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
    fs.closeSync(this.indexFd);
  }
}

export class HighWatermarks {
  private readonly marks = new Map<string, number>();
  private slots: MarkSlots | null = null;
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
    this.slots?.note(key, offset);
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
    const key = tpKey(topic, partition);
    this.marks.set(key, offset);
    this.slots?.note(key, offset);
  }

  /** Forgets a partition (topic deleted). */
  remove(topic: string, partition: number): void {
    const key = tpKey(topic, partition);
    this.marks.delete(key);
    // A topic created again under the same name must start from zero, not from this mark.
    this.slots?.note(key, 0);
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
        abandon: () => {
          clearTimeout(timer);
          resolve(false);
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

  /** Resolves every commit waiter with false (this node stopped leading: what it appended may never commit). */
  abandonCommitWaiters(): void {
    const all = [...this.commitWaiters.values()].flat();
    this.commitWaiters.clear();
    for (const w of all) w.abandon();
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const w of [...this.dataWaiters]) w.wake();
  }

  /** Writes the checkpoint atomically (temp file + rename). */
  checkpoint(dataDir: string): void {
    const lines = ['0', String(this.marks.size)];
    for (const [key, offset] of this.marks) {
      const { topic, partition } = splitTpKey(key);
      lines.push(`${topic} ${partition} ${offset}`);
    }
    const file = path.join(dataDir, CHECKPOINT_FILE);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, lines.join('\n') + '\n');
    fs.renameSync(tmp, file);
  }

  /** Flushes and closes the slot files (clean shutdown). */
  close(): void {
    this.slots?.close();
    this.slots = null;
  }

  /** Loads the marks from both files (the larger wins) and keeps every later advance durable. */
  static load(dataDir: string): HighWatermarks {
    const hw = new HighWatermarks();
    let text = '';
    try {
      text = fs.readFileSync(path.join(dataDir, CHECKPOINT_FILE), 'utf8');
    } catch {
      // No checkpoint yet.
    }
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (lines[0] === '0') {
      for (const line of lines.slice(2)) {
        const parts = line.split(' ');
        if (parts.length !== 3) continue;
        const partition = Number(parts[1]);
        const offset = Number(parts[2]);
        if (Number.isInteger(partition) && Number.isInteger(offset)) hw.marks.set(tpKey(parts[0]!, partition), offset);
      }
    }
    hw.slots = new MarkSlots(dataDir, hw.marks);
    return hw;
  }
}
