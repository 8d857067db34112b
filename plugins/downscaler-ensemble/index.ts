import { definePlugin, stationFilterParams, type PluginSpec } from '../../core/index.js';
import { regressionEngineParamProperties, type RegressionEngineParams } from '../../lib/regression-engine/params.js';
import type { StackingOptions } from './src/stacking.js';
import type { StationFilter } from './src/station-stacking.js';

/** Parameters of `downscaler:ensemble` (see `docs/ensembles.md`). */
export interface EnsembleDownscalerParams extends RegressionEngineParams {
  /** The learners, by name: `{ "rf": { "uses": "regressor:rf", "with": {…} }, "lin": { "uses": "regressor:linear" } }` (each a {@link PluginSpec}, checked by the schema). */
  readonly learners: Readonly<Record<string, unknown>>;
  readonly stacking: StackingOptions & StationFilter & { readonly scale: 'coarse' | 'stations' };
}

const learnerSpec = {
  type: 'object',
  properties: { uses: { type: 'string', pattern: '^regressor:' }, version: { type: 'string' }, with: { type: 'object' } },
  required: ['uses'],
  additionalProperties: false,
} as const;

/**
 * `downscaler:ensemble` — a stacked ensemble of regressors inside the regression downscaling engine.
 * `stacking.scale: coarse`: every learner's out-of-fold predictions at the coarse scale on the engine's
 * CV folds, non-negative stacking weights (the `weights` table), the learners refitted on all rows, and
 * one residual correction of the combined prediction. `stacking.scale: stations`: every learner is a
 * whole engine run, weighted by the stations' within-cell anomalies (the scale of the product).
 * Partition it like any downscaler (weights per part).
 *
 * @example
 * ```json
 * { "uses": "downscaler:ensemble",
 *   "with": { "coarse": { "$node": "scene", "output": "sm_coarse" }, "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" } },
 *             "learners": { "rf": { "uses": "regressor:rf" }, "gbdt": { "uses": "regressor:gbdt" }, "lin": { "uses": "regressor:linear" } },
 *             "cv": { "scheme": "blocks", "blockSize": 2 }, "intervals": { "method": "conformal" } } }
 * ```
 */
export const ensembleDownscaler = definePlugin({
  id: 'downscaler:ensemble',
  version: '1.1.0',
  title: 'Stacked ensemble of regressors with residual correction',
  description:
    'Stacks any set of regressors: at the coarse scale (out-of-fold predictions on the cross-validation folds, non-negative least-squares or ridge weights, learners refitted on all rows, then the regression downscaler’s fine prediction, residual correction once on the ensemble and optional conformal intervals), or at the scale of the product (each learner a whole regression-downscaler run, weights fitted on the in-situ stations’ within-cell anomalies).',
  params: {
    type: 'object',
    properties: {
      learners: {
        type: 'object',
        description: 'The stacked regressors by name: { name: { uses: "regressor:…", with } } (at least two).',
        additionalProperties: learnerSpec,
        minProperties: 2,
        default: { linear: { uses: 'regressor:linear' }, rf: { uses: 'regressor:rf', with: { trees: 100 } }, gbdt: { uses: 'regressor:gbdt' } },
      },
      stacking: {
        type: 'object',
        description: 'nnls: non-negative least squares on the out-of-fold predictions (Lawson–Hanson); ridge: ridge regression (weights may be negative).',
        properties: {
          method: { enum: ['nnls', 'ridge'], default: 'nnls' },
          ridge: { type: 'number', minimum: 0, default: 0.01, description: 'ridge: penalty relative to the mean squared out-of-fold prediction.' },
          scale: {
            enum: ['coarse', 'stations'],
            default: 'coarse',
            description:
              'Where the weights are fitted. coarse: on the learners’ out-of-fold predictions of the coarse training rows (one engine run around the stacked learner). stations: at the scale of the product — every learner runs the whole engine as its own downscaler (own first pass and multi-scale refit), weights on the within-cell anomalies (value − coarse value) of the stations (the stations input; more stations than learners); product = coarse + Σ w·(member − coarse). No conformal intervals then (calibrate on the stations with transform:interval-calibration).',
          },
          ...stationFilterParams,
        },
        additionalProperties: false,
        default: {},
      },
      ...regressionEngineParamProperties,
    },
    additionalProperties: false,
  },
  async create(params: EnsembleDownscalerParams, context) {
    const { createEnsembleDownscaler } = await import('./src/ensemble-downscaler.js');
    return createEnsembleDownscaler(params, context);
  },
});
