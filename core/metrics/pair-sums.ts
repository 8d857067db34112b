import { ExactSum, exactAdd, exactFromJson, exactInt, exactMul, exactNeg, exactToJson, exactToNumber, EXACT_ZERO, type Exact } from './exact-sum.js';
import { klDivergenceOfValidPairs } from './kl-divergence.js';
import { metricsFromMoments, pearson, type PairedMetrics, type PairedMetricsOptions } from './paired-metrics.js';
import { averageRanks } from './pairing.js';

/**
 * Partial sums of (product e, reference o) pairs from which every moment metric follows, in two passes
 * as `pairedMetrics` computes them: {@link PairTotals} (no mean needed), then {@link CentredSums} about
 * the means the totals give (centred, so nothing cancels).
 *
 * Pairs arrive in *segments* (a few dozen pixels of a raster row): summed plainly within a segment, the
 * segments' sums added exactly ({@link ExactSum}). A caller whose segments do not depend on how the
 * raster is cut (tiles aligned to the segment length) gets the same bits for any tiling and any order
 * of the tiles, at the cost of one exact addition per segment rather than per pair.
 */
export interface PairTotals {
  readonly n: number;
  readonly e: Exact;
  readonly o: Exact;
  /** Σ|e − o|, Σ(e − o)². */
  readonly ad: Exact;
  readonly d2: Exact;
  /** Σ|e − o|/|o| over the `nape` pairs with |o| above the MAPE threshold. */
  readonly ape: Exact;
  readonly nape: number;
  /** Extremes of e and o (±∞ when n = 0): a constant series has zero variance exactly. */
  readonly eMin: number;
  readonly eMax: number;
  readonly oMin: number;
  readonly oMax: number;
  /** `momentsOnly` sets: Σe², Σo², Σeo (see {@link centredFromRawMoments}). */
  readonly raw?: { readonly ee: Exact; readonly oo: Exact; readonly eo: Exact };
}

/** Σ(e − ē)², Σ(o − ō)², Σ(e − ē)(o − ō), Σ(e − o − bias)², Σ(|e − ō| + |o − ō|)² (Willmott's denominator). */
export interface CentredSums {
  readonly see: Exact;
  readonly soo: Exact;
  readonly seo: Exact;
  readonly sdd: Exact;
  readonly sagree: Exact;
}

export const EMPTY_PAIR_TOTALS: PairTotals = { n: 0, e: EXACT_ZERO, o: EXACT_ZERO, ad: EXACT_ZERO, d2: EXACT_ZERO, ape: EXACT_ZERO, nape: 0, eMin: Infinity, eMax: -Infinity, oMin: Infinity, oMax: -Infinity };
export const EMPTY_CENTRED_SUMS: CentredSums = { see: EXACT_ZERO, soo: EXACT_ZERO, seo: EXACT_ZERO, sdd: EXACT_ZERO, sagree: EXACT_ZERO };

/**
 * Options of the first pass. `momentsOnly` (sub-grid anomalies, whose means are ≈ 0 by construction): skip
 * Σ|e − o| and MAPE, and sum Σe², Σo², Σeo in the first pass instead of needing a second.
 */
export interface PairSumsOptions {
  readonly mapeEpsilon?: number;
  readonly momentsOnly?: boolean;
}

/** First pass: accumulates {@link PairTotals} segment by segment. */
export class PairTotalsAccumulator {
  private n = 0;
  private nape = 0;
  private readonly sums = { e: new ExactSum(), o: new ExactSum(), ad: new ExactSum(), d2: new ExactSum(), ape: new ExactSum() };
  private readonly raw = { ee: new ExactSum(), oo: new ExactSum(), eo: new ExactSum() };
  private eMin = Infinity;
  private eMax = -Infinity;
  private oMin = Infinity;
  private oMax = -Infinity;
  private readonly mapeEpsilon: number;
  private readonly momentsOnly: boolean;
  constructor(options: PairSumsOptions = {}) {
    this.mapeEpsilon = options.mapeEpsilon ?? 0.01;
    this.momentsOnly = options.momentsOnly ?? false;
  }

