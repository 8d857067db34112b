import { createRng } from '../../../core/index.js';
import { levenbergMarquardt, standardErrors, type LeastSquaresProblem } from './levenberg-marquardt.js';
import { WCM_PARAMETER_NAMES, wcmGradient, type WcmForm, type WcmParameterName, type WcmParameters } from './wcm-model.js';

/** Co-located calibration samples: descriptor, incidence (°), reference SM and observed σ⁰ (dB). */
export interface WcmSamples {
  readonly v: Float64Array;
  readonly theta: Float64Array;
  readonly sm: Float64Array;
  readonly sigmaDb: Float64Array;
}

export type ParameterBounds = Readonly<Partial<Record<WcmParameterName, readonly [number, number]>>>;

export interface WcmFitOptions {
  readonly form: WcmForm;
  /** Parameters to fit; the others keep their `initial` value. */
  readonly fit: readonly WcmParameterName[];
  /** First start, and the values of fixed parameters. */
  readonly initial: WcmParameters;
  readonly bounds: ParameterBounds;
  /** `db` (default objective of the spec) or `linear` residuals. */
  readonly residuals: 'db' | 'linear';
  /** Number of starts: `initial` plus `starts − 1` seeded random draws inside the start box. */
  readonly starts: number;
  readonly seed: number;
  readonly maxIterations?: number;
}

export interface WcmFit {
  readonly parameters: WcmParameters;
  /** Standard errors of the fitted parameters (σ²(JᵀJ)⁻¹ at the solution); absent for fixed ones. */
  readonly standardErrors: Readonly<Partial<Record<WcmParameterName, number>>>;
  readonly n: number;
  /** Objective value (sum of squared residuals in the chosen domain). */
  readonly sse: number;
  /** RMSE and R² of σ⁰ in dB, whatever the residual domain. */
  readonly rmseDb: number;
  readonly r2: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** Starts that ended within 1e-6 (relative) of the best objective: a measure of how well-posed the fit is. */
  readonly startsAgreeing: number;
  readonly startsRun: number;
  readonly atBound: readonly WcmParameterName[];
}

/** Where random starts are drawn (intersected with the bounds): typical C-band magnitudes (spec §3). */
const START_BOX_DB: Readonly<Record<WcmParameterName, readonly [number, number]>> = {
  A: [0.01, 0.3],
  B: [0.05, 1],
  C: [-25, -10],
  D: [5, 40],
  C1: [-0.3, 0],
  E: [0.5, 2],
  F: [0.5, 2],
};
const START_BOX_LINEAR: Readonly<Partial<Record<WcmParameterName, readonly [number, number]>>> = { C: [0.003, 0.1], D: [1, 10] };

/**
 * Fit the WCM to samples by bounded Levenberg–Marquardt from several starts; keep the best.
 *
 * @example
 * ```ts
 * const fit = fitWcm(samples, { form: DEFAULT_FORM, fit: ['A', 'B', 'C', 'D'], initial: { A: 0.05, B: 0.2, C: -15, D: 20, C1: 0, E: 1, F: 1 },
 *   bounds: { A: [0, 1], B: [0, 2], C: [-35, 0], D: [0, 60] }, residuals: 'db', starts: 5, seed: 1 });
 * fit.parameters.D; fit.standardErrors.D; fit.rmseDb;
 * ```
 */
export function fitWcm(samples: WcmSamples, options: WcmFitOptions): WcmFit {
  const names = options.fit;
  const k = names.length;
  const n = samples.sm.length;
  const index = names.map((name) => WCM_PARAMETER_NAMES.indexOf(name));
  const lower = names.map((name) => options.bounds[name]?.[0] ?? -Infinity);
  const upper = names.map((name) => options.bounds[name]?.[1] ?? Infinity);
  const params: Record<WcmParameterName, number> = { ...options.initial };
  const grad = new Float64Array(WCM_PARAMETER_NAMES.length);
  const obsLinear = Float64Array.from(samples.sigmaDb, (d) => Math.pow(10, d / 10));
  const DB = 10 / Math.LN10;

  const problem: LeastSquaresProblem = {
    n,
    k,
    evaluate(p, r, J) {
      for (let j = 0; j < k; j++) params[names[j]] = p[j];
      for (let i = 0; i < n; i++) {
        const total = wcmGradient(params, options.form, samples.v[i], samples.theta[i], samples.sm[i], grad);
        if (options.residuals === 'linear') {
          r[i] = total - obsLinear[i];
          if (J) for (let j = 0; j < k; j++) J[i * k + j] = grad[index[j]];
        } else {
          r[i] = total > 0 ? DB * Math.log(total) - samples.sigmaDb[i] : 1e6;
          if (J) for (let j = 0; j < k; j++) J[i * k + j] = (DB * grad[index[j]]) / total;
        }
      }
    },
  };

  const rng = createRng(options.seed);
  const box = names.map((name, j) => {
    const b = (options.form.soilTerm === 'linear' ? START_BOX_LINEAR[name] : undefined) ?? START_BOX_DB[name];
    return [Math.max(b[0], lower[j]), Math.min(b[1], upper[j])] as const;
  });
  const startCount = Math.max(1, options.starts);
  let best: ReturnType<typeof levenbergMarquardt> | undefined;
  const objectives: number[] = [];
  for (let s = 0; s < startCount; s++) {
    const p0 = s === 0 ? names.map((name) => options.initial[name]) : box.map(([lo, hi]) => lo + (hi - lo) * rng.next());
    const result = levenbergMarquardt(problem, p0, { lower, upper, maxIterations: options.maxIterations ?? 500 });
    objectives.push(result.sse);
    if (!best || result.sse < best.sse) best = result;
  }
  const fit = best!;
  const se = standardErrors(fit.jtj, k, fit.sse, n);
  const parameters: Record<WcmParameterName, number> = { ...options.initial };
  const errors: Partial<Record<WcmParameterName, number>> = {};
  names.forEach((name, j) => {
    parameters[name] = fit.params[j];
    errors[name] = se[j];
  });
  const { rmseDb, r2 } = dbFitStatistics(parameters, options.form, samples);
  return {
    parameters,
    standardErrors: errors,
    n,
    sse: fit.sse,
    rmseDb,
    r2,
    iterations: fit.iterations,
    converged: fit.converged,
    startsAgreeing: objectives.filter((o) => o <= fit.sse * (1 + 1e-6) + 1e-300).length,
    startsRun: startCount,
    atBound: names.filter((_, j) => fit.atBound[j]),
  };
}

/** RMSE (dB) and R² of modelled vs observed σ⁰ in dB. */
export function dbFitStatistics(p: WcmParameters, form: WcmForm, samples: WcmSamples): { rmseDb: number; r2: number } {
  const n = samples.sm.length;
  const grad = new Float64Array(WCM_PARAMETER_NAMES.length);
  let sse = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples.sigmaDb[i] / n;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    const total = wcmGradient(p, form, samples.v[i], samples.theta[i], samples.sm[i], grad);
    const e = (10 * Math.log10(total)) - samples.sigmaDb[i];
    sse += e * e;
    sst += (samples.sigmaDb[i] - mean) ** 2;
  }
  return { rmseDb: Math.sqrt(sse / n), r2: sst > 0 ? 1 - sse / sst : Number.NaN };
}
