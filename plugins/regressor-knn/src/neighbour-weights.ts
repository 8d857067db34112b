/**
 * How neighbours' targets combine into a prediction: uniform mean, inverse distance (scikit-learn's
 * `weights='distance'`, exact matches taking all the weight), or a Gaussian kernel (kernel-weighted
 * KNN as in SOMOSPIE) with a fixed bandwidth or, by default, the distance of the k-th neighbour.
 */
import type { NeighbourList } from './knn-search.js';

export type WeightScheme = 'uniform' | 'distance' | 'gaussian';

export interface Weighting {
  readonly scheme: WeightScheme;
  /** Gaussian bandwidth in standardised units; `null` = per query, the distance of the k-th neighbour. */
  readonly bandwidth: number | null;
}

/** Weighted mean and weighted standard deviation of a prediction. */
export interface Combined {
  mean: number;
  spread: number;
}

/**
 * Combine the first `k` of `n`'s neighbours (sorted ascending) into `out`.
 *
 * @example
 * ```ts
 * const out = { mean: 0, spread: 0 };
 * combineNeighbours({ count: 2, index: Int32Array.of(0, 1), dist2: Float64Array.of(1, 4) }, 2, Float64Array.of(1, 3), { scheme: 'distance', bandwidth: null }, out);
 * out.mean; // (1/1·1 + 1/2·3) / (1 + 1/2) = 5/3
 * ```
 */
export function combineNeighbours(n: NeighbourList, k: number, y: Float64Array | Float32Array, w: Weighting, out: Combined): Combined {
  const m = Math.min(k, n.count);
  const idx = n.index;
  const d2 = n.dist2;
  if (m === 0) {
    out.mean = Number.NaN;
    out.spread = Number.NaN;
    return out;
  }
  let scheme = w.scheme;
  if (scheme === 'distance' && d2[0] === 0) {
    // exact matches: they alone count, equally (as scikit-learn)
    let s = 0;
    let c = 0;
    for (let i = 0; i < m && d2[i] === 0; i++, c++) s += y[idx[i]];
    const mean = s / c;
    let v = 0;
    for (let i = 0; i < c; i++) v += (y[idx[i]] - mean) ** 2;
    out.mean = mean;
    out.spread = Math.sqrt(v / c);
    return out;
  }
  let h2 = 0;
  if (scheme === 'gaussian') {
    const h = w.bandwidth ?? Math.sqrt(d2[m - 1]);
    if (!(h > 0)) scheme = 'uniform';
    else h2 = 2 * h * h;
  }
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < m; i++) {
    const wi = weightOf(scheme, d2[i], h2);
    sw += wi;
    swy += wi * y[idx[i]];
  }
  if (!(sw > 0)) {
    // a Gaussian with a tiny fixed bandwidth underflows far from the data: fall back to the nearest
    out.mean = y[idx[0]];
    out.spread = 0;
    return out;
  }
  const mean = swy / sw;
  let v = 0;
  for (let i = 0; i < m; i++) v += weightOf(scheme, d2[i], h2) * (y[idx[i]] - mean) ** 2;
  out.mean = mean;
  out.spread = Math.sqrt(v / sw);
  return out;
}

function weightOf(scheme: WeightScheme, d2: number, h2: number): number {
  if (scheme === 'uniform') return 1;
  if (scheme === 'distance') return 1 / Math.sqrt(d2);
  return Math.exp(-d2 / h2);
}