  /** The valid pairs (both finite) of `e`, `o` at `from` ≤ i < `to`: one segment. */
  addSegment(e: ArrayLike<number>, o: ArrayLike<number>, from = 0, to = e.length): void {
    let n = 0, nape = 0, se = 0, so = 0, sad = 0, sd2 = 0, sape = 0, see = 0, soo = 0, seo = 0;
    let eMin = this.eMin, eMax = this.eMax, oMin = this.oMin, oMax = this.oMax;
    const eps = this.mapeEpsilon;
    const momentsOnly = this.momentsOnly;
    for (let i = from; i < to; i++) {
      const a = e[i], b = o[i];
      if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
      n++;
      se += a;
      so += b;
      const d = a - b;
      sd2 += d * d;
      if (a < eMin) eMin = a;
      if (a > eMax) eMax = a;
      if (b < oMin) oMin = b;
      if (b > oMax) oMax = b;
      if (momentsOnly) {
        see += a * a;
        soo += b * b;
        seo += a * b;
        continue;
      }
      sad += Math.abs(d);
      if (Math.abs(b) > eps) {
        sape += Math.abs(d) / Math.abs(b);
        nape++;
      }
    }
    this.n += n;
    this.nape += nape;
    this.eMin = eMin;
    this.eMax = eMax;
    this.oMin = oMin;
    this.oMax = oMax;
    const s = this.sums;
    s.e.add(se);
    s.o.add(so);
    s.ad.add(sad);
    s.d2.add(sd2);
    s.ape.add(sape);
    if (momentsOnly) {
      this.raw.ee.add(see);
      this.raw.oo.add(soo);
      this.raw.eo.add(seo);
    }
  }

  value(): PairTotals {
    const s = this.sums;
    const raw = this.momentsOnly ? { raw: { ee: this.raw.ee.value(), oo: this.raw.oo.value(), eo: this.raw.eo.value() } } : {};
    return { n: this.n, nape: this.nape, e: s.e.value(), o: s.o.value(), ad: s.ad.value(), d2: s.d2.value(), ape: s.ape.value(), eMin: this.eMin, eMax: this.eMax, oMin: this.oMin, oMax: this.oMax, ...raw };
  }
}

/** The means of a set from its totals: what the second pass centres on (the same numbers `metricsOfSums` reports). */
export function pairMeans(t: PairTotals): { meanProduct: number; meanReference: number } {
  return { meanProduct: exactToNumber(t.e) / t.n, meanReference: exactToNumber(t.o) / t.n };
}

/** Second pass: accumulates {@link CentredSums} about a set's means, segment by segment. */
export class CentredSumsAccumulator {
  private readonly sums = { see: new ExactSum(), soo: new ExactSum(), seo: new ExactSum(), sdd: new ExactSum(), sagree: new ExactSum() };
  private readonly me: number;
  private readonly mo: number;
  constructor(means: { readonly meanProduct: number; readonly meanReference: number }) {
    this.me = means.meanProduct;
    this.mo = means.meanReference;
  }

  addSegment(e: ArrayLike<number>, o: ArrayLike<number>, from = 0, to = e.length): void {
    const me = this.me, mo = this.mo, bias = me - mo;
    let see = 0, soo = 0, seo = 0, sdd = 0, sagree = 0;
    for (let i = from; i < to; i++) {
      const a = e[i], b = o[i];
      if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
      const de = a - me, dobs = b - mo;
      see += de * de;
      soo += dobs * dobs;
      seo += de * dobs;
      sdd += (a - b - bias) ** 2;
      sagree += (Math.abs(a - mo) + Math.abs(dobs)) ** 2;
    }
    const s = this.sums;
    s.see.add(see);
    s.soo.add(soo);
    s.seo.add(seo);
    s.sdd.add(sdd);
    s.sagree.add(sagree);
  }

  value(): CentredSums {
    const s = this.sums;
    return { see: s.see.value(), soo: s.soo.value(), seo: s.seo.value(), sdd: s.sdd.value(), sagree: s.sagree.value() };
  }
}

/** The totals of the union of two sets (exact: any grouping gives the same totals). */
export function addPairTotals(a: PairTotals, b: PairTotals): PairTotals {
  return {
    n: a.n + b.n,
    nape: a.nape + b.nape,
    e: exactAdd(a.e, b.e),
    o: exactAdd(a.o, b.o),
    ad: exactAdd(a.ad, b.ad),
    d2: exactAdd(a.d2, b.d2),
    ape: exactAdd(a.ape, b.ape),
    eMin: Math.min(a.eMin, b.eMin),
    eMax: Math.max(a.eMax, b.eMax),
    oMin: Math.min(a.oMin, b.oMin),
    oMax: Math.max(a.oMax, b.oMax),
    ...(a.raw || b.raw ? { raw: addRaw(a.raw ?? NO_RAW, b.raw ?? NO_RAW) } : {}),
  };
}

const NO_RAW = { ee: EXACT_ZERO, oo: EXACT_ZERO, eo: EXACT_ZERO };
const addRaw = (a: typeof NO_RAW, b: typeof NO_RAW) => ({ ee: exactAdd(a.ee, b.ee), oo: exactAdd(a.oo, b.oo), eo: exactAdd(a.eo, b.eo) });

