/**
 * The SVR decision function evaluated directly from support vectors and coefficients, in tight
 * typed-array loops (worker-thread entry point; also called inline):
 *
 *   f(x) = Σᵢ coefᵢ · K(svᵢ, z(x)) − ρ,   z(x) = (x − center) / scale,   prediction = f · yScale + yCenter
 *
 * with libsvm's kernels: linear u·v, polynomial (γ u·v + c₀)^d, RBF exp(−γ |u − v|²). This is the
 * sum libsvm's `svm_predict` computes (same terms, same order), so predictions agree with libsvm
 * to rounding, without a call into WebAssembly per row and in parallel over rows.
 */

export type KernelCode = 0 | 1 | 2;
export const KERNEL_CODES = { linear: 0, polynomial: 1, rbf: 2 } as const;

/** A fitted SVR as plain arrays (shared memory crosses to workers without a copy). */
export interface SvrKernelModel {
  readonly dims: number;
  readonly nSV: number;
  /** Support vectors in standardised units, `nSV × dims`. */
  readonly sv: Float64Array;
  readonly coef: Float64Array;
  readonly rho: number;
  readonly kernel: KernelCode;
  readonly gamma: number;
  readonly degree: number;
  readonly coef0: number;
  readonly center: Float64Array;
  readonly scale: Float64Array;
  readonly yCenter: number;
  readonly yScale: number;
}

/** Decision value of one standardised row `z`. */
export function decision(m: SvrKernelModel, z: Float64Array): number {
  const { sv, coef, nSV, dims, gamma } = m;
  let sum = 0;
  if (m.kernel === 2) {
    for (let s = 0, o = 0; s < nSV; s++, o += dims) {
      let d2 = 0;
      for (let j = 0; j < dims; j++) {
        const t = z[j] - sv[o + j];
        d2 += t * t;
      }
      sum += coef[s] * Math.exp(-gamma * d2);
    }
  } else {
    for (let s = 0, o = 0; s < nSV; s++, o += dims) {
      let dot = 0;
      for (let j = 0; j < dims; j++) dot += z[j] * sv[o + j];
      sum += coef[s] * (m.kernel === 0 ? dot : powi(gamma * dot + m.coef0, m.degree));
    }
  }
  return sum - m.rho;
}

/** libsvm's `powi`: integer power by squaring (what its polynomial kernel uses). */
function powi(base: number, times: number): number {
  let tmp = base;
  let ret = 1;
  for (let t = times; t > 0; t = Math.floor(t / 2)) {
    if (t % 2 === 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

/** Predictions for `rows` rows of raw features `x` (NaN where a feature is missing). */
export function predictSvrRows(m: SvrKernelModel, x: Float32Array, rows: number): Float32Array {
  const { dims, center, scale } = m;
  const out = new Float32Array(rows);
  const z = new Float64Array(dims);
  for (let r = 0; r < rows; r++) {
    let ok = true;
    for (let j = 0; j < dims; j++) {
      const v = (x[r * dims + j] - center[j]) / scale[j];
      if (Number.isNaN(v)) ok = false;
      z[j] = v;
    }
    out[r] = ok ? decision(m, z) * m.yScale + m.yCenter : Number.NaN;
  }
  return out;
}
