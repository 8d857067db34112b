import { covariance, determinant, inverse, solve } from './linalg.js';

/** Why a TCH estimate is missing (`ok` when it is not). */
export type TchStatus = 'ok' | 'insufficient-data' | 'singular' | 'failed';

export interface TchOptions {
  /** Index of the reference product (the one differences are taken against); default the last. The result does not depend on it. */
  readonly reference?: number;
  /** Fewest common time steps to attempt an estimate (default 30, tch.md §4); never below N + 1. */
  readonly minSamples?: number;
}

export interface TchResult {
  readonly status: TchStatus;
  /** Common time steps used (all products valid). */
  readonly samples: number;
  /** Estimated error covariance R (N×N, row-major, products in input order). */
  readonly covariance: Float64Array;
  readonly errorVariance: Float64Array;
  /** σᵢ = √Rᵢᵢ. */
  readonly errorStd: Float64Array;
  /** σᵢ / mean|xᵢ| × 100 (%), as the xutr-bnu code. */
  readonly relativeUncertainty: Float64Array;
  /** BTCH merging weights σᵢ⁻² / Σ σₖ⁻² (He et al. 2020). */
  readonly weights: Float64Array;
  /** Objective F at the solution (scale-free global correlation). */
  readonly objective: number;
  /** −H at the solution: ≥ 0 feasible, ≈ 0 when the positive-definiteness constraint is active. */
  readonly constraintMargin: number;
  readonly constraintActive: boolean;
}

/**
 * The constrained N-cornered-hat problem for a difference covariance S ((N−1)×(N−1), row-major),
 * in the unknowns r = (r_1N … r_{N−1,N}, r_NN) of tch.md §3: objective F (step 5), constraint margin
 * −H (step 6, ≥ 0 feasible), initial value (step 7), and R from r (step 9).
 */
export interface TchProblem {
  readonly n: number;
  readonly K: number;
  readonly detS: number;
  objective(r: ArrayLike<number>): number;
  margin(r: ArrayLike<number>): number;
  initial(): Float64Array;
  fill(r: ArrayLike<number>): Float64Array;
  /** The unique minimiser of F subject to −H ≥ 0 (tch.md §3.1). */
  solve(): { r: Float64Array; active: boolean } | undefined;
}

/**
 * Build the N-cornered-hat problem from the difference covariance S. Undefined when S is singular
 * (identical or linearly dependent products).
 */
