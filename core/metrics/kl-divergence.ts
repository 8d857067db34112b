import { usageError } from '../errors.js';
import { validPairs } from './pairing.js';

/**
 * Which Kullback–Leibler divergence (metrics.md §3.9). They give very different numbers; report
 * which one was used.
 * - `yan-bai` (default): Yan & Bai (2020) eq. 8 — both series min–max normalised to [0, 1], then
 *   Σᵢ oᵢ′ ln(oᵢ′ / eᵢ′) over the pairs, without renormalising to sum 1 (so it can be negative).
 *   Terms with oᵢ′ = 0 count 0; normalised product values are floored at `epsilon` (default 1e-6),
 *   since min–max maps the product's minimum to 0 (an infinite term otherwise). NaN if either
 *   series is constant.
 * - `value-normalised`: each series as a distribution over time, Pᵢ = oᵢ/Σo, Qᵢ = eᵢ/Σe; Σ P ln(P/Q).
 * - `histogram`: counts on fixed bins shared by both series, ε-smoothed: P_k = (c_k+ε)/Σ(c_j+ε).
 * - `gaussian`: closed form for two normals with the sample (1/(n−1)) moments.
 */
export type KlMethod = 'yan-bai' | 'value-normalised' | 'histogram' | 'gaussian';

/** Fixed histogram bins `[start + k·width, start + (k+1)·width)`, k = 0..count−1 (left-closed). */
export interface HistogramBins {
  readonly start: number;
  readonly width: number;
  readonly count: number;
}

/** Default bins for soil moisture: 0–0.6 m³/m³ in 0.02 steps (0.6 is ISMN's plausibility limit C02). */
export const DEFAULT_SM_BINS: HistogramBins = { start: 0, width: 0.02, count: 30 };

export interface KlOptions {
  /** Default `yan-bai`. */
  readonly method?: KlMethod;
  /**
   * `yan-bai`: floor for normalised values (default 1e-6). `histogram`: count smoothing added to every
   * bin (default 1e-10; 0 gives ∞ when a reference bin is empty in the product).
   */
  readonly epsilon?: number;
  /** Histogram bins (method `histogram`); values outside fall into the first/last bin. */
  readonly bins?: HistogramBins;
  /** `'e'` (nats, default) or `2` (bits). */
  readonly base?: 'e' | 2;
  /** false (default): D(reference ‖ product), the reference is P. true: D(product ‖ reference). */
  readonly reverse?: boolean;
}

/**
 * Kullback–Leibler divergence between a product and a reference series (NaN pairs dropped first).
 * Default: Yan & Bai (2020) eq. 8, D(reference ‖ product), natural log.
 *
 * @example
 * ```ts
 * klDivergence(downscaled, insitu);                                   // Yan & Bai
 * klDivergence(downscaled, insitu, { method: 'histogram', bins: { start: 0.075, width: 0.05, count: 6 } });
 * ```
 */
export function klDivergence(product: ArrayLike<number>, reference: ArrayLike<number>, options: KlOptions = {}): number {
  const { product: e, reference: o } = validPairs(product, reference);
  return klDivergenceOfValidPairs(e, o, options);
}

/** {@link klDivergence} of pairs already known valid (finite, equal length, as from `validPairs`): no copy. */
export function klDivergenceOfValidPairs(e: Float64Array, o: Float64Array, options: KlOptions = {}): number {
  if (e.length === 0) return Number.NaN;
  const method = options.method ?? 'yan-bai';
  const [p, q] = options.reverse ? [e, o] : [o, e];
  let nats: number;
  switch (method) {
    case 'yan-bai':
      nats = yanBaiKl(p, q, options.epsilon ?? 1e-6);
      break;
    case 'value-normalised':
      nats = discreteKl(normaliseToSum(p), normaliseToSum(q));
      break;
    case 'histogram': {
      const bins = options.bins ?? DEFAULT_SM_BINS;
      const eps = options.epsilon ?? 1e-10;
      nats = discreteKl(smoothedHistogram(p, bins, eps), smoothedHistogram(q, bins, eps));
      break;
    }
    case 'gaussian':
      nats = gaussianKl(p, q);
      break;
    default:
      throw usageError('unknown KL method', { path: 'method', expected: 'yan-bai | value-normalised | histogram | gaussian', found: String(method) });
  }
  return options.base === 2 ? nats / Math.LN2 : nats;
}

