/**
 * Deterministic pseudo-random numbers. Every random choice in soilscale draws from one of these,
 * created from a seed, so the same seed gives the same bytes on every machine.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic, 32-bit): fast in JS, passes
 * PractRand to terabytes, and, unlike `Math.random`, seedable.
 *
 * @example
 * ```ts
 * const rng = createRng(42);
 * rng.next();          // uniform in [0, 1)
 * rng.int(10);         // integer in [0, 10)
 * rng.normal();        // standard normal
 * const child = rng.fork(7); // independent stream for tree 7
 * ```
 */
export interface Rng {
  next(): number;
  int(n: number): number;
  normal(): number;
  /** A new generator whose stream depends only on this generator's seed and `key`. */
  fork(key: number): Rng;
  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { [i: number]: unknown; length: number }>(a: T): T;
  readonly seed: number;
}

/** Mix two 32-bit integers into a well-spread 32-bit integer (murmur3 finaliser). */
export function mixSeed(a: number, b = 0): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit hash of a string (FNV-1a), to derive seeds from node ids. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  let a = mixSeed(seed, 1);
  let b = mixSeed(seed, 2);
  let c = mixSeed(seed, 3);
  let d = 1;
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) nextU32();
  let spare = Number.NaN;
  const rng: Rng = {
    seed,
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    normal: () => {
      if (!Number.isNaN(spare)) {
        const s = spare;
        spare = Number.NaN;
        return s;
      }
      let u = 0;
      while (u === 0) u = nextU32() / 4294967296;
      const v = nextU32() / 4294967296;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: (key) => createRng(mixSeed(seed, mixSeed(key, 0x5bd1e995))),
    shuffle: (arr) => {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = Math.floor((nextU32() / 4294967296) * (i + 1));
        const t = arr[i];
        arr[i] = arr[j];
        arr[j] = t;
      }
      return arr;
    },
  };
  return rng;
}
