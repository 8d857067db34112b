/**
 * The `solver: 'libsvm'` path: trains with libsvm-js (libsvm compiled to WebAssembly) and reads
 * the support vectors, coefficients and exact ρ back. Kept as an alternative and as the tests' oracle.
 */
import { runtimeError } from '../../../core/index.js';
import type { SvrParams } from '../index.js';
import { loadLibsvm } from './libsvm-loader.js';
import { decision, KERNEL_CODES, type KernelCode, type SvrKernelModel } from './svr-kernel.js';
import type { TrainedSvr } from './smo-fit.js';

export async function fitWithLibsvm(params: SvrParams, z: Float64Array, y: Float64Array, rows: number, dims: number, gamma: number, cacheMB: number): Promise<TrainedSvr> {
  const SVM = await loadLibsvm();
  const svm = new SVM({
    type: params.type === 'nu' ? SVM.SVM_TYPES.NU_SVR : SVM.SVM_TYPES.EPSILON_SVR,
    kernel: { rbf: SVM.KERNEL_TYPES.RBF, linear: SVM.KERNEL_TYPES.LINEAR, polynomial: SVM.KERNEL_TYPES.POLYNOMIAL }[params.kernel],
    degree: params.degree,
    gamma,
    coef0: params.coef0,
    cost: params.C,
    nu: params.nu,
    epsilon: params.epsilon,
    cacheSize: cacheMB,
    tolerance: params.tolerance,
    shrinking: params.shrinking,
    quiet: true,
  });
  const samples = Array.from({ length: rows }, (_, r) => z.subarray(r * dims, r * dims + dims));
  try {
    svm.train(samples, y);
    const indices = svm.getSVIndices();
    const text = svm.serializeModel();
    const coef = parseCoefficients(text, indices.length);
    const sv = new Float64Array(indices.length * dims);
    indices.forEach((row, i) => sv.set(z.subarray(row * dims, row * dims + dims), i * dims));
    const partial: SvrKernelModel = { dims, nSV: indices.length, sv, coef, rho: 0, kernel: KERNEL_CODES[params.kernel] as KernelCode, gamma, degree: params.degree, coef0: params.coef0, center: new Float64Array(dims), scale: new Float64Array(dims).fill(1), yCenter: 0, yScale: 1 };
    // libsvm prints ρ with 6 digits; recover it exactly from its in-memory model: ρ = Σ coef·K − f(z₀)
    const z0 = z.subarray(0, dims);
    const rho = decision(partial, z0) - svm.predictOne(z0);
    return { indices, coef, rho, libsvmModel: text };
  } catch (e) {
    if (e instanceof Error && /memory|abort/i.test(e.message)) throw runtimeError('libsvm ran out of memory', { path: 'cacheSizeMB', expected: 'a smaller kernel cache or fewer rows (maxRows)', found: `${cacheMB} MB, ${rows} rows` });
    throw e;
  } finally {
    svm.free();
  }
}

/** The first column of libsvm's `SV` section (one coefficient per support vector, in `getSVIndices` order). */
export function parseCoefficients(text: string, count: number): Float64Array {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim() === 'SV');
  const coef = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const line = lines[at + 1 + i];
    const v = line === undefined ? Number.NaN : Number(line.slice(0, line.indexOf(' ') >= 0 ? line.indexOf(' ') : undefined));
    if (at < 0 || !Number.isFinite(v)) throw runtimeError("cannot read libsvm's model", { path: `SV line ${i + 1}`, expected: `${count} support-vector lines starting with a coefficient`, found: line === undefined ? 'end of model' : line.slice(0, 40) });
    coef[i] = v;
  }
  return coef;
}
