import { recordTable, runtimeError, usageError, type RecordTable } from '../../../core/index.js';
import type { BlockLayout } from './block-layout.js';
import type { CovarianceModel } from './residual/atpk.js';
import { MIN_VARIOGRAM_PAIRS, withinCellVariance, type WithinCellVariance } from './within-cell-variance.js';

/**
 * Conformal prediction intervals from out-of-fold residuals (see docs/ensembles.md, "Uncertainty").
 * Scores are |y − ŷ_oof| (or |y − ŷ_oof| / σ_oof with a spread); the half-width is the
 * ⌈(n + 1)·level⌉-th smallest score. Under exchangeability of the calibration rows and a new row, and
 * with ŷ fitted without the row, P(y ∈ ŷ ± q) ≥ level (split conformal, Vovk et al. 2005; Lei et al. 2018).
 */
export interface ConformalCalibration {
  readonly level: number;
  /** Calibration rows (finite target, prediction and, when scaled, positive spread). */
  readonly n: number;
  /** The score quantile: the half-width, or the multiplier of the spread when `scaled`. */
  readonly quantile: number;
  readonly scaled: boolean;
  /**
   * Factor of the half-width for the fine support, `κ = √(σ²_F / mean R²)` (1 = calibrated for coarse-cell
   * means); `withinCell` is the variogram fit behind `σ²_F` ({@link toFineSupport}).
   */
  readonly scale: number;
  readonly withinCell?: WithinCellVariance;
}

/**
 * The conformal quantile: the ⌈(n + 1)·level⌉-th smallest of `scores` (finite values only). Infinite when
 * n is too small for the level (k > n), as the finite-sample guarantee demands.
 */
export function conformalQuantile(scores: ArrayLike<number>, level: number): { quantile: number; n: number } {
  const finite = Float64Array.from(Array.prototype.filter.call(scores, (v: number) => Number.isFinite(v)) as number[]).sort();
  const n = finite.length;
  const k = Math.ceil((n + 1) * level);
  return { quantile: k <= n ? finite[k - 1] : Number.POSITIVE_INFINITY, n };
}

/**
 * The quantile of scores pooled over groups with equal weight per group (each group's empirical CDF
 * averaged, the CDF-pooling of Dunn, Wasserman & Ramdas 2023) at `level·(1 + 1/J)` for J groups, the
 * finite-sample correction of split conformal with one unit per group. Infinite when that exceeds 1.
 */
export function pooledGroupQuantile(groups: readonly Float64Array[], level: number): number {
  const J = groups.length;
  const target = level * (1 + 1 / J);
  if (J === 0 || target > 1) return Number.POSITIVE_INFINITY;
  const all: Array<[number, number]> = [];
  for (const g of groups) for (const s of g) all.push([s, 1 / (J * g.length)]);
  all.sort((a, b) => a[0] - b[0]);
  let cdf = 0;
  for (const [s, w] of all) {
    cdf += w;
    if (cdf >= target - 1e-12) return s;
  }
  return all[all.length - 1][0];
}

/** Calibrate on out-of-fold predictions `oof` of targets `y` (scaled by `spread` when given). */
export function conformalScores(oof: Float32Array, y: Float32Array, spread: Float32Array | undefined, level: number, where: string): ConformalCalibration {
  const scores = new Float64Array(oof.length);
  for (let i = 0; i < oof.length; i++) {
    const r = Math.abs(y[i] - oof[i]);
    scores[i] = spread ? (spread[i] > 0 ? r / spread[i] : Number.NaN) : r;
  }
  const { quantile, n } = conformalQuantile(scores, level);
  if (!Number.isFinite(quantile)) {
    throw runtimeError('too few out-of-fold residuals for the interval level', {
      path: `${where}.level`,
      expected: `at least ${Math.ceil(level / (1 - level))} calibration rows for level ${level}`,
      found: `${n} rows`,
    });
  }
  return { level, n, quantile, scaled: spread !== undefined, scale: 1 };
}