export function tchProblem(S: Float64Array, n1: number): TchProblem | undefined {
  const N = n1 + 1;
  const detS = determinant(S, n1);
  const Sinv = detS > 0 && Number.isFinite(detS) ? inverse(S, n1) : undefined;
  if (!Sinv) return undefined;
  const K = detS ** (1 / n1);
  // Scaled variables p = r/K keep every quantity O(1) whatever the units (tch.md §3.1).
  const T = Sinv.map((v) => v * K); // K·S⁻¹
  const sK = (i: number, j: number): number => S[i * n1 + j] / K;

  // Rows of the least-squares form ‖A p − β‖² = F: e_i → 0 (i < N), e_i + e_j − e_N → −s_ij/K.
  const rows: { i: number; j: number; target: number }[] = [];
  for (let i = 0; i < n1; i++) rows.push({ i, j: -1, target: 0 });
  for (let i = 0; i < n1; i++) for (let j = i + 1; j < n1; j++) rows.push({ i, j, target: -sK(i, j) });
  const G = new Float64Array(N * N); // AᵀA
  const h = new Float64Array(N); // Aᵀβ
  for (const row of rows) {
    const a = new Float64Array(N);
    a[row.i] = 1;
    if (row.j >= 0) {
      a[row.j] = 1;
      a[N - 1] = -1;
    }
    for (let u = 0; u < N; u++) {
      h[u] += a[u] * row.target;
      for (let v = 0; v < N; v++) G[u * N + v] += a[u] * a[v];
    }
  }
  // Q = Mᵀ T M with q = M p = p' − p_N·1, so that q ᵀT q = pᵀ Q p.
  const Q = new Float64Array(N * N);
  let total = 0;
  for (let a = 0; a < n1; a++) {
    let rowSum = 0;
    for (let b = 0; b < n1; b++) {
      Q[a * N + b] = T[a * n1 + b];
      rowSum += T[a * n1 + b];
    }
    Q[a * N + n1] = Q[n1 * N + a] = -rowSum;
    total += rowSum;
  }
  Q[n1 * N + n1] = total;

  const objectiveP = (p: ArrayLike<number>): number => {
    let f = 0;
    for (const row of rows) {
      const v = row.j >= 0 ? p[row.i] + p[row.j] - p[N - 1] : p[row.i];
      f += (v - row.target) ** 2;
    }
    return f;
  };
  const marginP = (p: ArrayLike<number>): number => {
    let quad = 0;
    for (let a = 0; a < n1; a++) {
      const qa = p[a] - p[N - 1];
      for (let b = 0; b < n1; b++) quad += qa * T[a * n1 + b] * (p[b] - p[N - 1]);
    }
    return p[N - 1] - quad;
  };
  /** Minimiser of the Lagrangian F − λ·g for fixed λ ≥ 0: (AᵀA + λQ) p = Aᵀβ + (λ/2) e_N. */
  const lagrangeMin = (lambda: number): Float64Array | undefined => {
    const M = G.map((v, k) => v + lambda * Q[k]);
    const rhs = Float64Array.from(h);
    rhs[N - 1] += lambda / 2;
    return solve(M, rhs, N);
  };
  const toR = (p: Float64Array): Float64Array => p.map((v) => v * K);

  return {
    n: N,
    K,
    detS,
    objective: (r) => objectiveP(Array.from(r, (v) => v / K)),
    margin: (r) => marginP(Array.from(r, (v) => v / K)),
    initial: () => {
      const r0 = new Float64Array(N);
      let uSu = 0;
      for (let k = 0; k < n1 * n1; k++) uSu += Sinv[k];
      r0[N - 1] = 1 / (2 * uSu);
      return r0;
    },
    fill: (r) => {
      const R = new Float64Array(N * N);
      for (let i = 0; i < N; i++) R[i * N + n1] = R[n1 * N + i] = r[i];
      for (let i = 0; i < n1; i++) for (let j = 0; j < n1; j++) R[i * N + j] = S[i * n1 + j] - r[n1] + r[i] + r[j];
      return R;
    },
    solve: () => {
      // F is a strictly convex quadratic and {g ≥ 0} convex: the unconstrained least-squares solution
      // is the answer when feasible; otherwise the constraint is active and g(p(λ)) is nondecreasing
      // in the multiplier λ (the dual's derivative), so bisection on λ finds g = 0 to machine precision.
      const p0 = lagrangeMin(0);
      if (!p0) return undefined;
      if (marginP(p0) > 0) return { r: toR(p0), active: false };
      let lo = 0;
      let hi = 1;
      let pHi = lagrangeMin(hi);
      for (let k = 0; k < 200 && pHi && !(marginP(pHi) >= 0); k++) {
        lo = hi;
        hi *= 2;
        pHi = lagrangeMin(hi);
      }
      if (!pHi || !(marginP(pHi) >= 0)) return undefined;
      for (let k = 0; k < 200 && hi - lo > 1e-15 * hi; k++) {
        const mid = 0.5 * (lo + hi);
        const pm = lagrangeMin(mid);
        if (!pm) return undefined;
        if (marginP(pm) >= 0) {
          hi = mid;
          pHi = pm;
        } else lo = mid;
      }
      return { r: toR(pHi), active: true };
    },
  };
}

/**
 * Three-cornered hat / N-cornered hat (Tavella & Premoli 1994; Ferreira et al. 2016; tch.md §3):
 * error variances of N ≥ 3 products of one variable, without knowing the truth. Time steps where
 * any product is NaN are dropped first. The constrained problem is solved exactly (tch.md §3.1).
 *
 * @example
 * ```ts
 * const { errorStd, relativeUncertainty } = threeCorneredHat([smap, ascat, model]);
 * ```
 */
