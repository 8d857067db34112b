import { definePlugin } from '../../core/index.js';

/** Parameters of `validator:tch`. */
export interface TchParams {
  /** Fewest common dates for a pixel's uncertainty (and the pooled estimate); below → NaN. */
  readonly minSamples: number;
  /** Produce the per-pixel uncertainty maps. */
  readonly maps: boolean;
  /** Also run triple collocation (on the 3 products, or on every triplet when there are more). */
  readonly tripleCollocation: boolean;
  /** Subtract each pixel's temporal mean per product before pooling, so spatial offsets do not count as error. */
  readonly pooledAnomalies: boolean;
}

/**
 * `validator:tch` — three-cornered hat (N-cornered hat, constrained solution of tch.md) and triple
 * collocation across ≥ 3 products of one variable on one grid, without a reference.
 *
 * @example
 * ```ts
 * const tch = await tchValidator.create({ minSamples: 30, maps: true, tripleCollocation: true, pooledAnomalies: true }, context);
 * const { tables, maps } = await tch.validate({ product: smap, products: { smap, ascat, era5 } });
 * tables.tch.rows; // product, errorStd, relativeUncertainty, btchWeight, …
 * ```
 */
export const tchValidator = definePlugin({
  id: 'validator:tch',
  version: '1.0.0',
  title: 'Three-cornered hat and triple collocation',
  description:
    'Error variance of each of N ≥ 3 products without a reference: N-cornered hat (Tavella & Premoli; constrained solution, solved exactly) pooled over all pixel-dates and per pixel over time (uncertainty maps), plus classical triple collocation (error std, scaling, SNR, ETC correlation). Dates are intersected; only pixel-dates valid in every product are used.',
  params: {
    type: 'object',
    properties: {
      minSamples: { type: 'integer', minimum: 4, default: 30, description: 'Fewest common dates for an estimate (pixels with fewer are NaN in the maps).' },
      maps: { type: 'boolean', default: true, description: 'Produce one static error-std map per product.' },
      tripleCollocation: { type: 'boolean', default: true, description: 'Also run triple collocation (each triplet when N > 3).' },
      pooledAnomalies: {
        type: 'boolean',
        default: true,
        description: "Pooled estimate on each pixel's temporal anomalies (spatial offsets between products are not counted as error).",
      },
    },
    additionalProperties: false,
  },
  inputs: {
    products: { type: 'series{}', required: true, description: 'three or more products on one grid, keyed by name' },
  },
  outputs: {
    tch: { type: 'records', description: 'per product: error variance and std, relative uncertainty (%), BTCH weight, median per-pixel std' },
    tripleCollocation: { type: 'records', description: 'per product (and triplet): error std native and scaled to the first product, β, SNR (dB), ETC R' },
    maps: { type: 'series{}', description: 'per product: static map of the per-pixel TCH error std' },
  },
  async create(params: TchParams, context) {
    const { createTchValidator } = await import('./src/tch-validator.js');
    return createTchValidator(params, context);
  },
});
