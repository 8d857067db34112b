/**
 * Exact, order-independent sums of float64 terms: what lets tiles' partial sums combine into the same
 * bits whatever the tiling, the executor or the order tiles finish in. Float addition is not
 * associative, so summing tile totals in another grouping would change the last bits of every metric;
 * an exact sum has one value, rounded once at the end.
 *
 * Each term m·2^(E−1075) (m its 53-bit integer significand, E its biased exponent) is split into a
 * low 32-bit and a high 21-bit integer, added to float64 bins that count units of 2^(j−1075): integer
 * additions, exact while a bin stays below 2^53, which a carry pass every 2^20 additions guarantees.
 * The sum leaves as an {@link Exact} (a bigint times a power of two), JSON-safe as a short string.
 */

/** m · 2^e, exactly. */
export interface Exact {
  readonly m: bigint;
  readonly e: number;
}

export const EXACT_ZERO: Exact = { m: 0n, e: 0 };

const BIAS = 1075;
/** Bins for every float64 exponent, plus room for the high pieces and carries. */
const BINS = 2048 + 96;
const CARRY_EVERY = 1 << 20;
const TWO32 = 2 ** 32;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// The bins read the low word first: little-endian (every platform Node runs on; checked, not assumed).
if ((f64[0] = 1, u32[1]) !== 0x3ff00000) throw new Error('exact-sum: expects a little-endian platform');

/**
 * An exact accumulator of finite float64 terms. (The validator's terms are sums and products of float32
 * values, always finite in float64; a non-finite term is a caller's bug and throws.)
 */
export class ExactSum {
  private readonly bins = new Float64Array(BINS);
  private adds = 0;
  /** The bins touched so far lie in [lo, hi] (carries and reads scan only those). */
  private lo = BINS;
  private hi = -1;

  add(t: number): void {
    if (t === 0) return;
    if (!Number.isFinite(t)) throw new RangeError(`ExactSum: non-finite term ${t}`);
    f64[0] = t;
    const lo = u32[0];
    const hi = u32[1];
    let exp = (hi >>> 20) & 0x7ff;
    let high = hi & 0xfffff;
    if (exp) high += 0x100000;
    else exp = 1; // subnormal: no hidden bit, exponent as for the smallest normal
    const bins = this.bins;
    if (exp < this.lo) this.lo = exp;
    if (exp + 32 > this.hi) this.hi = exp + 32;
    if (hi >>> 31) {
      bins[exp] -= lo;
      bins[exp + 32] -= high;
    } else {
      bins[exp] += lo;
      bins[exp + 32] += high;
    }
    if (++this.adds === CARRY_EVERY) this.carry();
  }

  /** Add another accumulator's sum (e.g. a date's into the pooled sum). */
  addSum(other: ExactSum): void {
    for (let j = other.lo; j <= other.hi; j++) this.bins[j] += other.bins[j];
    this.lo = Math.min(this.lo, other.lo);
    this.hi = Math.max(this.hi, other.hi);
    this.carry();
  }

  /** The exact sum. */
  value(): Exact {
    this.carry();
    const bins = this.bins;
    let lowest = this.lo;
    while (lowest <= this.hi && bins[lowest] === 0) lowest++;
    if (lowest > this.hi) return EXACT_ZERO;
    let highest = this.hi;
    while (bins[highest] === 0) highest--;
    let m = 0n;
    for (let j = highest; j >= lowest; j--) m = (m << 1n) + BigInt(bins[j]);
    if (m === 0n) return EXACT_ZERO;
    // Canonical: an odd significand, so equal sums are equal values (and equal JSON).
    const zeros = (m & -m).toString(2).length - 1;
    return { m: m >> BigInt(zeros), e: lowest - BIAS + zeros };
  }

  /** Bring every bin below 2^32 in magnitude, moving the excess 32 bins up (exact integer arithmetic). */
  private carry(): void {
    const bins = this.bins;
    for (let j = this.lo; j <= this.hi && j < BINS - 32; j++) {
      const c = Math.trunc(bins[j] / TWO32);
      if (c !== 0) {
        bins[j] -= c * TWO32;
        bins[j + 32] += c;
        if (j + 32 > this.hi) this.hi = j + 32;
      }
    }
    this.adds = 0;
  }
}

export function exactAdd(a: Exact, b: Exact): Exact {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  return { m: (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e };
}

export function exactMul(a: Exact, b: Exact): Exact {
  return { m: a.m * b.m, e: a.e + b.e };
}

export const exactNeg = (a: Exact): Exact => ({ m: -a.m, e: a.e });
export const exactInt = (k: number): Exact => ({ m: BigInt(k), e: 0 });

/** The float64 nearest to an exact value (ties to even), rounded once. */
export function exactToNumber(x: Exact): number {
  if (x.m === 0n) return 0;
  const neg = x.m < 0n;
  let a = neg ? -x.m : x.m;
  const bits = a.toString(2).length;
  let shift = 0;
  if (bits > 64) {
    // Keep 64 bits and fold the dropped ones into a sticky bit: Number() then rounds as the whole would.
    shift = bits - 64;
    const kept = a >> BigInt(shift);
    a = kept | ((kept << BigInt(shift)) !== a ? 1n : 0n);
  }
  const k = shift + x.e;
  // Two power-of-two steps: 2^k alone under- or overflows for scales the result itself does not.
  const half = Math.trunc(k / 2);
  const v = Number(a) * 2 ** half * 2 ** (k - half);
  return neg ? -v : v;
}

/** An exact value for a tile summary (JSON): `"<hex significand>p<binary exponent>"`. */
export function exactToJson(x: Exact): string {
  return `${x.m.toString(16)}p${x.e}`;
}

export function exactFromJson(j: string): Exact {
  const p = j.indexOf('p');
  const hex = j.slice(0, p);
  const m = hex.startsWith('-') ? -BigInt(`0x${hex.slice(1)}`) : BigInt(`0x${hex}`);
  return { m, e: Number(j.slice(p + 1)) };
}