/**
 * The calibration moved to the fine support: the half-width is multiplied by `κ = √(σ²_F / mean R²)`, with
 * `mean R²` the mean square of the coarse out-of-fold residuals `residuals` (one coarse field per date, NaN
 * where no residual) and `σ²_F` the fine error variance of the variogram model fitted to them
 * ({@link withinCellVariance}): `N + s·γ̄(V,V)` for a product that conserves the coarse values (its error
 * is `ε_V − (r(p) − r̄_V)`), `N + s` otherwise (an upper bound: the whole point-support variance plus the
 * coarse error). Scaling the conformal quantile by a ratio of standard deviations assumes the fine and
 * coarse errors have the same shape (exact for Gaussian errors). An error when the variogram has too few
 * residual pairs.
 */
export function toFineSupport(cal: ConformalCalibration, residuals: readonly Float64Array[], layout: BlockLayout, model: CovarianceModel, conserving: boolean, where: string): ConformalCalibration {
  const fit = withinCellVariance(residuals, layout, model);
  if (!fit) {
    throw runtimeError('too few coarse residual pairs to move the intervals to the fine scale', {
      path: `${where}.changeOfSupport`,
      expected: `at least ${MIN_VARIOGRAM_PAIRS} pairs of neighbouring coarse cells with residuals, or changeOfSupport "none" (intervals for cell means)`,
      found: 'fewer',
    });
  }
  let sum = 0;
  let n = 0;
  for (const field of residuals) for (const r of field) if (r === r) (sum += r * r), n++;
  const meanSquare = sum / n;
  const fineVariance = fit.nugget + (conserving ? fit.variance : fit.sill);
  return { ...cal, scale: meanSquare > 0 ? Math.sqrt(fineVariance / meanSquare) : 1, withinCell: fit };
}

/** Interval bounds around a product `z`: z ± κ·q, or z ± κ·q·spread per pixel. NaN where z (or the spread) is NaN. */
export function intervalBounds(z: Float32Array, spread: Float32Array | undefined, cal: ConformalCalibration): { lower: Float32Array; upper: Float32Array } {
  if (cal.scaled && !spread) throw usageError('conformal-spread intervals need a regressor with a per-row spread', { path: 'intervals.method', expected: 'a regressor with a spread (regressor:rf)', found: 'none' });
  const lower = new Float32Array(z.length);
  const upper = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const h = cal.scale * (cal.scaled ? cal.quantile * spread![i] : cal.quantile);
    lower[i] = z[i] - h;
    upper[i] = z[i] + h;
  }
  return { lower, upper };
}

/** The node table `intervals`: the calibration, and with the fine support the variogram fit behind κ. */
export function intervalsTable(cal: ConformalCalibration, method: string, scheme: string): RecordTable {
  const w = cal.withinCell;
  const spread = cal.scaled ? ' × spread' : '';
  return recordTable(
    [
      {
        method,
        level: cal.level,
        changeOfSupport: w ? 'variogram' : 'none',
        calibrationRows: cal.n,
        quantile: cal.quantile,
        scale: cal.scale,
        halfWidth: cal.scale * cal.quantile,
        coarseNugget: w?.nugget ?? null,
        pointSill: w?.sill ?? null,
        pointRange: w?.range ?? null,
        withinCellSd: w ? Math.sqrt(w.variance) : null,
        scheme,
      },
    ],
    undefined,
    [
      `split-conformal quantile of |coarse target − out-of-fold prediction|${cal.scaled ? ' / spread' : ''} (rank ⌈(n+1)·level⌉ of n); interval = product ± scale × quantile${spread} (docs/ensembles.md)`,
      w
        ? `change of support: scale = √(fine error variance / mean squared coarse residual), fine error variance = coarseNugget + withinCellSd² (conserving correction) or + pointSill (otherwise); withinCellSd² = pointSill·γ̄(V,V), the point model fitted to the coarse residual variogram (nugget read as coarse-input error; pointRange in coarse cells; ${w.pairs} pairs)`
        : 'calibrated for coarse-cell means; fine pixels under-cover by their within-cell error (docs/ensembles.md)',
    ],
  );
}
