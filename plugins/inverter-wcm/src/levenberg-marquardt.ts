import { choleskyFactor, choleskySolve, choleskySubstitute } from '../../../core/index.js';

/**
 * A small bounded Levenberg–Marquardt solver for few parameters (≤ ~10) and many residuals, with an
 * analytic Jacobian. Own code rather than `ml-levenberg-marquardt` because the fit needs a Jacobian
 * at the solution (standard errors), bounds handled as an active set (a parameter pinned at a bound
 * leaves the step instead of stalling it), and MINPACK-tight convergence to match the spec's SciPy
 * reference values to 1e-5.
 */

/** Residuals r(p) (length `n`) and, when asked, the Jacobian ∂r/∂p (`n × k`, row-major). */
export interface LeastSquaresProblem {
  readonly n: number;
  readonly k: number;
  evaluate(p: Float64Array, r: Float64Array, jacobian?: Float64Array): void;
}

export interface LmOptions {
  readonly lower?: ArrayLike<number>;
  readonly upper?: ArrayLike<number>;
  /** Default 500. */
  readonly maxIterations?: number;
  /** Stop when the relative SSE decrease of an accepted step is below this (default 1e-15). */
  readonly ftol?: number;
  /** Stop when the relative step is below this (default 1e-12). */
  readonly xtol?: number;
}

export interface LmResult {
  readonly params: Float64Array;
  /** Sum of squared residuals at `params`. */
  readonly sse: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** JᵀJ at `params` (`k × k`), for standard errors. */
  readonly jtj: Float64Array;
  /** Which parameters ended on a bound. */
  readonly atBound: readonly boolean[];
}

/**
 * Minimise ½‖r(p)‖² from `p0` inside the box [lower, upper].
 *
 * @example
 * ```ts
 * // fit y = a·exp(b·x)
 * const problem = { n: xs.length, k: 2, evaluate(p, r, J) { … } };
 * const { params, sse } = levenbergMarquardt(problem, Float64Array.of(1, 0.1), { lower: [0, -5], upper: [10, 5] });
 * ```
 */
export function levenbergMarquardt(problem: LeastSquaresProblem, p0: ArrayLike<number>, options: LmOptions = {}): LmResult {
  const { n, k } = problem;
  const lower = Float64Array.from({ length: k }, (_, j) => options.lower?.[j] ?? -Infinity);
  const upper = Float64Array.from({ length: k }, (_, j) => options.upper?.[j] ?? Infinity);
  const maxIterations = options.maxIterations ?? 500;
  const ftol = options.ftol ?? 1e-15;
  const xtol = options.xtol ?? 1e-12;

  const p = Float64Array.from({ length: k }, (_, j) => clamp(p0[j], lower[j], upper[j]));
  const trial = new Float64Array(k);
  const r = new Float64Array(n);
  const rTrial = new Float64Array(n);
  const J = new Float64Array(n * k);
  const jtj = new Float64Array(k * k);
  const g = new Float64Array(k);
  const step = new Float64Array(k);

  problem.evaluate(p, r, J);
  let sse = sumSquares(r);
  normalEquations(J, r, n, k, jtj, g);
  let lambda = 1e-3 * maxDiagonal(jtj, k);
  let nu = 2;
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations && Number.isFinite(sse)) {
    iterations++;
    // Active set: a parameter on a bound whose descent direction points out of the box stays put.
    const free: number[] = [];
    for (let j = 0; j < k; j++) {
      const outLow = p[j] <= lower[j] && g[j] > 0;
      const outHigh = p[j] >= upper[j] && g[j] < 0;
      if (!outLow && !outHigh) free.push(j);
    }
    if (free.length === 0) {
      converged = true;
      break;
    }
    if (!solveDamped(jtj, g, k, free, lambda, step)) {
      lambda *= nu;
      nu *= 2;
      if (lambda > 1e30) break;
      continue;
    }
    let stepNorm = 0;
    let pNorm = 0;
    for (let j = 0; j < k; j++) {
      trial[j] = clamp(p[j] + step[j], lower[j], upper[j]);
      stepNorm += (trial[j] - p[j]) ** 2;
      pNorm += p[j] ** 2;
    }
    problem.evaluate(trial, rTrial);
    const sseTrial = sumSquares(rTrial);
    if (sseTrial < sse) {
      const decrease = sse - sseTrial;
      p.set(trial);
      sse = sseTrial;
      problem.evaluate(p, r, J);
      normalEquations(J, r, n, k, jtj, g);
      lambda *= 1 / 3;
      nu = 2;
      if (decrease <= ftol * sse || Math.sqrt(stepNorm) <= xtol * (Math.sqrt(pNorm) + xtol) || sse === 0) {
        converged = true;
        break;
      }
    } else {
      if (Math.sqrt(stepNorm) <= xtol * (Math.sqrt(pNorm) + xtol)) {
        converged = true;
        break;
      }
      lambda *= nu;
      nu *= 2;
      if (lambda > 1e30) {
        converged = true; // no descent direction left at machine precision
        break;
      }
    }
  }
  const atBound = Array.from(p, (v, j) => v <= lower[j] || v >= upper[j]);
  return { params: p, sse, iterations, converged, jtj: Float64Array.from(jtj), atBound };
}

