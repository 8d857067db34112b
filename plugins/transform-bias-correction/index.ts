import { definePlugin, stationFilterParams, type StationFilter } from '../../core/index.js';

/** Parameters of `transform:bias-correction` (and the station filter: `flags`, `depthMax`). */
export interface BiasCorrectionParams extends StationFilter {
  readonly radius: number;
  readonly folds: number;
  readonly ridge: number;
  readonly seed: number | null;
}

/**
 * `transform:bias-correction` — point-to-area calibration of a downscaled product with in-situ
 * stations: a regression of the station values on the product's neighbourhood (pixel value, window
 * mean and spread), optionally fine-tuned from a model pre-trained on other stations (ridge shrinkage
 * towards its coefficients). Judged by leave-stations-out cross validation (`tables.loso`).
 *
 * @example
 * ```json
 * "corrected": { "uses": "transform:bias-correction",
 *   "with": { "product": { "$node": "downscale", "output": "product" }, "stations": { "$node": "scene", "output": "stations" }, "radius": 1, "folds": 5 } }
 * ```
 */
export const biasCorrectionTransform = definePlugin({
  id: 'transform:bias-correction',
  version: '1.0.0',
  title: 'In-situ bias correction (point-to-area)',
  description:
    'Calibrates a product to in-situ stations by regressing station values on the product neighbourhood around each station (value, window mean, window std), ' +
    'optionally fine-tuned from a pre-trained model (transfer learning: ridge shrinkage towards its coefficients). Leave-stations-out k-fold CV per fold and station.',
  inputs: {
    product: { type: 'series', required: true, description: 'the product to correct' },
    stations: { type: 'stations', required: true, description: 'in-situ stations' },
    pretrained: { type: 'model', required: false, description: 'a model saved by this plugin on other stations, to fine-tune' },
  },
  outputs: {
    product: { type: 'series', description: 'the corrected product' },
    model: { type: 'model', description: 'the calibration fitted on all stations' },
  },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      radius: { type: 'integer', minimum: 0, maximum: 10, default: 1, description: 'Window half-width in product pixels around each station.' },
      folds: { type: 'integer', minimum: 2, default: 5, description: 'Leave-stations-out folds (stations per fold ≈ stations/folds).' },
      ridge: { type: 'number', minimum: 0, default: 0.01, description: 'Shrinkage λ (relative to the feature variance) towards 0, or towards the pre-trained coefficients.' },
      seed: { type: ['integer', 'null'], default: null, description: 'Seed of the fold assignment; null takes the run seed.' },
      ...stationFilterParams,
    },
  },
  async create(params: BiasCorrectionParams, context) {
    const { createBiasCorrection } = await import('./src/bias-correction.js');
    return createBiasCorrection(params, context);
  },
});
