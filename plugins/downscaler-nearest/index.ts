import { definePlugin } from '../../core/index.js';

/** `downscaler:nearest` takes no parameters. */
export type NearestParams = Record<string, never>;

/**
 * `downscaler:nearest` — the no-skill baseline: each fine pixel takes the value of the coarse pixel
 * containing its centre (every coarse value copied to its block). Any downscaling method should beat it.
 *
 * @example
 * ```ts
 * const nearest = await nearestDownscaler.create({}, context);
 * const { product } = await nearest.downscale({ coarse: smCoarse, predictors: {}, target: fineGrid });
 * ```
 */
export const nearestDownscaler = definePlugin({
  id: 'downscaler:nearest',
  version: '1.0.0',
  title: 'Nearest-neighbour resampling (baseline)',
  description:
    'No-skill baseline: the coarse soil moisture resampled to the fine target grid by nearest neighbour, so each coarse value fills its block. Target grid: `target`, else the grid of the predictors.',
  params: { type: 'object', properties: {}, additionalProperties: false },
  async create(_params: NearestParams, context) {
    const { createResampleDownscaler } = await import('../../lib/resample-baseline/resample-downscaler.js');
    return createResampleDownscaler('nearest', context);
  },
});
