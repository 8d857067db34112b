/**
 * Kernel values between standardised training rows, computed as libsvm computes them (so the dual
 * problem is libsvm's to rounding): linear u·v, polynomial powi(γ u·v + c₀, d), RBF
 * exp(−γ (|u|² + |v|² − 2 u·v)) with the squared norms precomputed.
 */
import { powi, type KernelCode } from './svr-kernel.js';

export interface KernelSpec {
  readonly kernel: KernelCode;
  readonly gamma: number;
  readonly degree: number;
  readonly coef0: number;
}

/** Training rows (`rows × dims`, row-major float64) with what every kernel row needs. */
export interface KernelRows {
  readonly spec: KernelSpec;
  readonly x: Float64Array;
  readonly rows: number;
  readonly dims: number;
  /** |xᵢ|², for the RBF kernel. */
  readonly sq: Float64Array;
}

export function kernelRows(spec: KernelSpec, x: Float64Array, rows: number, dims: number): KernelRows {
  const sq = new Float64Array(rows);
  for (let r = 0; r < rows; r++) sq[r] = dot(x, r * dims, x, r * dims, dims);
  return { spec, x, rows, dims, sq };
}

function dot(a: Float64Array, oa: number, b: Float64Array, ob: number, dims: number): number {
  let s = 0;
  for (let j = 0; j < dims; j++) s += a[oa + j] * b[ob + j];
  return s;
}

/** K(xᵢ, xⱼ) in double precision. */
export function kernelValue(k: KernelRows, i: number, j: number): number {
  const d = dot(k.x, i * k.dims, k.x, j * k.dims, k.dims);
  const { kernel, gamma } = k.spec;
  if (kernel === 2) return Math.exp(-gamma * (k.sq[i] + k.sq[j] - 2 * d));
  return kernel === 0 ? d : powi(gamma * d + k.spec.coef0, k.spec.degree);
}

/** Row i of the kernel matrix into `out` (all `rows` columns), rounded to float32 as libsvm's cache stores it. */
export function fillKernelRow(k: KernelRows, i: number, out: Float32Array): void {
  const { x, rows, dims, sq } = k;
  const { kernel, gamma, coef0, degree } = k.spec;
  const oi = i * dims;
  const sqi = sq[i];
  if (kernel === 2) {
    for (let j = 0, oj = 0; j < rows; j++, oj += dims) {
      let d = 0;
      for (let t = 0; t < dims; t++) d += x[oi + t] * x[oj + t];
      out[j] = Math.exp(-gamma * (sqi + sq[j] - 2 * d));
    }
  } else {
    for (let j = 0, oj = 0; j < rows; j++, oj += dims) {
      let d = 0;
      for (let t = 0; t < dims; t++) d += x[oi + t] * x[oj + t];
      out[j] = kernel === 0 ? d : powi(gamma * d + coef0, degree);
    }
  }
}
