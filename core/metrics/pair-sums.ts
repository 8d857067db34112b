import { ExactSum, exactAdd, exactFromJson, exactInt, exactMul, exactNeg, exactToJson, exactToNumber, EXACT_ZERO, type Exact } from './exact-sum.js';
import { klDivergenceOfValidPairs } from './kl-divergence.js';
import { metricsFromMoments, pearson, type PairedMetrics, type PairedMetricsOptions } from './paired-metrics.js';
import { averageRanks } from './pairing.js';

/**
 * Partial sums of a set of (product e, reference o) pairs from which every moment metric follows:
 * raw sums, kept exact ({@link ExactSum}), so tiles combine into the same bits in any grouping and the
 * centred sums come out of one rounding (n·Σe² − (Σe)², no cancellation) instead of a second pass.
 * Σ|e − o| is Σmax(e, o) − Σmin(e, o) and Σ(e − o)² is Σe² − 2Σeo + Σo², so every term is a float32
 * value or an exact product of two. Only Willmott's denominator needs the reference mean first
 * ({@link agreementTerm}, summed in a second pass), and the rank metrics need the pairs themselves.
 */
export interface PairSums {
  readonly n: number;
  readonly e: Exact;
  readonly o: Exact;
  readonly ee: Exact;
  readonly oo: Exact;
  readonly eo: Exact;
  readonly max: Exact;
  readonly min: Exact;
  /** Σ|e − o|/|o| over the `nape` pairs with |o| above the MAPE threshold (terms rounded, their sum exact). */
  readonly ape: Exact;
  readonly nape: number;
}

export const EMPTY_PAIR_SUMS: PairSums = { n: 0, e: EXACT_ZERO, o: EXACT_ZERO, ee: EXACT_ZERO, oo: EXACT_ZERO, eo: EXACT_ZERO, max: EXACT_ZERO, min: EXACT_ZERO, ape: EXACT_ZERO, nape: 0 };

const EXACT_FIELDS = ['e', 'o', 'ee', 'oo', 'eo', 'max', 'min', 'ape'] as const;

/** {@link PairSums} as a tile summary carries it (JSON). */
export interface PairSumsJson {
  readonly n: number;
  readonly nape: number;
  /** The exact sums in {@link EXACT_FIELDS} order. */
  readonly s: readonly string[];
}

/** Accumulates {@link PairSums} pair by pair. */
export class PairSumsAccumulator {
  private n = 0;
  private nape = 0;
  private readonly sums = EXACT_FIELDS.map(() => new ExactSum());
  constructor(private readonly mapeEpsilon = 0.01) {}

  /** Every pair of `e`, `o` where both are finite. */
  addArrays(e: ArrayLike<number>, o: ArrayLike<number>): void {
    for (let i = 0; i < e.length; i++) {
      const a = e[i], b = o[i];
      if (Number.isFinite(a) && Number.isFinite(b)) this.add(a, b);
    }
  }

  /** One valid pair (finite float32 values, so the products below are exact in float64). */
  add(a: number, b: number): void {
    const [se, so, see, soo, seo, smax, smin, sape] = this.sums;
    this.n++;
    se.add(a);
    so.add(b);
    see.add(a * a);
    soo.add(b * b);
    seo.add(a * b);
    smax.add(a > b ? a : b);
    smin.add(a > b ? b : a);
    if (Math.abs(b) > this.mapeEpsilon) {
      sape.add(Math.abs(a - b) / Math.abs(b));
      this.nape++;
    }
  }

  value(): PairSums {
    const [e, o, ee, oo, eo, max, min, ape] = this.sums.map((s) => s.value());
    return { n: this.n, e, o, ee, oo, eo, max, min, ape, nape: this.nape };
  }
}

export function pairSumsToJson(s: PairSums): PairSumsJson {
  return { n: s.n, nape: s.nape, s: EXACT_FIELDS.map((k) => exactToJson(s[k])) };
}