/**
 * Parameter standard errors sqrt(diag((JᵀJ)⁻¹ · SSE/(n − k))). NaN where JᵀJ is singular or n ≤ k.
 */
export function standardErrors(jtj: Float64Array, k: number, sse: number, n: number): Float64Array {
  const out = new Float64Array(k).fill(Number.NaN);
  if (n <= k) return out;
  const inv = invertSymmetric(jtj, k);
  if (!inv) return out;
  const s2 = sse / (n - k);
  for (let j = 0; j < k; j++) out[j] = Math.sqrt(Math.max(0, inv[j * k + j]) * s2);
  return out;
}

/** Inverse of a symmetric positive-definite matrix by Cholesky; undefined when not positive definite. */
export function invertSymmetric(a: Float64Array, k: number): Float64Array | undefined {
  const L = a.slice();
  if (!choleskyFactor(L, k)) return undefined;
  const inv = new Float64Array(k * k);
  const col = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    col.fill(0);
    col[c] = 1;
    choleskySubstitute(L, k, col);
    for (let r = 0; r < k; r++) inv[r * k + c] = col[r];
  }
  return inv;
}

function normalEquations(J: Float64Array, r: Float64Array, n: number, k: number, jtj: Float64Array, g: Float64Array): void {
  jtj.fill(0);
  g.fill(0);
  for (let i = 0; i < n; i++) {
    const row = i * k;
    const ri = r[i];
    for (let a = 0; a < k; a++) {
      const ja = J[row + a];
      if (ja === 0) continue;
      g[a] += ja * ri;
      for (let b = a; b < k; b++) jtj[a * k + b] += ja * J[row + b];
    }
  }
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) jtj[a * k + b] = jtj[b * k + a];
}

/** Solve (JᵀJ + λ·diag(JᵀJ)) δ = −g on the free parameters (Marquardt scaling); others get δ = 0. */
function solveDamped(jtj: Float64Array, g: Float64Array, k: number, free: number[], lambda: number, step: Float64Array): boolean {
  const m = free.length;
  const a = new Float64Array(m * m);
  const rhs = new Float64Array(m);
  for (let x = 0; x < m; x++) {
    for (let y = 0; y < m; y++) a[x * m + y] = jtj[free[x] * k + free[y]];
    const d = jtj[free[x] * k + free[x]];
    a[x * m + x] += lambda * (d > 1e-300 ? d : 1e-300);
    rhs[x] = -g[free[x]];
  }
  if (!choleskySolve(a, rhs, m)) return false;
  step.fill(0);
  for (let x = 0; x < m; x++) step[free[x]] = rhs[x];
  return rhs.every(Number.isFinite);
}

function sumSquares(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return s;
}

function maxDiagonal(a: Float64Array, k: number): number {
  let m = 0;
  for (let j = 0; j < k; j++) m = Math.max(m, a[j * k + j]);
  return m > 0 ? m : 1;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
