/**
 * Dense linear algebra for the tiny (N ≤ ~10) symmetric systems of the N-cornered hat. Matrices are
 * row-major `Float64Array`s of size n×n.
 */

/** Solve A x = b by Gaussian elimination with partial pivoting; undefined if A is singular. */
export function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (m[p * n + c] === 0 || !Number.isFinite(m[p * n + c])) return undefined;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}

/** Determinant by LU with partial pivoting. */
export function determinant(a: Float64Array, n: number): number {
  const m = Float64Array.from(a);
  let det = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    if (m[p * n + c] === 0) return 0;
    if (p !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[p * n + k]] = [m[p * n + k], m[c * n + k]];
      det = -det;
    }
    det *= m[c * n + c];
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
    }
  }
  return det;
}

/** Inverse of A (columns solved one by one); undefined if singular. */
export function inverse(a: Float64Array, n: number): Float64Array | undefined {
  const inv = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    e.fill(0);
    e[c] = 1;
    const col = solve(a, e, n);
    if (!col) return undefined;
    for (let r = 0; r < n; r++) inv[r * n + c] = col[r];
  }
  return inv;
}

/**
 * Sample covariance matrix (1/(M−1), as `np.cov`) of `columns` (each of length M).
 */
export function covariance(columns: readonly ArrayLike<number>[]): Float64Array {
  const n = columns.length;
  const m = columns[0].length;
  const means = columns.map((c) => {
    let s = 0;
    for (let t = 0; t < m; t++) s += c[t];
    return s / m;
  });
  const cov = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      const ci = columns[i];
      const cj = columns[j];
      for (let t = 0; t < m; t++) s += (ci[t] - means[i]) * (cj[t] - means[j]);
      cov[i * n + j] = cov[j * n + i] = s / (m - 1);
    }
  }
  return cov;
}
