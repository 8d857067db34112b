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
import { workerTask } from '../../../core/kernel.js';

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
export function powi(base: number, times: number): number {
  let tmp = base;
  let ret = 1;
  for (let t = times; t > 0; t = Math.floor(t / 2)) {
    if (t % 2 === 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

/**
 * RBF decision values of four standardised rows at once (`z`, rows `r..r+3` at `r·dims`): each
 * support vector is loaded once for four rows. Per row the terms and their order are those of
 * `decision`, so the results are bit-identical to it.
 */
function rbfDecision4(m: SvrKernelModel, z: Float64Array, out: Float64Array): void {
  const { sv, coef, nSV, dims, gamma } = m;
  const a = 0;
  const b = dims;
  const c = 2 * dims;
  const e = 3 * dims;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let s = 0, o = 0; s < nSV; s++, o += dims) {
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let j = 0; j < dims; j++) {
      const v = sv[o + j];
      const t0 = z[a + j] - v;
      const t1 = z[b + j] - v;
      const t2 = z[c + j] - v;
      const t3 = z[e + j] - v;
      d0 += t0 * t0;
      d1 += t1 * t1;
      d2 += t2 * t2;
      d3 += t3 * t3;
    }
    const w = coef[s];
    s0 += w * Math.exp(-gamma * d0);
    s1 += w * Math.exp(-gamma * d1);
    s2 += w * Math.exp(-gamma * d2);
    s3 += w * Math.exp(-gamma * d3);
  }
  out[0] = s0 - m.rho;
  out[1] = s1 - m.rho;
  out[2] = s2 - m.rho;
  out[3] = s3 - m.rho;
}

/** Predictions for `rows` rows of raw features `x` (NaN where a feature is missing). */
export function predictSvrRows(m: SvrKernelModel, x: Float32Array, rows: number): Float32Array {
  const { dims, center, scale } = m;
  const out = new Float32Array(rows);
  const z = new Float64Array(4 * dims);
  const f = new Float64Array(4);
  const missing = [false, false, false, false];
  for (let r0 = 0; r0 < rows; r0 += 4) {
    const n = Math.min(4, rows - r0);
    for (let i = 0; i < 4; i++) {
      missing[i] = false;
      for (let j = 0; j < dims; j++) {
        // rows past the end repeat the last row (computed, then dropped)
        const r = r0 + Math.min(i, n - 1);
        const v = (x[r * dims + j] - center[j]) / scale[j];
        if (Number.isNaN(v)) missing[i] = true;
        z[i * dims + j] = v;
      }
    }
    if (m.kernel === 2) rbfDecision4(m, z, f);
    else for (let i = 0; i < n; i++) f[i] = decision(m, z.subarray(i * dims, i * dims + dims));
    for (let i = 0; i < n; i++) out[r0 + i] = missing[i] ? Number.NaN : f[i] * m.yScale + m.yCenter;
  }
  return out;
}

/** `predictSvrRows` on worker threads. */
export const predictSvrRowsTask = workerTask(import.meta.url, { predictSvrRows });
