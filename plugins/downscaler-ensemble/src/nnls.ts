/**
 * Non-negative least squares, min ‖A w − b‖² subject to w ≥ 0, by the active-set algorithm of Lawson &
 * Hanson (1974, "Solving Least Squares Problems", ch. 23). Stacking has a handful of columns (one per
 * learner), so the method works on the normal equations AᵀA (k × k) and Aᵀb, never on the rows again.
 * (No npm dependency: the maintained option, ml-fcnnls, brings ml-matrix for a 30-line k × k problem.)
 *
 * @example
 * ```ts
 * nnlsNormal(gram, atb, k); // weights ≥ 0
 * ```
 */
export function nnlsNormal(gram: Float64Array, atb: Float64Array, k: number, maxIterations = 30 * k + 30): Float64Array {
  const w = new Float64Array(k);
  const passive = new Uint8Array(k);
  const scale = Math.max(1e-300, ...Array.from({ length: k }, (_, i) => Math.abs(gram[i * k + i])));
  const tol = 1e-12 * scale;
  const gradient = () => Float64Array.from({ length: k }, (_, i) => atb[i] - dot(gram, i, w, k));
  for (let iter = 0; iter < maxIterations; iter++) {
    const g = gradient();
    let best = -1;
    for (let i = 0; i < k; i++) if (!passive[i] && g[i] > tol && (best < 0 || g[i] > g[best])) best = i;
    if (best < 0) return w;
    passive[best] = 1;
    // Inner loop: solve on the passive set; step back to the boundary while a coefficient goes ≤ 0.
    for (;;) {
      const z = solvePassive(gram, atb, passive, k);
      let alpha = 1;
      let blocked = false;
      for (let i = 0; i < k; i++) {
        if (passive[i] && z[i] <= 0) {
          blocked = true;
          alpha = Math.min(alpha, w[i] / (w[i] - z[i]));
        }
      }
      if (!blocked) {
        w.set(z);
        break;
      }
      for (let i = 0; i < k; i++) {
        w[i] += alpha * (z[i] - w[i]);
        if (passive[i] && w[i] <= 1e-15) ((passive[i] = 0), (w[i] = 0));
      }
    }
  }
  return w;
}

function dot(gram: Float64Array, row: number, w: Float64Array, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += gram[row * k + j] * w[j];
  return s;
}

/** Least squares restricted to the passive columns (Gaussian elimination with partial pivoting); 0 elsewhere. */
function solvePassive(gram: Float64Array, atb: Float64Array, passive: Uint8Array, k: number): Float64Array {
  const idx = [...passive.keys()].filter((i) => passive[i]);
  const m = idx.length;
  const a = idx.map((i) => [...idx.map((j) => gram[i * k + j]), atb[i]]);
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const pivot = a[c][c] || 1e-300;
    for (let r = c + 1; r < m; r++) {
      const f = a[r][c] / pivot;
      for (let j = c; j <= m; j++) a[r][j] -= f * a[c][j];
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let s = a[r][m];
    for (let j = r + 1; j < m; j++) s -= a[r][j] * x[j];
    x[r] = s / (a[r][r] || 1e-300);
  }
  const z = new Float64Array(k);
  idx.forEach((i, n) => (z[i] = x[n]));
  return z;
}

/** Ridge on the normal equations: (AᵀA + λ·tr(AᵀA)/k·I) w = Aᵀb (λ relative to the mean column energy). */
export function ridgeNormal(gram: Float64Array, atb: Float64Array, k: number, lambda: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < k; i++) trace += gram[i * k + i];
  const g = Float64Array.from(gram);
  for (let i = 0; i < k; i++) g[i * k + i] += (lambda * trace) / k;
  return solvePassive(g, atb, new Uint8Array(k).fill(1), k);
}
