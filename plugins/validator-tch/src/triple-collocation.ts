import { covariance } from './linalg.js';

export interface TripleCollocationResult {
  /** Common time steps used. */
  readonly samples: number;
  /** Sample covariance C of (x1, x2, x3), 3×3 row-major, 1/(M−1). */
  readonly covariance: Float64Array;
  /** Error variances in each product's native units; may be negative for short or cross-correlated series. */
  readonly errorVariance: Float64Array;
  /** √errorVariance (NaN where the variance is negative). */
  readonly errorStd: Float64Array;
  /** Scaling to the first product: β₁ = 1, β₂ = C13/C23, β₃ = C12/C32 (pytesmo `tcol_metrics`, ref_ind = 0). */
  readonly beta: Float64Array;
  /** Error std in the first product's space: σᵢ·βᵢ. */
  readonly errorStdScaled: Float64Array;
  /** SNR (dB), Gruber et al. 2016: −10 log10 | |C11 C23/(C12 C13)| − 1 | (cyclic). */
  readonly snrDb: Float64Array;
  /** Extended TC correlation with the unknown truth (McColl et al. 2014), √R². */
  readonly etcR: Float64Array;
}

/**
 * Classical triple collocation in covariance notation (tch.md §5): xᵢ = αᵢ + βᵢ s + εᵢ with mutually
 * independent errors. Time steps where any of the three is NaN are dropped.
 *
 * @example
 * ```ts
 * const tc = tripleCollocation(insitu, smap, model);
 * tc.errorStdScaled; // error std of each, in insitu units
 * ```
 */
export function tripleCollocation(x1: ArrayLike<number>, x2: ArrayLike<number>, x3: ArrayLike<number>): TripleCollocationResult {
  const len = x1.length;
  const cols = [new Float64Array(len), new Float64Array(len), new Float64Array(len)];
  let M = 0;
  for (let t = 0; t < len; t++) {
    const a = x1[t], b = x2[t], c = x3[t];
    if (Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c)) {
      cols[0][M] = a;
      cols[1][M] = b;
      cols[2][M] = c;
      M++;
    }
  }
  const C = M >= 2 ? covariance(cols.map((x) => x.subarray(0, M))) : new Float64Array(9).fill(Number.NaN);
  const c = (i: number, j: number): number => C[(i - 1) * 3 + (j - 1)];
  const errorVariance = Float64Array.of(
    c(1, 1) - (c(1, 2) * c(1, 3)) / c(2, 3),
    c(2, 2) - (c(1, 2) * c(2, 3)) / c(1, 3),
    c(3, 3) - (c(1, 3) * c(2, 3)) / c(1, 2),
  );
  const errorStd = errorVariance.map((v) => (v >= 0 ? Math.sqrt(v) : Number.NaN));
  const beta = Float64Array.of(1, c(1, 3) / c(2, 3), c(1, 2) / c(3, 2));
  const snr = (num: number, den: number): number => -10 * Math.log10(Math.abs(Math.abs(num / den) - 1));
  const r2 = [
    (c(1, 2) * c(1, 3)) / (c(1, 1) * c(2, 3)),
    (c(1, 2) * c(2, 3)) / (c(2, 2) * c(1, 3)),
    (c(1, 3) * c(2, 3)) / (c(3, 3) * c(1, 2)),
  ];
  return {
    samples: M,
    covariance: C,
    errorVariance,
    errorStd,
    beta,
    errorStdScaled: errorStd.map((s, i) => s * beta[i]),
    snrDb: Float64Array.of(
      snr(c(1, 1) * c(2, 3), c(1, 2) * c(1, 3)),
      snr(c(2, 2) * c(1, 3), c(1, 2) * c(2, 3)),
      snr(c(3, 3) * c(1, 2), c(1, 3) * c(2, 3)),
    ),
    etcR: Float64Array.from(r2, (v) => (v >= 0 ? Math.sqrt(v) : Number.NaN)),
  };
}
