/**
 * mulberry32: a small seeded PRNG for tests and test tools, so random damage, mutations and
 * incompressible values are the same on every run and a failure reproduces from its seed.
 */

/** A generator of floats in [0, 1), determined by `seed`. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
