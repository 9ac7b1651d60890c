/**
 * Shared fuzzing machinery (fast-check): arbitraries that produce random bytes and mutations of valid
 * encodings, and `fuzz()`, which runs a decoder over them and holds it to the decoder contract:
 *
 *   - it returns a result (which `valid` may inspect) or throws DecodeError/KafkaError, nothing else;
 *   - it never allocates without bound: RSS and ArrayBuffer memory, sampled while it runs, stay within
 *     MEMORY_BUDGET_BYTES of where they started.
 *
 * Runs are seeded (FUZZ_SEED overrides) so a failure reproduces; FUZZ_SCALE multiplies the run counts for
 * long soaks. Every property records how many inputs it fed, for the report `fuzz-counts.test.ts` prints.
 */
import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { DecodeError, KafkaError } from '../../src/protocol/errors.ts';

export const SEED = Number(process.env.FUZZ_SEED ?? 20260409);
export const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
export const MEMORY_BUDGET_BYTES = 64 * 1024 * 1024;
/** Memory is sampled every this many inputs (a full GC and process.memoryUsage() are too slow for each). */
const SAMPLE_EVERY = 32;

// A full collection before a measured input separates what that one input allocates from garbage that
// earlier inputs left behind (ava's worker does not run with --expose-gc).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (opts?: { type: 'minor' | 'major' }) => void;
const collect = (): void => gc();
/** A young-generation collection: about 0.1 ms against several for a full one, and it frees short-lived buffers. */
const collectYoung = (): void => gc({ type: 'minor' });

/**
 * Values that break length and count fields: Kafka's int32/int16 maxima and the -1/-2 sentinels
 * (null, "use default"), plus a 5-byte varint that decodes to a huge or negative zigzag value.
 */
const HOSTILE_FIELDS: Buffer[] = [
  '7fffffff', 'ffffffff', 'fffffffe', '80000000', '7fff', 'ffff', 'fffe', '8000', 'ffffffff0f', 'feffffff0f', 'ff01',
].map((h) => Buffer.from(h, 'hex'));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'hostile'; at: number; field: number };

// Positions are fractions of the input length, so one mutation shape fits inputs of any size.
const at = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({ kind: fc.constant('insert' as const), at, bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at, count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('hostile' as const), at, field: fc.integer({ min: 0, max: HOSTILE_FIELDS.length - 1 }) }),
);

function apply(input: Buffer, m: Mutation): Buffer {
  const pos = Math.floor(m.at * input.length);
  switch (m.kind) {
    case 'flip': {
      if (input.length === 0) return input;
      const b = Buffer.from(input);
      b[pos] = b[pos]! ^ (1 << m.bit);
      return b;
    }
    case 'set': {
      if (input.length === 0) return input;
      const b = Buffer.from(input);
      b[pos] = m.byte;
      return b;
    }
    case 'truncate': return input.subarray(0, pos);
    case 'insert': return Buffer.concat([input.subarray(0, pos), m.bytes, input.subarray(pos)]);
    case 'delete': return Buffer.concat([input.subarray(0, pos), input.subarray(pos + m.count)]);
    case 'hostile': {
      const b = Buffer.from(input);
      HOSTILE_FIELDS[m.field]!.copy(b, pos);
      return b;
    }
  }
}

/** 1-4 mutations of one of `seeds` (valid encodings). */
export function mutated(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  if (seeds.length === 0) throw new Error('mutated() needs at least one seed');
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([seed, ms]) => ms.reduce(apply, seed));
}

/** Random bytes, sometimes prefixed by a seed's first bytes so decoding gets past the first fields. */
export function randomBytes(seeds: readonly Buffer[] = []): fc.Arbitrary<Buffer> {
  const raw = fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a));
  if (seeds.length === 0) return raw;
  return fc.oneof(raw, fc.tuple(fc.constantFrom(...seeds), fc.nat(), raw)
    .map(([seed, cut, tail]) => Buffer.concat([seed.subarray(0, cut % (seed.length + 1)), tail])));
}

