/**
 * Ridge regression shrunk towards prior coefficients: minimises ‖y − b0 − Xβ‖² + λ‖β − β₀‖² on
 * centred data. With β₀ from a model pre-trained on other stations this is the fine-tuning step of
 * the transfer learning (λ large: keep the pre-trained model; λ → 0: refit on the local stations).
 */
export interface LinearModel {
  readonly intercept: number;
  readonly coef: readonly number[];
}

export function fitRidgeToPrior(x: Float64Array, y: Float64Array, rows: number, p: number, lambda: number, prior?: LinearModel): LinearModel {
  const mx = new Float64Array(p);
  let my = 0;
  for (let r = 0; r < rows; r++) {
    my += y[r];
    for (let j = 0; j < p; j++) mx[j] += x[r * p + j];
  }
  my /= rows;
  for (let j = 0; j < p; j++) mx[j] /= rows;
  const a = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let r = 0; r < rows; r++) {
    const yr = y[r] - my;
    for (let i = 0; i < p; i++) {
      const xi = x[r * p + i] - mx[i];
      b[i] += xi * yr;
      for (let j = 0; j < p; j++) a[i * p + j] += xi * (x[r * p + j] - mx[j]);
    }
  }
  // λ scales with the trace so it means the same for any units and row count; a tiny floor keeps
  // collinear windows (uniform products) solvable.
  let trace = 0;
  for (let i = 0; i < p; i++) trace += a[i * p + i];
  const l = (lambda + 1e-9) * (trace / p || 1);
  for (let i = 0; i < p; i++) {
    a[i * p + i] += l;
    b[i] += l * (prior?.coef[i] ?? 0);
  }
  const beta = solve(a, b, p);
  let intercept = my;
  for (let j = 0; j < p; j++) intercept -= beta[j] * mx[j];
  return { intercept, coef: Array.from(beta) };
}

export function predictLinear(m: LinearModel, x: Float64Array, o = 0): number {
  let s = m.intercept;
  for (let j = 0; j < m.coef.length; j++) s += m.coef[j] * x[o + j];
  return s;
}

/** Gaussian elimination with partial pivoting (p is tiny). */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = a.slice();
  const x = b.slice();
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]) > Math.abs(m[piv * n + k])) piv = i;
    if (piv !== k) {
      for (let j = 0; j < n; j++) [m[k * n + j], m[piv * n + j]] = [m[piv * n + j], m[k * n + j]];
      [x[k], x[piv]] = [x[piv], x[k]];
    }
    const d = m[k * n + k] || 1e-300;
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / d;
      for (let j = k; j < n; j++) m[i * n + j] -= f * m[k * n + j];
      x[i] -= f * x[k];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= m[i * n + j] * x[j];
    x[i] = s / (m[i * n + i] || 1e-300);
  }
  return x;
}
