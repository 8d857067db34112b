import { definePlugin } from '../../core/index.js';

/** Parameters of `downscaler:resnet`. */
export interface ResnetParams {
  readonly patchSize: number;
  readonly patchStride: number;
  readonly filters: number;
  readonly blocks: number;
  readonly kernelSize: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly l2: number;
  readonly validationFraction: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly minValidFraction: number;
  readonly dateToleranceDays: number;
  readonly residualCorrection: 'block' | 'none';
  readonly maskCoarseGaps: boolean;
  readonly tileSize: number;
  readonly seed: number | null;
}

/**
 * `downscaler:resnet` — a patch-based residual CNN over the stacked predictor rasters: trained on
 * coarse patches (predictors aggregated to the coarse grid) with a masked loss that ignores coarse
 * pixels without a value, then applied fully-convolutionally to the fine predictors in tiles, with an
 * optional block residual correction so the product's block means equal the coarse input.
 *
 * @example
 * ```json
 * { "uses": "downscaler:resnet",
 *   "with": { "coarse": { "$node": "scene", "output": "sm_coarse" }, "predictors": { "ndvi": { "$node": "scene", "output": "ndvi_1km" }, "lst": { "$node": "scene", "output": "lst_1km" }, "dem": { "$node": "scene", "output": "dem_1km" } },
 *             "blocks": 2, "filters": 16, "epochs": 40 } }
 * ```
 */
export const resnetDownscaler = definePlugin({
  id: 'downscaler:resnet',
  version: '1.0.0',
  title: 'Residual CNN downscaling',
  description:
    'Patch-based convolutional network with residual blocks over the stacked predictors, trained at the coarse scale with a masked loss (invalid coarse pixels ignored), ' +
    'applied at the fine scale in tiles (TensorFlow.js, WebAssembly backend); block residual correction conserves the coarse mean. Deterministic from the seed.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      patchSize: { type: 'integer', minimum: 2, default: 8, description: 'Training patch side in coarse pixels (clipped to the grid).' },
      patchStride: { type: 'integer', minimum: 1, default: 4, description: 'Step between patch origins in coarse pixels.' },
      filters: { type: 'integer', minimum: 1, default: 16, description: 'Channels of the convolutions.' },
      blocks: { type: 'integer', minimum: 0, maximum: 16, default: 2, description: 'Residual blocks (two 3×3 convolutions and a skip each).' },
      kernelSize: { type: 'integer', minimum: 1, maximum: 7, default: 3, description: 'Convolution kernel side (odd).' },
      epochs: { type: 'integer', minimum: 1, default: 40 },
      batchSize: { type: 'integer', minimum: 1, default: 16, description: 'Patches per batch.' },
      learningRate: { type: 'number', exclusiveMinimum: 0, default: 0.003 },
      l2: { type: 'number', minimum: 0, default: 0 },
      validationFraction: { type: 'number', minimum: 0, maximum: 0.9, default: 0.15, description: 'Patches held out (seeded) for early stopping.' },
      patience: { type: 'integer', minimum: 1, default: 8 },
      minDelta: { type: 'number', minimum: 0, default: 0.001 },
      minValidFraction: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'A coarse predictor cell needs this share of valid fine pixels.' },
      dateToleranceDays: { type: 'number', minimum: 0, default: 4, description: 'A predictor date this close to a coarse date stands in for it.' },
      residualCorrection: { enum: ['block', 'none'], default: 'block', description: 'block: add the coarse residual of each cell (conserves the coarse mean).' },
      maskCoarseGaps: { type: 'boolean', default: true, description: 'With block correction: fine pixels of coarse cells without a value are NaN.' },
      tileSize: { type: 'integer', minimum: 16, default: 256, description: 'Fine pixels per tile side at prediction.' },
      seed: { type: ['integer', 'null'], default: null, description: 'Random seed; null takes the run seed.' },
    },
  },
  async create(params: ResnetParams, context) {
    const { createResnetDownscaler } = await import('./src/resnet-downscaler.js');
    return createResnetDownscaler(params, context);
  },
});
