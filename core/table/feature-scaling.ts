/**
 * Feature standardisation for learners that measure distances or kernels in feature space (kNN, SVR):
 * the per-column affine map `(x − center) / scale`, fitted as scikit-learn's StandardScaler.
 */

/** Per-column affine map into the standardised space: `z = (x − center) / scale`. */
export interface FeatureScaling {
  readonly center: Float64Array;
  readonly scale: Float64Array;
}

/**
 * Mean and population standard deviation of each column of the row-major `rows × dims` matrix `x`;
 * constant columns keep scale 1. With `standardize` false (or no rows) the identity map.
 *
 * @example
 * ```ts
 * const s = fitFeatureScaling(Float32Array.of(0, 10, 2, 10), 2, 2, true);
 * // s.center = [1, 10], s.scale = [1, 1] (column 1 is constant)
 * const z = standardiseFeatures(Float32Array.of(0, 10, 2, 10), 2, 2, s); // [-1, 0, 1, 0]
 * ```
 */
export function fitFeatureScaling(x: ArrayLike<number>, rows: number, dims: number, standardize: boolean): FeatureScaling {
  const center = new Float64Array(dims);
  const scale = new Float64Array(dims).fill(1);
  if (!standardize || rows === 0) return { center, scale };
  for (let r = 0; r < rows; r++) for (let j = 0; j < dims; j++) center[j] += x[r * dims + j];
  for (let j = 0; j < dims; j++) center[j] /= rows;
  const v = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dims; j++) {
      const t = x[r * dims + j] - center[j];
      v[j] += t * t;
    }
  }
  for (let j = 0; j < dims; j++) {
    const s = Math.sqrt(v[j] / rows);
    scale[j] = s > 0 ? s : 1;
  }
  return { center, scale };
}

/** Standardised float64 copy of the row-major `rows × dims` matrix `x`. */
export function standardiseFeatures(x: ArrayLike<number>, rows: number, dims: number, s: FeatureScaling): Float64Array {
  const z = new Float64Array(rows * dims);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dims; j++) z[r * dims + j] = (x[r * dims + j] - s.center[j]) / s.scale[j];
  return z;
}

/**
 * Indices of the rows of the row-major `rows × dims` matrix `x` whose features are all finite (a row
 * with a missing feature has no place in feature space).
 *
 * @example
 * ```ts
 * completeRows(Float32Array.of(1, 2, NaN, 4, 5, 6), 3, 2); // [0, 2]
 * ```
 */
export function completeRows(x: ArrayLike<number>, rows: number, dims: number): number[] {
  const keep: number[] = [];
  for (let r = 0; r < rows; r++) {
    let ok = true;
    for (let j = 0; j < dims && ok; j++) ok = Number.isFinite(x[r * dims + j]);
    if (ok) keep.push(r);
  }
  return keep;
}
