/**
 * Column standardisation: `(x − mean) / scale`, fitted on training rows and saved with the model so
 * prediction applies the very same transform. Constant columns get scale 1 (they become 0).
 */
export interface ColumnScaler {
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

/**
 * Mean and population standard deviation of each of `cols` columns over the rows `rows` of a
 * row-major matrix (NaN-free rows expected).
 *
 * @example
 * ```ts
 * const s = fitScaler(table.x, table.columns.length, complete);
 * const z = (table.x[r * p + j] - s.mean[j]) / s.scale[j];
 * ```
 */
export function fitScaler(x: ArrayLike<number>, cols: number, rows: ArrayLike<number>): ColumnScaler {
  const mean = new Float64Array(cols);
  const m2 = new Float64Array(cols);
  const n = rows.length;
  for (let i = 0; i < n; i++) {
    const o = rows[i] * cols;
    for (let j = 0; j < cols; j++) mean[j] += x[o + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= Math.max(1, n);
  for (let i = 0; i < n; i++) {
    const o = rows[i] * cols;
    for (let j = 0; j < cols; j++) {
      const d = x[o + j] - mean[j];
      m2[j] += d * d;
    }
  }
  const scale = Float64Array.from(m2, (s) => {
    const sd = Math.sqrt(s / Math.max(1, n));
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, scale };
}

/** Scaler of a single vector (the regression target). */
export function fitTargetScaler(y: ArrayLike<number>, rows: ArrayLike<number>): { mean: number; scale: number } {
  const s = fitScaler(y, 1, rows);
  return { mean: s.mean[0], scale: s.scale[0] };
}

/** Indices of the rows whose `cols` features (and target, when given) are all finite. */
export function completeRows(x: ArrayLike<number>, cols: number, rows: number, y?: ArrayLike<number>): Int32Array {
  const out = new Int32Array(rows);
  let m = 0;
  for (let r = 0; r < rows; r++) {
    if (y && !Number.isFinite(y[r])) continue;
    let ok = true;
    const o = r * cols;
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(x[o + j])) {
        ok = false;
        break;
      }
    }
    if (ok) out[m++] = r;
  }
  return out.slice(0, m);
}
