/**
 * What a partition's log has written but not fsynced: the segments to fsync, how many records, and since
 * when, so that Kafka's flush policy (flush.messages, flush.ms) can decide when to fsync (partition-log.ts).
 */
import type { LogSegment } from './segment.ts';

export class Unflushed {
  private readonly segments = new Set<LogSegment>();
  /** Records appended since the last flush, and when the first of them was (ms; 0 = none). */
  private records = 0;
  private since = 0;

  /** `count` records were just written to `seg`; returns the unflushed record count. */
  written(seg: LogSegment, count: number): number {
    this.segments.add(seg);
    if (this.records === 0) this.since = Date.now();
    this.records += count;
    return this.records;
  }

  /** A segment whose bytes changed without an append (truncation) still needs its fsync. */
  touched(seg: LogSegment): void {
    this.segments.add(seg);
  }

  /** A segment that went away (deleted, swapped) needs no fsync. */
  forget(seg: LogSegment): void {
    this.segments.delete(seg);
  }

  /** fsyncs every segment written since the last flush. */
  flush(): void {
    for (const seg of this.segments) seg.flush();
    this.segments.clear();
    this.records = 0;
    this.since = 0;
  }

  get count(): number {
    return this.records;
  }

  /** Whether the oldest unflushed record is at least `ageMs` old. */
  olderThan(ageMs: number, now: number): boolean {
    return this.records > 0 && now - this.since >= ageMs;
  }
}
