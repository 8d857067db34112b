/** Feature standardisation: the affine map into the space distances are measured in. */
import type { Scaling } from './knn-search.js';

/** Mean and (population) standard deviation of each column, as scikit-learn's StandardScaler; constant columns keep scale 1. */
export function fitScaling(x: Float32Array, rows: number, dims: number, standardize: boolean): Scaling {
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

/** Standardised float64 copy of `x` (the space the tree is built in). */
export function standardise(x: Float32Array, rows: number, dims: number, s: Scaling): Float64Array {
  const z = new Float64Array(rows * dims);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dims; j++) z[r * dims + j] = (x[r * dims + j] - s.center[j]) / s.scale[j];
  return z;
}