export function pairSumsFromJson(j: PairSumsJson): PairSums {
  const [e, o, ee, oo, eo, max, min, ape] = j.s.map(exactFromJson);
  return { n: j.n, nape: j.nape, e, o, ee, oo, eo, max, min, ape };
}

/** The sums of the union of two sets of pairs (exact: any grouping gives the same sums). */
export function addPairSums(a: PairSums, b: PairSums): PairSums {
  return {
    n: a.n + b.n,
    nape: a.nape + b.nape,
    e: exactAdd(a.e, b.e),
    o: exactAdd(a.o, b.o),
    ee: exactAdd(a.ee, b.ee),
    oo: exactAdd(a.oo, b.oo),
    eo: exactAdd(a.eo, b.eo),
    max: exactAdd(a.max, b.max),
    min: exactAdd(a.min, b.min),
    ape: exactAdd(a.ape, b.ape),
  };
}

/** The means of a set: what the second pass needs for Willmott's denominator. */
export function pairMeans(s: PairSums): { meanProduct: number; meanReference: number } {
  return { meanProduct: exactToNumber(s.e) / s.n, meanReference: exactToNumber(s.o) / s.n };
}

/** One pair's term of Willmott's denominator Σ(|e − ō| + |o − ō|)², given the set's reference mean ō. */
export function agreementTerm(a: number, b: number, meanReference: number): number {
  return (Math.abs(a - meanReference) + Math.abs(b - meanReference)) ** 2;
}

/** Spearman ρ and KL of a sample of valid pairs (every pair, or a subsample: `spearmanN` says how many). */
export interface RankMetrics {
  readonly spearman: number;
  readonly spearmanN: number;
  readonly kl: number;
}

export function rankMetricsOfPairs(e: Float64Array, o: Float64Array, options: PairedMetricsOptions = {}): RankMetrics {
  const n = e.length;
  return {
    spearman: n >= 2 ? pearson(averageRanks(e), averageRanks(o)) : Number.NaN,
    spearmanN: n,
    kl: n ? klDivergenceOfValidPairs(e, o, options.kl) : Number.NaN,
  };
}

export const NO_RANK_METRICS: RankMetrics = { spearman: Number.NaN, spearmanN: 0, kl: Number.NaN };

/**
 * The metrics record of a set of pairs from its exact sums, Willmott's denominator (Σ of
 * {@link agreementTerm} about the set's reference mean) and its rank metrics. Equal to `pairedMetrics`
 * on the same pairs to the last few bits (the centred sums here are rounded once, from exact sums).
 */
export function metricsOfPairSums(s: PairSums, sagree: number, ranks: RankMetrics): PairedMetrics {
  const { n } = s;
  const N = exactInt(n);
  // n·Σ(x − x̄)(y − ȳ) = n·Σxy − Σx·Σy, exactly; 0 exactly for a constant series.
  const centred = (xy: Exact, x: Exact, y: Exact) => (n ? exactToNumber(exactAdd(exactMul(N, xy), exactNeg(exactMul(x, y)))) / n : 0);
  const sd2Exact = exactAdd(exactAdd(s.ee, s.oo), exactNeg(exactMul(exactInt(2), s.eo)));
  const sd = exactAdd(s.e, exactNeg(s.o));
  const { meanProduct, meanReference } = pairMeans(s);
  return metricsFromMoments(
    {
      n,
      meanProduct,
      meanReference,
      see: centred(s.ee, s.e, s.e),
      soo: centred(s.oo, s.o, s.o),
      seo: centred(s.eo, s.e, s.o),
      sad: exactToNumber(exactAdd(s.max, exactNeg(s.min))),
      sd2: exactToNumber(sd2Exact),
      sdd: n ? exactToNumber(exactAdd(exactMul(N, sd2Exact), exactNeg(exactMul(sd, sd)))) / n : 0,
      sape: exactToNumber(s.ape),
      nape: s.nape,
      sagree,
    },
    ranks,
  );
}
