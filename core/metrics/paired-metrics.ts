import { correlationPValue } from './special-functions.js';
import { averageRanks, validPairs } from './pairing.js';
import { klDivergenceOfValidPairs, type KlOptions } from './kl-divergence.js';

/**
 * Metrics of a product (estimate e) against a reference (observation o), metrics.md §3.
 * Conventions (stored in {@link METRIC_CONVENTIONS}): bias = mean(e − o); standard deviations and
 * ubRMSE use 1/n (pytesmo) unless the name says `Sample` (1/(n−1)); NaN where undefined.
 */
export interface PairedMetrics {
  /** Valid pairs (both values finite). */
  readonly n: number;
  readonly meanProduct: number;
  readonly meanReference: number;
  /** Population (1/n) standard deviations. */
  readonly stdProduct: number;
  readonly stdReference: number;
  /** mean(e − o). */
  readonly bias: number;
  readonly mae: number;
  readonly rmse: number;
  /** Population std of e − o = √(RMSE² − bias²). */
  readonly ubrmse: number;
  /** ubRMSE with 1/(n−1). */
  readonly ubrmseSample: number;
  /** Pearson R, clamped to [−1, 1]; NaN if either variance is 0. */
  readonly r: number;
  /** Two-sided p of R (Student t, n − 2 df), as SciPy `pearsonr`. */
  readonly pValue: number;
  /** 95% confidence interval of R (Fisher z, pytesmo `pearson_r_ci`); NaN when n ≤ 3. */
  readonly rLower: number;
  readonly rUpper: number;
  /** Spearman ρ (Pearson R of average ranks) and its p-value. */
  readonly spearman: number;
  readonly spearmanPValue: number;
  /** Squared Pearson R. */
  readonly r2: number;
  /** Coefficient of determination w.r.t. the 1:1 line, 1 − SSE/SST (= NSE with o as observation; sklearn `r2_score(o, e)`). */
  readonly nse: number;
  /** OLS fit e = intercept + slope·o. */
  readonly slope: number;
  readonly intercept: number;
  /** Willmott's index of agreement. */
  readonly d: number;
  /** Mean absolute percentage error (%) over pairs with |o| > mapeEpsilon; NaN if none. */
  readonly mape: number;
  /** MSE and its decomposition (pytesmo): corr = 2 s_o s_e (1 − R) (clipped ≥ 0), var = (s_o − s_e)², bias = bias². */
  readonly mse: number;
  readonly mseCorr: number;
  readonly mseVar: number;
  readonly mseBias: number;
  /** KL divergence (method per options; default Yan & Bai 2020, reference ‖ product). */
  readonly kl: number;
}

export interface PairedMetricsOptions {
  /** References with |o| ≤ this are skipped by MAPE (default 0.01 m³/m³, metrics.md §3.8). */
  readonly mapeEpsilon?: number;
  /** KL variant for the `kl` field (default Yan & Bai). */
  readonly kl?: KlOptions;
  /**
   * false: skip the rank- and shape-based metrics (Spearman ρ and its p, KL → NaN), e.g. for anomalies
   * where only moments are reported; they cost a sort and a logarithm per pair. Default true.
   */
  readonly rankMetrics?: boolean;
}

/** How the metrics are defined, for result metadata (bias sign, ddof, KL form). */
export const METRIC_CONVENTIONS = {
  bias: 'mean(product - reference)',
  std: 'population (1/n)',
  ubrmse: 'population std of (product - reference), 1/n; ubrmseSample uses 1/(n-1)',
  pValue: 'two-sided, Student t with n-2 df (scipy.stats.pearsonr)',
  rCi: '95% Fisher z: tanh(atanh(R) ± 1.959964/sqrt(n-3))',
  r2: 'squared Pearson R',
  nse: '1 - SSE/SST with the reference as observation (coefficient of determination)',
  mape: '100 * mean(|e-o|/|o|) over pairs with |o| > mapeEpsilon (default 0.01)',
  kl: 'Yan & Bai (2020) eq. 8: min-max normalised, sum o log(o/e), nats, product floored at 1e-6',
} as const;

const Z975 = 1.959963984540054;

/**
 * All paired metrics of `product` against `reference`. Pairs where either value is NaN are dropped
 * first; metrics that need more pairs (R needs 2, p needs 3, the CI 4) are NaN below that.
 *
 * @example
 * ```ts
 * const m = pairedMetrics(downscaled, insitu);
 * m.r; m.pValue; m.ubrmse; m.bias; // bias = mean(product − reference)
 * ```
 */
export function pairedMetrics(
  product: ArrayLike<number>,
  reference: ArrayLike<number>,
  options: PairedMetricsOptions = {},
): PairedMetrics {
  const { product: e, reference: o } = validPairs(product, reference);
  return pairedMetricsOfValidPairs(e, o, options);
}