/** Mutated seeds twice as often as random bytes. */
export function inputs(seeds: readonly Buffer[]): fc.Arbitrary<Buffer> {
  return fc.oneof({ arbitrary: mutated(seeds), weight: 2 }, { arbitrary: randomBytes(seeds), weight: 1 });
}

export interface FuzzOutcome {
  runs: number;
  decoded: number;
  rejected: number;
  /** Largest growth seen, in bytes, over the starting RSS / ArrayBuffer memory. */
  rssGrowth: number;
  arrayBufferGrowth: number;
}

/** Input counts by decoder name, for the report. */
export const counts = new Map<string, FuzzOutcome>();

/**
 * Feeds `numRuns` inputs to `decode`. Throws (failing the ava test with fast-check's shrunk
 * counterexample) on any other exception, on a result `valid` rejects, or when memory grows past budget.
 */
export function fuzz<T>(name: string, arb: fc.Arbitrary<Buffer>, decode: (b: Buffer) => T, opts: { numRuns: number; valid?: (result: T, input: Buffer) => void }): FuzzOutcome {
  collect();
  const start = process.memoryUsage();
  const outcome: FuzzOutcome = { runs: 0, decoded: 0, rejected: 0, rssGrowth: 0, arrayBufferGrowth: 0 };
  let base = start;
  const check = (from: NodeJS.MemoryUsage, what: string, budget = MEMORY_BUDGET_BYTES, arrayBuffersToo = true): void => {
    const now = process.memoryUsage();
    const rss = now.rss - from.rss;
    const ab = now.arrayBuffers - from.arrayBuffers;
    outcome.rssGrowth = Math.max(outcome.rssGrowth, rss);
    if (arrayBuffersToo) outcome.arrayBufferGrowth = Math.max(outcome.arrayBufferGrowth, ab);
    if ((arrayBuffersToo && ab > budget) || rss > budget) {
      throw new Error(`${name}: ${what}: memory grew by rss ${rss} / arrayBuffers ${ab} bytes`);
    }
  };
  fc.assert(fc.property(arb, (input) => {
    const measured = outcome.runs % SAMPLE_EVERY === 0;
    if (measured) {
      collectYoung();
      base = process.memoryUsage();
    }
    outcome.runs++;
    let result: T;
    try {
      result = decode(input);
    } catch (err) {
      if (!(err instanceof DecodeError || err instanceof KafkaError)) throw err;
      outcome.rejected++;
      if (measured) check(base, 'one input'); // what a single hostile input made the decoder allocate
      return;
    }
    outcome.decoded++;
    if (measured) check(base, 'one input');
    opts.valid?.(result, input);
  }), { seed: SEED, numRuns: Math.round(opts.numRuns * SCALE) });
  // A leak across inputs. RSS only, with twice the budget: zlib's native buffers are released lazily
  // after a GC, so ArrayBuffer totals right after thousands of gunzips swing by ~70 MiB while RSS
  // plateaus (measured: 20,000 failing gunzips settle at ~95 MiB RSS over the start and stay there).
  collect();
  check(start, 'retained after GC', 2 * MEMORY_BUDGET_BYTES, false);
  const prev = counts.get(name);
  counts.set(name, prev ? {
    runs: prev.runs + outcome.runs, decoded: prev.decoded + outcome.decoded, rejected: prev.rejected + outcome.rejected,
    rssGrowth: Math.max(prev.rssGrowth, outcome.rssGrowth), arrayBufferGrowth: Math.max(prev.arrayBufferGrowth, outcome.arrayBufferGrowth),
  } : outcome);
  return outcome;
}

/** One line per decoder for t.log. */
export function describe(name: string, o: FuzzOutcome): string {
  return `${name}: ${o.runs} inputs (${o.decoded} decoded, ${o.rejected} rejected), peak growth rss ${(o.rssGrowth / 2 ** 20).toFixed(1)} MiB, arrayBuffers ${(o.arrayBufferGrowth / 2 ** 20).toFixed(1)} MiB`;
}