/**
 * Jensen–Shannon divergence of the histograms of product and reference (symmetric, bounded by ln 2;
 * no smoothing needed). Natural log unless `base` is 2.
 */
export function jensenShannon(
  product: ArrayLike<number>,
  reference: ArrayLike<number>,
  options: { bins?: HistogramBins; base?: 'e' | 2 } = {},
): number {
  const { product: e, reference: o } = validPairs(product, reference);
  if (e.length === 0) return Number.NaN;
  const bins = options.bins ?? DEFAULT_SM_BINS;
  const p = smoothedHistogram(o, bins, 0);
  const q = smoothedHistogram(e, bins, 0);
  const m = p.map((v, k) => 0.5 * (v + q[k]));
  const js = 0.5 * discreteKl(p, m) + 0.5 * discreteKl(q, m);
  return options.base === 2 ? js / Math.LN2 : js;
}

/** Histogram counts of `values` on `bins` (values outside go to the edge bins). */
export function histogramCounts(values: ArrayLike<number>, bins: HistogramBins): Float64Array {
  if (!(bins.width > 0) || !Number.isInteger(bins.count) || bins.count < 1) {
    throw usageError('invalid histogram bins', { path: 'bins', expected: 'width > 0 and an integer count ≥ 1', found: JSON.stringify(bins) });
  }
  const counts = new Float64Array(bins.count);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    // The 1e-12 guards values on a bin edge against rounding (0.175 − 0.075 = 0.09999…).
    const k = Math.floor((v - bins.start) / bins.width + 1e-12);
    counts[Math.min(bins.count - 1, Math.max(0, k))]++;
  }
  return counts;
}

function smoothedHistogram(values: Float64Array, bins: HistogramBins, eps: number): Float64Array {
  const c = histogramCounts(values, bins);
  let total = 0;
  for (let k = 0; k < c.length; k++) total += c[k] + eps;
  return c.map((v) => (v + eps) / total);
}

function normaliseToSum(x: Float64Array): Float64Array {
  let s = 0;
  for (const v of x) s += v;
  return x.map((v) => v / s);
}

/** Σ P ln(P/Q) with 0·ln 0 = 0; ∞ when Q_k = 0 < P_k. */
function discreteKl(p: Float64Array, q: Float64Array): number {
  let d = 0;
  for (let k = 0; k < p.length; k++) {
    if (p[k] > 0) d += p[k] * Math.log(p[k] / q[k]);
  }
  return d;
}

function range(x: Float64Array): [lo: number, span: number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi - lo];
}

/**
 * Yan & Bai eq. 8 on min–max normalised series; 0·ln(0/·) = 0, product values floored at `eps`. NaN when
 * either series is constant. Normalises on the fly (no normalised copies: this runs per date on every pixel).
 */
function yanBaiKl(t: Float64Array, p: Float64Array, eps: number): number {
  const [tLo, tSpan] = range(t);
  const [pLo, pSpan] = range(p);
  if (!(tSpan > 0 && pSpan > 0)) return Number.NaN;
  let d = 0;
  for (let i = 0; i < t.length; i++) {
    const tn = (t[i] - tLo) / tSpan;
    if (tn > 0) d += tn * Math.log(tn / Math.max(eps, (p[i] - pLo) / pSpan));
  }
  return d;
}

function gaussianKl(p: Float64Array, q: Float64Array): number {
  const n = p.length;
  if (n < 2) return Number.NaN;
  let mp = 0, mq = 0;
  for (let i = 0; i < n; i++) {
    mp += p[i];
    mq += q[i];
  }
  mp /= n;
  mq /= n;
  let vp = 0, vq = 0;
  for (let i = 0; i < n; i++) {
    vp += (p[i] - mp) ** 2;
    vq += (q[i] - mq) ** 2;
  }
  vp /= n - 1;
  vq /= n - 1;
  return 0.5 * Math.log(vq / vp) + (vp + (mp - mq) ** 2) / (2 * vq) - 0.5;
}
