/**
 * Principal axes of a point cloud (eigenvectors of its covariance, by cyclic Jacobi rotations).
 * The kd-tree splits along them: correlated features (NDVI and EVI, sand + silt + clay = 100 %)
 * make axis-aligned cells long and thin in the original axes, and short searches need square cells.
 */

/**
 * The `dims × dims` rotation whose row `a` is the a-th principal axis (largest variance first), so
 * `w[a] = Σⱼ R[a·dims + j] · z[j]`.
 *
 * @example
 * ```ts
 * const R = principalAxes(Float64Array.of(0, 0, 1, 1, 2, 2), 3, 2);
 * // first axis ≈ (0.707, 0.707): the points lie on the diagonal
 * ```
 */
export function principalAxes(z: Float64Array, rows: number, dims: number): Float64Array {
  const mean = new Float64Array(dims);
  for (let r = 0; r < rows; r++) for (let j = 0; j < dims; j++) mean[j] += z[r * dims + j];
  for (let j = 0; j < dims; j++) mean[j] /= Math.max(1, rows);
  const a = new Float64Array(dims * dims);
  const t = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dims; j++) t[j] = z[r * dims + j] - mean[j];
    for (let i = 0; i < dims; i++) for (let j = i; j < dims; j++) a[i * dims + j] += t[i] * t[j];
  }
  for (let i = 0; i < dims; i++) for (let j = 0; j < i; j++) a[i * dims + j] = a[j * dims + i];
  const v = new Float64Array(dims * dims);
  for (let i = 0; i < dims; i++) v[i * dims + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < dims; p++) for (let q = p + 1; q < dims; q++) off += a[p * dims + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < dims; p++) {
      for (let q = p + 1; q < dims; q++) {
        const apq = a[p * dims + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * dims + q] - a[p * dims + p]) / (2 * apq);
        const tan = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(tan * tan + 1);
        const s = tan * c;
        for (let k = 0; k < dims; k++) {
          const akp = a[k * dims + p];
          const akq = a[k * dims + q];
          a[k * dims + p] = c * akp - s * akq;
          a[k * dims + q] = s * akp + c * akq;
        }
        for (let k = 0; k < dims; k++) {
          const apk = a[p * dims + k];
          const aqk = a[q * dims + k];
          a[p * dims + k] = c * apk - s * aqk;
          a[q * dims + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < dims; k++) {
          const vkp = v[k * dims + p];
          const vkq = v[k * dims + q];
          v[k * dims + p] = c * vkp - s * vkq;
          v[k * dims + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: dims }, (_, i) => i).sort((x, y) => a[y * dims + y] - a[x * dims + x] || x - y);
  const rotation = new Float64Array(dims * dims);
  order.forEach((col, row) => {
    for (let j = 0; j < dims; j++) rotation[row * dims + j] = v[j * dims + col];
  });
  return rotation;
}

/** `out = R · z` for one point. */
export function rotate(rotation: Float64Array, dims: number, z: ArrayLike<number>, zOffset: number, out: Float64Array, outOffset: number): void {
  for (let a = 0; a < dims; a++) {
    let s = 0;
    for (let j = 0; j < dims; j++) s += rotation[a * dims + j] * z[zOffset + j];
    out[outOffset + a] = s;
  }
}
