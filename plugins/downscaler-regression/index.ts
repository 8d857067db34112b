import { definePlugin, type DateFeatureMode, type PluginSpec } from '../../core/index.js';
import type { CovarianceModel } from './src/residual/atpk.js';
import type { ResidualMethod, ResidualType } from './src/residual/correct.js';
import type { GapFill } from './src/predictor-alignment.js';

/** Parameters of `downscaler:regression` (see `docs/regression-downscaling.md`). */
export interface RegressionDownscalerParams {
  readonly regressor: PluginSpec;
  readonly residualCorrection: ResidualMethod;
  readonly residualType: ResidualType;
  readonly atpk: {
    readonly model: CovarianceModel;
    /** Point-support scale parameter in coarse cells; 0 = deconvolve it from the coarse residual variogram. */
    readonly range: number;
    readonly radius: number;
    readonly kriging: 'ordinary' | 'simple';
    readonly discretisation: number;
    readonly lattice: number;
  };
  readonly dateFeatures: DateFeatureMode;
  readonly minValidFraction: number;
  readonly gapFill: GapFill;
  readonly maxGapDays: number;
  readonly climatologyWindowDays: number;
  readonly dateToleranceDays: number;
  readonly cv: { readonly scheme: 'none' | 'kfold' | 'dates' | 'blocks'; readonly folds: number; readonly blockSize: number };
  readonly importance: boolean;
  readonly maskCoarseGaps: boolean;
  /** Fine pixels per prediction tile (rows of the prediction table built at once). */
  readonly tilePixels: number;
  readonly seed?: number;
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
  version: '1.0.0',
  title: 'Regression downscaling with residual correction',
  description:
    'Fits a regressor between coarse soil moisture and fine predictors aggregated to the coarse grid, applies it to every fine pixel of every date, and corrects the residual (none, block, bilinear, bilinear-fix, ATPK, ratio). Gap filling of fine predictors, coarse-scale cross validation, coverage and importance tables.',
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
      residualCorrection: {
        enum: ['none', 'block', 'bilinear', 'bilinear-fix', 'atpk', 'ratio'],
        default: 'block',
        description: 'Coarse→fine residual operator. block, bilinear-fix, atpk and ratio conserve the coarse mean (with the conservation residual); bilinear and none do not.',
      },
      residualType: {
        enum: ['conservation', 'model'],
        default: 'conservation',
        description: 'conservation: Z_C − mean(Ẑ_F) (mass-conserving); model: Z_C − f(X_C) (regression kriging; not conserving for non-linear f).',
      },
      atpk: {
        type: 'object',
        description: 'Area-to-point kriging of the residuals.',
        properties: {
          model: { enum: ['exponential', 'gaussian', 'spherical'], default: 'exponential' },
          range: { type: 'number', minimum: 0, default: 0, description: 'Point covariance scale in coarse cells; 0 = deconvolved from the residual variogram.' },
          radius: { type: 'integer', minimum: 0, maximum: 4, default: 2, description: 'Neighbourhood half-width in coarse cells.' },
          kriging: { enum: ['ordinary', 'simple'], default: 'ordinary' },
          discretisation: { type: 'integer', minimum: 1, maximum: 32, default: 10, description: 'Max block discretisation points per axis.' },
          lattice: { type: 'integer', minimum: 1, maximum: 64, default: 16, description: 'Max distinct in-block weight positions per axis.' },
        },
        additionalProperties: false,
        default: {},
      },
      dateFeatures: { enum: ['none', 'doy', 'season'], default: 'none', description: 'Calendar features added to every row: day of year as sin/cos, or one-hot season.' },
      minValidFraction: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'A coarse cell enters training only when at least this fraction of its fine pixels is valid for every predictor.' },
      gapFill: { enum: ['interpolate', 'climatology', 'none'], default: 'interpolate', description: 'How NaN pixels of temporal predictors are filled.' },
      maxGapDays: { type: 'number', minimum: 0, default: 16, description: 'interpolate: farthest observation used, in days.' },
      climatologyWindowDays: { type: 'number', minimum: 0, default: 15, description: 'climatology: ± window in days of year.' },
      dateToleranceDays: { type: 'number', minimum: 0, default: 4, description: 'A predictor date this close to a coarse date stands in for it.' },
      cv: {
        type: 'object',
        description: 'Cross validation at the coarse scale.',
        properties: {
          scheme: { enum: ['none', 'kfold', 'dates', 'blocks'], default: 'kfold' },
          folds: { type: 'integer', minimum: 2, default: 5 },
          blockSize: { type: 'integer', minimum: 1, default: 4, description: 'blocks: spatial block side in coarse cells.' },
        },
        additionalProperties: false,
        default: {},
      },
      importance: { type: 'boolean', default: true, description: 'Report feature importance (the regressor’s own, else permutation %IncMSE at the coarse scale).' },
      maskCoarseGaps: { type: 'boolean', default: true, description: 'Fine pixels of coarse cells without a value are NaN.' },
      tilePixels: { type: 'integer', minimum: 1024, default: 262144, description: 'Fine pixels per prediction tile.' },
      seed: { type: 'integer', description: 'Seed for CV folds and permutations; default the run seed.' },
    },
    additionalProperties: false,
  },
  async create(params: RegressionDownscalerParams, context) {
    const { createRegressionDownscaler } = await import('./src/regression-downscaler.js');
    return createRegressionDownscaler(params, context);
  },
});
