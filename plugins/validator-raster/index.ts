import { definePlugin } from '../../core/index.js';

/** Parameters of `validator:raster`. */
export interface RasterValidatorParams {
  /** Coarse grid for the sub-grid and consistency checks when no `coarse` input is given: product pixels per coarse cell side. */
  readonly coarseFactor?: number;
  /** Share of valid fine pixels needed when aggregating a finer reference (or the product, for consistency). */
  readonly minValidFraction: number;
  /** Fewest pairs for a per-date row's metrics (fewer → empty metrics). */
  readonly minPairs: number;
}

/**
 * `validator:raster` — a product against a gridded reference (e.g. synthetic truth or a fine
 * reference map): overall and per-date metrics, sub-grid skill (the detail downscaling adds within
 * each coarse cell) and mass conservation against the coarse input.
 *
 * @example
 * ```ts
 * const v = await rasterValidator.create({ minValidFraction: 0.5, minPairs: 10, coarseFactor: 10 }, context);
 * const { tables } = await v.validate({ product, reference: truth, coarse: smCoarse });
 * tables.summary.rows[0].ubrmse; tables.subgrid.rows; tables.consistency.rows;
 * ```
 */
export const rasterValidator = definePlugin({
  id: 'validator:raster',
  version: '1.3.1',
  title: 'Validation against a reference raster',
  description:
    'Metrics of a product against a reference series on the same grid (a finer reference is aggregated to the product grid): overall and per date, sub-grid anomaly correlation and ubRMSE within coarse cells, and the block-mean consistency with the coarse input. Dates are matched exactly. Runs tile by tile (partial sums, identical for any tiling). Spearman ρ and KL rank every pair up to 1 M (pooled) or 20 000 (per date), beyond that about one pair in ⌈n / limit⌉, chosen by a hash of its pixel and date; every other metric uses every pair.',
  params: {
    type: 'object',
    properties: {
      coarseFactor: { type: 'integer', minimum: 2, description: 'Product pixels per coarse cell side, when no `coarse` input gives the coarse grid.' },
      minValidFraction: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'Share of valid fine pixels needed for a block mean (aggregating the reference or the product).' },
      minPairs: { type: 'integer', minimum: 3, default: 10, description: 'Fewest valid pairs for a per-date row to carry metrics.' },
    },
    additionalProperties: false,
  },
  inputs: {
    product: { type: 'series', required: true, description: 'the product to validate (e.g. downscaled SM)' },
    reference: { type: 'series', required: true, description: 'reference on the product grid or a finer grid nesting in it' },
    coarse: { type: 'series', required: false, description: 'the coarse input, for sub-grid and consistency checks' },
    lower: { type: 'series', required: false, description: 'lower bound of the product’s prediction interval (with upper: coverage and width)' },
    upper: { type: 'series', required: false, description: 'upper bound of the product’s prediction interval' },
  },
  outputs: {
    summary: { type: 'records', description: 'metrics over all pixel-dates' },
    perDate: { type: 'records', description: 'metrics per date' },
    subgrid: { type: 'records', description: 'R and ubRMSE of within-coarse-cell anomalies, pooled and per date' },
    consistency: { type: 'records', description: 'block mean of the product vs the coarse product: mean/max absolute error per date' },
    intervals: { type: 'records', description: 'coverage of the reference by the interval [lower, upper] and its mean width, pooled and per date (when lower/upper are given)' },
  },
  async create(params: RasterValidatorParams, context) {
    const { createRasterValidator } = await import('./src/raster-validator.js');
    return createRasterValidator(params, context);
  },
});
