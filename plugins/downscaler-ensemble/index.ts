import { definePlugin, type PluginSpec } from '../../core/index.js';
import { regressionEngineParamProperties, type RegressionEngineParams } from '../../lib/regression-engine/params.js';

/** Parameters of `downscaler:ensemble` (see `docs/ensembles.md`). */
export interface EnsembleDownscalerParams extends RegressionEngineParams {
  /** The learners, by name: `{ "rf": { "uses": "regressor:rf", "with": {…} }, "lin": { "uses": "regressor:linear" } }` (each a {@link PluginSpec}, checked by the schema). */
  readonly learners: Readonly<Record<string, unknown>>;
  readonly stacking: { readonly method: 'nnls' | 'ridge'; readonly ridge: number };
}

const learnerSpec = {
  type: 'object',
  properties: { uses: { type: 'string', pattern: '^regressor:' }, version: { type: 'string' }, with: { type: 'object' } },
  required: ['uses'],
  additionalProperties: false,
} as const;

/**
 * `downscaler:ensemble` — a stacked ensemble of regressors inside the regression downscaling engine:
 * every learner's out-of-fold predictions at the coarse scale on the engine's CV folds, non-negative
 * stacking weights (the `weights` table), the learners refitted on all rows, and one residual
 * correction of the combined prediction. Partition it like any downscaler (weights per part).
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
  version: '1.0.0',
  title: 'Stacked ensemble of regressors with residual correction',
  description:
    'Stacks any set of regressors at the coarse scale: out-of-fold predictions on the cross-validation folds (kfold, dates or spatial blocks), non-negative least-squares (or ridge) weights, learners refitted on all rows, then the regression downscaler’s fine prediction, residual correction (once, on the ensemble) and optional conformal intervals.',
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
