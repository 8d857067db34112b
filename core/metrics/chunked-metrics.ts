import { metricsFromMoments, pairedMetricsOfValidPairs, type PairedMetrics, type PairedMetricsOptions } from './paired-metrics.js';
import { NO_RANK_METRICS, rankMetricsOfPairs } from './pair-sums.js';

/** A product chunk and the matching reference chunk (e.g. one date of two rasters). */
export type PairChunk = readonly [product: ArrayLike<number>, reference: ArrayLike<number>];

export interface ChunkedMetricsOptions extends PairedMetricsOptions {
  /**
   * Largest number of pairs for the rank- and shape-based metrics (Spearman, KL). Below it every
   * metric is exact and equal to `pairedMetrics` on the concatenation; above it, moment metrics stay
   * exact (two passes) while Spearman and KL use every k-th valid pair (deterministic). Default 1e6.
   */
  readonly maxSample?: number;
}

/**
 * `pairedMetrics` over pairs spread across several arrays (pixel-dates of rasters), without
 * concatenating them when they are large: moments are accumulated in two passes (means first, so
 * centred sums do not cancel), and Spearman/KL fall back to a systematic subsample beyond `maxSample`.
 *
 * @example
 * ```ts
 * const overall = pairedMetricsOfChunks(dates.map((d, i) => [product.values[i], truth.values[i]]));
 * ```
 */
export function pairedMetricsOfChunks(chunks: readonly PairChunk[], options: ChunkedMetricsOptions = {}): PairedMetrics {
  const maxSample = options.maxSample ?? 1_000_000;
  let n = 0;
  let se = 0, so = 0;
  for (const [e, o] of chunks) {
    if (e.length !== o.length) throw new RangeError(`chunk lengths differ: ${e.length} vs ${o.length}`);
    for (let i = 0; i < e.length; i++) {
      const a = e[i], b = o[i];
      if (Number.isFinite(a) && Number.isFinite(b)) {
        n++;
        se += a;
        so += b;
      }
    }
  }
  const stride = Math.max(1, Math.ceil(n / maxSample));
  if (stride === 1) return pairedMetricsOfValidPairs(...gather(chunks, n, 1), options);

  const me = se / n;
  const mo = so / n;
  const mapeEps = options.mapeEpsilon ?? 0.01;
  let see = 0, soo = 0, seo = 0, sad = 0, sd2 = 0, sdd = 0, sape = 0, nape = 0, sagree = 0;
  let eConst = true, oConst = true;
  let e0 = Number.NaN, o0 = Number.NaN;
  const bias = me - mo;
  for (const [e, o] of chunks) {
    for (let i = 0; i < e.length; i++) {
      const a = e[i], b = o[i];
      if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
      if (Number.isNaN(e0)) {
        e0 = a;
        o0 = b;
      }
      if (a !== e0) eConst = false;
      if (b !== o0) oConst = false;
      const de = a - me, dobs = b - mo, d = a - b;
      see += de * de;
      soo += dobs * dobs;
      seo += de * dobs;
      sad += Math.abs(d);
      sd2 += d * d;
      sdd += (d - bias) ** 2;
      if (Math.abs(b) > mapeEps) {
        sape += Math.abs(d) / Math.abs(b);
        nape++;
      }
      sagree += (Math.abs(a - mo) + Math.abs(dobs)) ** 2;
    }
  }
  if (eConst) see = seo = 0;
  if (oConst) soo = seo = 0;
  const ranked = options.rankMetrics ?? true;
  const [es, os] = ranked ? gather(chunks, Math.ceil(n / stride), stride) : [new Float64Array(0), new Float64Array(0)];
  return metricsFromMoments({ n, meanProduct: me, meanReference: mo, see, soo, seo, sad, sd2, sdd, sape, nape, sagree }, ranked ? rankMetricsOfPairs(es, os, options) : NO_RANK_METRICS);
}

/** Every `stride`-th valid pair, in chunk order. */
function gather(chunks: readonly PairChunk[], size: number, stride: number): [Float64Array, Float64Array] {
  const e = new Float64Array(size);
  const o = new Float64Array(size);
  let k = 0;
  if (stride === 1) {
    for (const [pe, po] of chunks) {
      for (let i = 0; i < pe.length && k < size; i++) {
        const a = pe[i], b = po[i];
        if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
        e[k] = a;
        o[k] = b;
        k++;
      }
    }
    return [e.subarray(0, k), o.subarray(0, k)];
  }
  let seen = 0;
  for (const [pe, po] of chunks) {
    for (let i = 0; i < pe.length; i++) {
      const a = pe[i], b = po[i];
      if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
      if (seen++ % stride === 0 && k < size) {
        e[k] = a;
        o[k] = b;
        k++;
      }
    }
  }
  return [e.subarray(0, k), o.subarray(0, k)];
}
