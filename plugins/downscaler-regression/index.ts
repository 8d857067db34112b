import { definePlugin, type PluginSpec } from '../../core/index.js';
import { regressionEngineParamProperties, type RegressionEngineParams } from '../../lib/regression-engine/params.js';

/** Parameters of `downscaler:regression` (see `docs/regression-downscaling.md`). */
export interface RegressionDownscalerParams extends RegressionEngineParams {
  readonly regressor: PluginSpec;
}

/**
 * `downscaler:regression` — trains any regressor at the coarse scale (fine predictors aggregated to
 * the coarse grid, pooled over dates), predicts every fine pixel of every date, and redistributes the
 * coarse residual so the product's block means equal the coarse input (default `block`).
 *
 * @example
 * ```json
 * { "uses": "downscaler:regression",
 *   "with": { "coarse": { "$node": "scene", "output": "sm_coarse" }, "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" }, "lst": { "$node": "scene", "output": "lst_1km" } },
 *             "regressor": { "uses": "regressor:rf", "with": { "trees": 200 } },
 *             "residualCorrection": "bilinear-fix", "dateFeatures": "doy", "cv": { "scheme": "blocks" } } }
 * ```
 */
export const regressionDownscaler = definePlugin({
  id: 'downscaler:regression',
  version: '1.1.0',
  title: 'Regression downscaling with residual correction',
  description:
    'Fits a regressor between coarse soil moisture and fine predictors aggregated to the coarse grid, applies it to every fine pixel of every date, and corrects the residual (none, block, bilinear, bilinear-fix, ATPK, ratio). Gap filling of fine predictors, coarse-scale cross validation, coverage and importance tables. With multi-scale anomaly training and the input reference (a fine-scale campaign map over part of the domain), the within-cell refit is trained on the map’s within-cell anomalies.',
  params: {
    type: 'object',
    properties: {
      regressor: {
        'x-plugin-kind': 'regressor',
        type: 'object',
        description: 'The nested regressor plugin: { uses, version?, with }.',
        properties: {
          uses: { type: 'string', pattern: '^regressor:' },
          version: { type: 'string' },
          with: { type: 'object' },
        },
        required: ['uses'],
        additionalProperties: false,
        default: { uses: 'regressor:linear', with: {} },
      },
      ...regressionEngineParamProperties,
    },
    additionalProperties: false,
  },
  async create(params: RegressionDownscalerParams, context) {
    const { createRegressionDownscaler } = await import('../../lib/regression-engine/index.js');
    const regressor = await context.instantiate(params.regressor, 'regressor');
    return createRegressionDownscaler(params, { id: 'downscaler:regression', version: '1.1.0', regressor, learner: params.regressor.uses }, context);
  },
});
