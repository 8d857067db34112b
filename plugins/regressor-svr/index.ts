import { definePlugin } from '../../core/index.js';

export interface SvrParams {
  type: 'epsilon' | 'nu';
  kernel: 'rbf' | 'linear' | 'polynomial';
  C: number;
  epsilon: number;
  nu: number;
  gamma: number | 'scale' | 'auto';
  degree: number;
  coef0: number;
  standardize: boolean;
  standardizeTarget: boolean;
  tolerance: number;
  cacheSizeMB: number | null;
  shrinking: boolean;
  maxRows: number | null;
  seed: number | null;
  solver: 'smo' | 'libsvm';
}

const ID = 'regressor:svr';
const VERSION = '1.0.0';

/**
 * `regressor:svr` — support-vector regression (epsilon-SVR or nu-SVR; RBF, linear or polynomial
 * kernel) trained with soilscale's own port of libsvm's SMO solver (or, with `solver: 'libsvm'`, libsvm-js).
 * Features are standardised with the fit rows' mean and standard deviation; predictions evaluate the
 * decision function from the support vectors in typed-array loops on worker threads (equal to libsvm's own to rounding).
 *
 * @example
 * ```ts
 * const svr = await svrPlugin.create({ C: 1, epsilon: 0.01 }, context);
 * const model = await svr.fit(train);
 * const { mean } = await model.predict(test);
 * ```
 */
export const svrPlugin = definePlugin({
  id: ID,
  version: VERSION,
  title: 'Support-vector regression',
  description:
    'Support-vector regression (libsvm\'s SMO algorithm): epsilon-SVR (errors below epsilon cost nothing) or nu-SVR (nu bounds the fraction of support vectors), ' +
    "RBF, linear or polynomial kernel, gamma 'scale' as scikit-learn (1 / (features × variance of the standardised features)). " +
    'Features are standardised with the fit rows (and, optionally, the target). Training cost grows with the square of the rows: maxRows draws a seeded subsample.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      type: { type: 'string', enum: ['epsilon', 'nu'], default: 'epsilon', description: 'epsilon-SVR or nu-SVR.' },
      kernel: { type: 'string', enum: ['rbf', 'linear', 'polynomial'], default: 'rbf', description: 'Kernel: exp(-γ|u-v|²), u·v, or (γ u·v + coef0)^degree.' },
      C: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'Cost of errors beyond the epsilon tube (regularisation: smaller is smoother).' },
      epsilon: { type: 'number', minimum: 0, default: 0.1, description: 'Half-width of the epsilon-insensitive tube, in target units (standardised units with standardizeTarget). epsilon-SVR only.' },
      nu: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'Upper bound on the fraction of errors and lower bound on the fraction of support vectors. nu-SVR only.' },
      gamma: {
        description: "Kernel coefficient γ: a number, 'scale' (1 / (features × variance of the standardised features), scikit-learn's default) or 'auto' (1 / features).",
        anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', enum: ['scale', 'auto'] }],
        default: 'scale',
      },
      degree: { type: 'integer', minimum: 1, maximum: 10, default: 3, description: 'Degree of the polynomial kernel.' },
      coef0: { type: 'number', default: 0, description: 'Constant term of the polynomial kernel.' },
      standardize: { type: 'boolean', default: true, description: 'Scale each feature to zero mean and unit variance (fit-row statistics).' },
      standardizeTarget: { type: 'boolean', default: false, description: 'Also scale the target to zero mean and unit variance while training (epsilon is then in standard units).' },
      tolerance: { type: 'number', exclusiveMinimum: 0, default: 0.001, description: 'Stopping tolerance of the solver (libsvm -e).' },
      cacheSizeMB: {
        type: ['number', 'null'],
        minimum: 1,
        maximum: 1800,
        default: 200,
        description: 'Memory bound of the kernel-row cache in MB (libsvm -m, scikit-learn cache_size); speed only. null: room for the whole kernel matrix (4·rows² bytes), at most 1024 MB.',
      },
      shrinking: { type: 'boolean', default: true, description: 'Shrinking heuristics of the solver (libsvm -h); speed only.' },
      maxRows: { type: ['integer', 'null'], minimum: 2, default: null, description: 'Train on a seeded random subsample of at most this many rows; null uses all rows.' },
      seed: { type: ['integer', 'null'], default: null, description: 'Seed of the subsample (the solver itself is deterministic); null takes the run seed.' },
      solver: { type: 'string', enum: ['libsvm', 'smo'], default: 'smo', description: "Training solver: 'smo' (soilscale's own port of libsvm's SMO on typed arrays; ~0.8x libsvm-js's CPU and memory on 16k rows) or 'libsvm' (libsvm-js, WebAssembly; also saves libsvm's text model). Same problem, same solution to the tolerance." },
    },
  },
  async create(params: SvrParams, context) {
    const { createSvrRegressor } = await import('./src/svr-regressor.js');
    return createSvrRegressor(params, context, { id: ID, version: VERSION });
  },
});