/**
 * The centred sums of a `momentsOnly` set from its raw moments, n·Σ(x − x̄)(y − ȳ) = n·Σxy − Σx·Σy taken
 * exactly from the (segment-rounded) raw sums: fine where the means are ≈ 0 against the spread (anomalies),
 * not in general (the second pass is for that). No Willmott's sum.
 */
export function centredFromRawMoments(t: PairTotals): CentredSums {
  if (!t.raw) throw new RangeError('centredFromRawMoments: totals without raw moments (accumulate with momentsOnly)');
  const n = t.n;
  const N = exactInt(n);
  const exact = (x: number) => {
    const s = new ExactSum();
    s.add(x);
    return s.value();
  };
  const centred = (xy: Exact, x: Exact, y: Exact) => exact(n ? exactToNumber(exactAdd(exactMul(N, xy), exactNeg(exactMul(x, y)))) / n : 0);
  const d = exactAdd(t.e, exactNeg(t.o));
  return { see: centred(t.raw.ee, t.e, t.e), soo: centred(t.raw.oo, t.o, t.o), seo: centred(t.raw.eo, t.e, t.o), sdd: centred(t.d2, d, d), sagree: EXACT_ZERO };
}

/** Centred sums of the union of two sets centred on the same means. */
export function addCentredSums(a: CentredSums, b: CentredSums): CentredSums {
  return { see: exactAdd(a.see, b.see), soo: exactAdd(a.soo, b.soo), seo: exactAdd(a.seo, b.seo), sdd: exactAdd(a.sdd, b.sdd), sagree: exactAdd(a.sagree, b.sagree) };
}

/** {@link PairTotals} as a tile summary carries it (JSON; exact sums as strings, extremes null when ±∞). */
export interface PairTotalsJson {
  readonly n: number;
  readonly nape: number;
  readonly s: readonly string[];
  readonly range: readonly (number | null)[];
  /** Σe², Σo², Σeo of `momentsOnly` sets. */
  readonly raw?: readonly string[];
}

export function pairTotalsToJson(t: PairTotals): PairTotalsJson {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const raw = t.raw ? { raw: [t.raw.ee, t.raw.oo, t.raw.eo].map(exactToJson) } : {};
  return { n: t.n, nape: t.nape, s: [t.e, t.o, t.ad, t.d2, t.ape].map(exactToJson), range: [t.eMin, t.eMax, t.oMin, t.oMax].map(finite), ...raw };
}

export function pairTotalsFromJson(j: PairTotalsJson): PairTotals {
  const [e, o, ad, d2, ape] = j.s.map(exactFromJson);
  const [eMin, eMax, oMin, oMax] = j.range.map((v, i) => v ?? (i % 2 ? -Infinity : Infinity));
  const raw = j.raw?.map(exactFromJson);
  return { n: j.n, nape: j.nape, e, o, ad, d2, ape, eMin, eMax, oMin, oMax, ...(raw ? { raw: { ee: raw[0], oo: raw[1], eo: raw[2] } } : {}) };
}

export function centredSumsToJson(c: CentredSums): string[] {
  return [c.see, c.soo, c.seo, c.sdd, c.sagree].map(exactToJson);
}

export function centredSumsFromJson(j: readonly string[]): CentredSums {
  const [see, soo, seo, sdd, sagree] = j.map(exactFromJson);
  return { see, soo, seo, sdd, sagree };
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
 * The metrics record of a set of pairs from its two passes' sums and its rank metrics: `pairedMetrics`
 * on the same pairs to the last few bits (sums rounded per segment and once overall, not pair by pair).
 */
export function metricsOfSums(t: PairTotals, c: CentredSums, ranks: RankMetrics): PairedMetrics {
  const { meanProduct, meanReference } = pairMeans(t);
  // A constant series has zero variance exactly, whatever rounding the mean picked up (as pairedMetrics).
  const eConst = t.eMin === t.eMax;
  const oConst = t.oMin === t.oMax;
  return metricsFromMoments(
    {
      n: t.n,
      meanProduct,
      meanReference,
      see: eConst ? 0 : exactToNumber(c.see),
      soo: oConst ? 0 : exactToNumber(c.soo),
      seo: eConst || oConst ? 0 : exactToNumber(c.seo),
      sad: exactToNumber(t.ad),
      sd2: exactToNumber(t.d2),
      sdd: exactToNumber(c.sdd),
      sape: exactToNumber(t.ape),
      nape: t.nape,
      sagree: exactToNumber(c.sagree),
    },
    ranks,
  );
}