export function threeCorneredHat(products: readonly ArrayLike<number>[], options: TchOptions = {}): TchResult {
  const N = products.length;
  if (N < 3) throw new RangeError(`three-cornered hat needs at least 3 products, got ${N}`);
  const M0 = products[0].length;
  for (const p of products) if (p.length !== M0) throw new RangeError('three-cornered hat: products differ in length');
  const ref = options.reference ?? N - 1;
  const minSamples = Math.max(N + 1, options.minSamples ?? 30);

  // Common support: time steps where every product is valid.
  const keepAll = new Int32Array(M0);
  let M = 0;
  for (let t = 0; t < M0; t++) {
    let ok = true;
    for (let i = 0; i < N && ok; i++) ok = Number.isFinite(products[i][t]);
    if (ok) keepAll[M++] = t;
  }
  const keep = keepAll.subarray(0, M);
  const fail = (status: TchStatus): TchResult => ({
    status,
    samples: M,
    covariance: new Float64Array(N * N).fill(Number.NaN),
    errorVariance: new Float64Array(N).fill(Number.NaN),
    errorStd: new Float64Array(N).fill(Number.NaN),
    relativeUncertainty: new Float64Array(N).fill(Number.NaN),
    weights: new Float64Array(N).fill(Number.NaN),
    objective: Number.NaN,
    constraintMargin: Number.NaN,
    constraintActive: false,
  });
  if (M < minSamples) return fail('insufficient-data');

  const order = [...Array(N).keys()].filter((i) => i !== ref).concat(ref);
  const refCol = products[ref];
  const diffs = order.slice(0, -1).map((i) => {
    const x = products[i];
    const d = new Float64Array(M);
    for (let k = 0; k < M; k++) d[k] = x[keep[k]] - refCol[keep[k]];
    return d;
  });
  const problem = tchProblem(covariance(diffs), N - 1);
  if (!problem) return fail('singular');
  const sol = problem.solve();
  if (!sol) return fail('failed');
  const Rord = problem.fill(sol.r);

  const R = new Float64Array(N * N);
  for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) R[order[a] * N + order[b]] = Rord[a * N + b];
  const variance = Float64Array.from({ length: N }, (_, i) => R[i * N + i]);
  if (variance.some((v) => !(v >= 0))) return fail('failed');
  const std = variance.map(Math.sqrt);
  const rel = std.map((s, i) => {
    let m = 0;
    const x = products[i];
    for (let k = 0; k < M; k++) m += Math.abs(x[keep[k]]);
    return (100 * s) / (m / M);
  });
  return {
    status: 'ok',
    samples: M,
    covariance: R,
    errorVariance: variance,
    errorStd: std,
    relativeUncertainty: rel,
    weights: btchWeights(std),
    objective: problem.objective(sol.r),
    constraintMargin: problem.margin(sol.r),
    constraintActive: sol.active,
  };
}

/** BTCH weights wᵢ = σᵢ⁻² / Σₖ σₖ⁻² (tch.md §3.2); NaN when any σ is missing. */
export function btchWeights(errorStd: ArrayLike<number>): Float64Array {
  const inv = Float64Array.from(errorStd, (s) => 1 / (s * s));
  const total = inv.reduce((a, b) => a + b, 0);
  return inv.map((v) => v / total);
}

/** Classical three-cornered hat (tch.md §2): error variances from var(xᵢ − xⱼ) (1/(M−1)); may be negative. */
export function classicalThreeCorneredHat(x1: ArrayLike<number>, x2: ArrayLike<number>, x3: ArrayLike<number>): Float64Array {
  const keep: number[] = [];
  for (let t = 0; t < x1.length; t++) if (Number.isFinite(x1[t]) && Number.isFinite(x2[t]) && Number.isFinite(x3[t])) keep.push(t);
  const d = (a: ArrayLike<number>, b: ArrayLike<number>): Float64Array => Float64Array.from(keep, (t) => a[t] - b[t]);
  const v = (x: Float64Array): number => covariance([x])[0];
  const v12 = v(d(x1, x2));
  const v13 = v(d(x1, x3));
  const v23 = v(d(x2, x3));
  return Float64Array.of(0.5 * (v12 + v13 - v23), 0.5 * (v12 + v23 - v13), 0.5 * (v13 + v23 - v12));
}
