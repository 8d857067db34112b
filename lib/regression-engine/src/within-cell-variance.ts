import type { BlockLayout } from './block-layout.js';
import { blockBlockCov, empiricalVariogram, geometry, pointCovariance, type CovarianceModel } from './residual/atpk.js';

/**
 * The change of support of prediction intervals (docs/ensembles.md, "Intervals at the fine scale"): the
 * variance of a conserving product's within-cell error, estimated from the coarse out-of-fold residuals
 * by variogram regularisation, as in area-to-point kriging (Journel & Huijbregts 1978; Kyriakidis 2004).
 *
 * Model: a coarse residual is `R(V) = r̄_V + ε_V`, the block mean of a point-support model-error field `r`
 * (covariance `s·C(h; a)`) plus the coarse input's own error `ε` (spatially uncorrelated: a nugget `N`).
 * Its variogram at cell offsets `o` is `γ_R(o) = N + s·(C̄(V,V) − C̄(V,V_o))`. A product that conserves the
 * coarse value has, at a fine pixel `p` of `V`, the error `ε_V − (r(p) − r̄_V)`; the second term has the
 * mean variance `s·γ̄(V,V) = s·(1 − C̄(V,V))` (point-support variance = block variance + mean within-block
 * semivariance), which the coarse scores never see.
 */
export interface WithinCellVariance {
  /** Coarse nugget `N` (read as the coarse input's error). */
  readonly nugget: number;
  /** Point-support sill `s` of the structured part. */
  readonly sill: number;
  /** Its scale parameter `a`, in coarse cells. */
  readonly range: number;
  /** `s·γ̄(V,V)`: mean variance of the within-cell error. */
  readonly variance: number;
  /** Residual pairs behind the empirical variogram. */
  readonly pairs: number;
}

export interface WithinCellOptions {
  /** Largest cell offset of the empirical variogram. */
  readonly maxLag?: number;
  /**
   * Shortest point-support scale tried, in cells. Structure shorter than this is flat at lags ≥ 1 cell and
   * cannot be told from the nugget; it is read as coarse error (the stated assumption).
   */
  readonly minRange?: number;
  /** Discretisation points per axis of a block (exact when ≥ the cell's fine pixels per side). */
  readonly discretisation?: number;
}

/** Fewer residual pairs than this and the variogram is not estimated. */
export const MIN_VARIOGRAM_PAIRS = 30;

/**
 * Fit `N`, `s` (non-negative weighted least squares, weights = pair counts) and `a` (geometric grid, step
 * 10 %, from `minRange` to 40 cells) to the pooled variogram of `residuals` (one coarse field per date, NaN = no
 * residual); undefined with fewer than {@link MIN_VARIOGRAM_PAIRS} pairs.
 */
export function withinCellVariance(
  residuals: readonly ArrayLike<number>[],
  layout: BlockLayout,
  model: CovarianceModel,
  { maxLag = 3, minRange = 0.15, discretisation = 12 }: WithinCellOptions = {},
): WithinCellVariance | undefined {
  const { offsets, gamma, count, pairs } = empiricalVariogram(residuals, layout, maxLag);
  if (pairs < MIN_VARIOGRAM_PAIRS) return undefined;
  const g = geometry(layout);
  let best = { nugget: 0, sill: 0, range: minRange, within: 0, sse: Number.POSITIVE_INFINITY };
  for (let k = 0; minRange * 1.1 ** k <= 40; k++) {
    const range = minRange * 1.1 ** k;
    const cov = pointCovariance(model, range * g.fx);
    const cvv = blockBlockCov(g, cov, discretisation, 0, 0);
    const gv = offsets.map(([dy, dx]) => cvv - blockBlockCov(g, cov, discretisation, dy, dx));
    const fit = nonNegativeFit(gamma, gv, count);
    if (fit.sse < best.sse) best = { ...fit, range, within: 1 - cvv };
  }
  return { nugget: best.nugget, sill: best.sill, range: best.range, variance: best.sill * best.within, pairs };
}

/** Weighted least squares of `y ≈ N + s·x` with `N, s ≥ 0` (the 2-unknown case of NNLS: interior, or one of the two faces). */
function nonNegativeFit(y: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>): { nugget: number; sill: number; sse: number } {
  let sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (let i = 0; i < y.length; i++) {
    if (!(w[i] > 0)) continue;
    sw += w[i];
    sx += w[i] * x[i];
    sy += w[i] * y[i];
    sxx += w[i] * x[i] * x[i];
    sxy += w[i] * x[i] * y[i];
  }
  const sse = (nugget: number, sill: number) => {
    let s = 0;
    for (let i = 0; i < y.length; i++) if (w[i] > 0) s += w[i] * (y[i] - nugget - sill * x[i]) ** 2;
    return s;
  };
  const candidates: Array<[number, number]> = [
    [sw > 0 ? Math.max(0, sy / sw) : 0, 0],
    [0, sxx > 0 ? Math.max(0, sxy / sxx) : 0],
  ];
  const det = sw * sxx - sx * sx;
  if (det > 1e-12 * sw * sxx) {
    const sill = (sw * sxy - sx * sy) / det;
    const nugget = (sy - sill * sx) / sw;
    if (sill >= 0 && nugget >= 0) candidates.push([nugget, sill]);
  }
  let best = { nugget: 0, sill: 0, sse: Number.POSITIVE_INFINITY };
  for (const [nugget, sill] of candidates) {
    const e = sse(nugget, sill);
    if (e < best.sse) best = { nugget, sill, sse: e };
  }
  return best;
}