/** {@link pairedMetrics} of pairs already known valid (finite, equal length, as from `validPairs`): no copy. */
export function pairedMetricsOfValidPairs(e: Float64Array, o: Float64Array, options: PairedMetricsOptions = {}): PairedMetrics {
  const n = e.length;
  const ranked = options.rankMetrics ?? true;
  const mapeEps = options.mapeEpsilon ?? 0.01;

  let me = 0, mo = 0;
  for (let i = 0; i < n; i++) {
    me += e[i];
    mo += o[i];
  }
  me /= n;
  mo /= n;
  let see = 0, soo = 0, seo = 0, sad = 0, sd2 = 0, sape = 0, nape = 0, sagree = 0;
  for (let i = 0; i < n; i++) {
    const de = e[i] - me;
    const dobs = o[i] - mo;
    const d = e[i] - o[i];
    see += de * de;
    soo += dobs * dobs;
    seo += de * dobs;
    sad += Math.abs(d);
    sd2 += d * d;
    if (Math.abs(o[i]) > mapeEps) {
      sape += Math.abs(d) / Math.abs(o[i]);
      nape++;
    }
    sagree += (Math.abs(e[i] - mo) + Math.abs(dobs)) ** 2;
  }
  // A constant series has zero variance exactly, whatever rounding the mean picked up.
  if (isConstant(e)) see = seo = 0;
  if (isConstant(o)) soo = seo = 0;
  const bias = me - mo;
  // Centred sum of squares of d computed directly (not RMSE² − bias²) to avoid cancellation.
  let sdd = 0;
  for (let i = 0; i < n; i++) sdd += (e[i] - o[i] - bias) ** 2;
  const spearman = ranked && n >= 2 ? pearson(averageRanks(e), averageRanks(o)) : Number.NaN;
  const kl = ranked && n ? klDivergenceOfValidPairs(e, o, options.kl) : Number.NaN;
  return metricsFromMoments({ n, meanProduct: me, meanReference: mo, see, soo, seo, sad, sd2, sdd, sape, nape, sagree }, { spearman, spearmanN: n, kl });
}

/** Sums over the valid pairs from which every moment-based metric follows (deviations from the means). */
export interface PairMoments {
  readonly n: number;
  readonly meanProduct: number;
  readonly meanReference: number;
  /** Σ(e − ē)², Σ(o − ō)², Σ(e − ē)(o − ō) (0 for a constant series). */
  readonly see: number;
  readonly soo: number;
  readonly seo: number;
  /** Σ|e − o|, Σ(e − o)², Σ(e − o − bias)². */
  readonly sad: number;
  readonly sd2: number;
  readonly sdd: number;
  /** Σ|e − o|/|o| over the `nape` pairs with |o| above the MAPE threshold. */
  readonly sape: number;
  readonly nape: number;
  /** Σ(|e − ō| + |o − ō|)², the denominator of Willmott's d. */
  readonly sagree: number;
}

/**
 * The metrics record from moment sums plus the rank-based metrics computed by the caller (on all
 * pairs or a sample of `spearmanN` pairs). Shared by `pairedMetrics` and `pairedMetricsOfChunks`.
 */
export function metricsFromMoments(m: PairMoments, ranks: { readonly spearman: number; readonly spearmanN: number; readonly kl: number }): PairedMetrics {
  const { n, see, soo, seo, sd2, sdd } = m;
  const bias = m.meanProduct - m.meanReference;
  const mse = sd2 / n;
  const sE = Math.sqrt(see / n);
  const sO = Math.sqrt(soo / n);
  const r = see > 0 && soo > 0 ? Math.max(-1, Math.min(1, seo / Math.sqrt(see * soo))) : Number.NaN;
  const slope = soo > 0 ? seo / soo : Number.NaN;
  const z = Math.atanh(r);
  const half = n > 3 ? Z975 / Math.sqrt(n - 3) : Number.NaN;
  return {
    n,
    meanProduct: m.meanProduct,
    meanReference: m.meanReference,
    stdProduct: sE,
    stdReference: sO,
    bias,
    mae: m.sad / n,
    rmse: Math.sqrt(mse),
    ubrmse: Math.sqrt(sdd / n),
    ubrmseSample: n > 1 ? Math.sqrt(sdd / (n - 1)) : Number.NaN,
    r,
    pValue: correlationPValue(r, n),
    rLower: Math.tanh(z - half),
    rUpper: Math.tanh(z + half),
    spearman: ranks.spearman,
    spearmanPValue: correlationPValue(ranks.spearman, ranks.spearmanN),
    r2: r * r,
    nse: soo > 0 ? 1 - sd2 / soo : Number.NaN,
    slope,
    intercept: m.meanProduct - slope * m.meanReference,
    d: m.sagree > 0 ? 1 - sd2 / m.sagree : Number.NaN,
    mape: m.nape ? (100 * m.sape) / m.nape : Number.NaN,
    mse,
    mseCorr: Math.max(0, 2 * sO * sE * (1 - r)),
    mseVar: (sO - sE) ** 2,
    mseBias: bias * bias,
    kl: ranks.kl,
  };
}

/** Pearson correlation of two equal-length arrays without NaN; NaN when either variance is 0. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (isConstant(x) || isConstant(y)) return Number.NaN;
  return sxx > 0 && syy > 0 ? Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy))) : Number.NaN;
}

function isConstant(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}
