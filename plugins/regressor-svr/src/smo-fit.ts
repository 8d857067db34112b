/**
 * The default `solver: 'smo'` path: soilscale's own SMO (`svr-dual.ts`, `smo-solver.ts`) on the
 * standardised rows, with an LRU kernel-row cache bounded by `cacheSizeMB`.
 */
import { runtimeError, type PluginContext } from '../../../core/index.js';
import type { SvrParams } from '../index.js';
import { kernelRows } from './kernel-rows.js';
import { KERNEL_CODES, type KernelCode } from './svr-kernel.js';
import { solveSvr } from './svr-dual.js';

/** What a trainer hands back: support-vector row indices, their coefficients βᵢ and ρ. */
export interface TrainedSvr {
  readonly indices: readonly number[];
  readonly coef: Float64Array;
  readonly rho: number;
  /** libsvm's text model, when libsvm trained. */
  readonly libsvmModel?: string;
}

export function fitWithSmo(params: SvrParams, z: Float64Array, y: Float64Array, rows: number, dims: number, gamma: number, cacheMB: number, logger: PluginContext['logger'], id: string): TrainedSvr {
  const kernel = kernelRows({ kernel: KERNEL_CODES[params.kernel] as KernelCode, gamma, degree: params.degree, coef0: params.coef0 }, z, rows, dims);
  const s = solveWithin(() => solveSvr(kernel, y, { type: params.type, C: params.C, epsilon: params.epsilon, nu: params.nu, eps: params.tolerance, shrinking: params.shrinking, cacheBytes: cacheMB * 2 ** 20 }), cacheMB, rows);
  if (s.reachedMaxIterations) logger.warn(`${id}: the solver stopped at its iteration limit (${s.iterations}) before reaching tolerance ${params.tolerance}; the model may be inaccurate (try a smaller C or standardizeTarget)`);
  logger.debug(`${id}: ${s.iterations} SMO iterations, ${s.kernelRowsComputed} kernel rows computed (cache ${s.cacheRows} rows), objective ${s.objective}`);
  const indices: number[] = [];
  for (let i = 0; i < rows; i++) if (s.beta[i] !== 0) indices.push(i);
  return { indices, coef: Float64Array.from(indices, (i) => s.beta[i]), rho: s.rho };
}

/** Runs the solver, turning a failed allocation (the kernel cache grows row by row) into a clear error. */
function solveWithin<T>(solve: () => T, cacheMB: number, rows: number): T {
  try {
    return solve();
  } catch (e) {
    if (e instanceof RangeError && /alloc/i.test(e.message)) throw runtimeError('out of memory while training the SVR', { path: 'cacheSizeMB', expected: 'a smaller kernel cache or fewer rows (maxRows)', found: `${cacheMB} MB, ${rows} rows` });
    throw e;
  }
}
