/**
 * ε-SVR and ν-SVR as libsvm poses them: 2l dual variables (αᵢ for k < l with y = +1, αᵢ* for
 * k = i + l with y = −1), Q_kh = y_k y_h K(x_{k mod l}, x_{h mod l}), solved by `smo-solver.ts`.
 * The regression coefficients are βᵢ = αᵢ − αᵢ*, the support vectors the rows with βᵢ ≠ 0, and
 * f(x) = Σ βᵢ K(xᵢ, x) − ρ, as in libsvm's `solve_epsilon_svr` / `solve_nu_svr`.
 */
import { KernelCache } from './kernel-cache.js';
import { kernelValue, type KernelRows } from './kernel-rows.js';
import { NuSmoSolver, SmoSolver, type QMatrix, type SmoProblem } from './smo-solver.js';

/** libsvm's `SVR_Q`: one cached kernel row serves both halves of the doubled problem. */
class SvrQ implements QMatrix {
  readonly diag: Float64Array;
  /** y of each variable (Q_ij = sign_i·sign_j·K), for `getQ`; the solver's own labels are the same. */
  private readonly sign: Int8Array;
  readonly index: Int32Array;
  private readonly buffers: [Float32Array, Float32Array];
  private nextBuffer = 0;

  constructor(
    kernel: KernelRows,
    private readonly cache: KernelCache,
  ) {
    const l = kernel.rows;
    this.sign = new Int8Array(2 * l);
    this.index = new Int32Array(2 * l);
    this.diag = new Float64Array(2 * l);
    for (let k = 0; k < l; k++) {
      this.sign[k] = 1;
      this.sign[k + l] = -1;
      this.index[k] = k;
      this.index[k + l] = k;
      this.diag[k] = this.diag[k + l] = kernelValue(kernel, k, k);
    }
    this.buffers = [new Float32Array(2 * l), new Float32Array(2 * l)];
  }

  kernelRow(i: number): Float32Array {
    return this.cache.row(this.index[i]);
  }

  getQ(i: number, len: number): Float32Array {
    const data = this.cache.row(this.index[i]);
    const buf = this.buffers[this.nextBuffer];
    this.nextBuffer = 1 - this.nextBuffer;
    const { sign, index } = this;
    if (sign[i] === 1) for (let j = 0; j < len; j++) buf[j] = sign[j] * data[index[j]];
    else for (let j = 0; j < len; j++) buf[j] = -sign[j] * data[index[j]];
    return buf;
  }

  swapIndex(i: number, j: number): void {
    for (const a of [this.sign, this.index, this.diag]) {
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}

export interface SvrDualParams {
  readonly type: 'epsilon' | 'nu';
  readonly C: number;
  readonly epsilon: number;
  readonly nu: number;
  readonly eps: number;
  readonly shrinking: boolean;
  readonly cacheBytes: number;
}

export interface SvrSolution {
  /** βᵢ = αᵢ − αᵢ* per training row (0 off the support vectors). */
  readonly beta: Float64Array;
  readonly rho: number;
  /** libsvm's dual objective ½ αᵀQα + pᵀα (2l variables). */
  readonly objective: number;
  /** The tube half-width: ε, or the one ν-SVR found. */
  readonly epsilon: number;
  readonly iterations: number;
  readonly reachedMaxIterations: boolean;
  readonly kernelRowsComputed: number;
  readonly cacheRows: number;
}

/** Builds the doubled problem and solves it. */
export function solveSvr(kernel: KernelRows, target: Float64Array, params: SvrDualParams): SvrSolution {
  const l = kernel.rows;
  const p = new Float64Array(2 * l);
  const y = new Int8Array(2 * l);
  const alpha = new Float64Array(2 * l);
  y.fill(1, 0, l).fill(-1, l);
  if (params.type === 'epsilon') {
    for (let i = 0; i < l; i++) {
      p[i] = params.epsilon - target[i];
      p[i + l] = params.epsilon + target[i];
    }
  } else {
    // ν-SVR starts feasible with Σαᵢ = Σαᵢ* = C·ν·l/2, filled from the first rows
    let sum = (params.C * params.nu * l) / 2;
    for (let i = 0; i < l; i++) {
      alpha[i] = alpha[i + l] = Math.min(sum, params.C);
      sum -= alpha[i];
      p[i] = -target[i];
      p[i + l] = target[i];
    }
  }
  const cache = new KernelCache(kernel, params.cacheBytes);
  const problem: SmoProblem = { Q: new SvrQ(kernel, cache), p, y, alpha, C: params.C, eps: params.eps, shrinking: params.shrinking };
  const solver = params.type === 'epsilon' ? new SmoSolver(problem) : new NuSmoSolver(problem);
  const result = solver.solve(problem);
  const beta = new Float64Array(l);
  for (let i = 0; i < l; i++) beta[i] = alpha[i] - alpha[i + l];
  return {
    beta,
    rho: result.rho,
    objective: result.objective,
    epsilon: params.type === 'epsilon' ? params.epsilon : -result.r,
    iterations: result.iterations,
    reachedMaxIterations: result.reachedMaxIterations,
    kernelRowsComputed: cache.computed,
    cacheRows: cache.capacity,
  };
}
