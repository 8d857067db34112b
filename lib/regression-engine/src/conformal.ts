import { runtimeError, usageError } from '../../../core/index.js';

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
  return { level, n, quantile, scaled: spread !== undefined };
}

/** Interval bounds around a product `z`: z ± q, or z ± q·spread per pixel. NaN where z (or the spread) is NaN. */
export function intervalBounds(z: Float32Array, spread: Float32Array | undefined, cal: ConformalCalibration): { lower: Float32Array; upper: Float32Array } {
  if (cal.scaled && !spread) throw usageError('conformal-spread intervals need a regressor with a per-row spread', { path: 'intervals.method', expected: 'a regressor with a spread (regressor:rf)', found: 'none' });
  const lower = new Float32Array(z.length);
  const upper = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const h = cal.scaled ? cal.quantile * spread![i] : cal.quantile;
    lower[i] = z[i] - h;
    upper[i] = z[i] + h;
  }
  return { lower, upper };
}
