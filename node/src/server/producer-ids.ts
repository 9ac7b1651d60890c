/**
 * Producer id allocation for InitProducerId (idempotent producers). The per-partition sequence checks
 * live with each log (storage/producer-state.ts); this only hands out ids no other producer has held.
 *
 * Ids are time-based so they stay unique across restarts without a durable counter: the allocator
 * starts at the current millisecond times 2^8 and counts up from there, and the low 8 bits carry a
 * node slot so two nodes answering in the same millisecond never collide. That gives 256 ids per
 * millisecond per node before the counter runs ahead of the clock, which only moves it further ahead
 * (never back). It assumes the wall clock does not step back across a restart by more than the ids used.
 */

/** Producer ids stay below 2^53 (exact in a JS number): ms since the epoch * 2^8 fits until the year 2527. */
const SLOT_BITS = 256;

export class ProducerIdAllocator {
  private last = 0;

  constructor(private readonly nodeSlot: number, private readonly now: () => number = Date.now) {}

  /** A producer id never handed out before, by this node or (through the slot) any other. */
  next(): number {
    const slot = ((this.nodeSlot % SLOT_BITS) + SLOT_BITS) % SLOT_BITS;
    const floor = this.now() * SLOT_BITS;
    const base = Math.max(floor, this.last - (this.last % SLOT_BITS) + SLOT_BITS);
    this.last = base - (base % SLOT_BITS) + slot;
    return this.last;
  }
}
