import { definePlugin } from '../../core/index.js';

/** `downscaler:bilinear` takes no parameters. */
export type BilinearParams = Record<string, never>;

/**
 * `downscaler:bilinear` — the smooth no-skill baseline: the coarse soil moisture interpolated
 * bilinearly between coarse pixel centres onto the fine grid (edges replicate the outermost coarse
 * pixels; NaN neighbours are left out and the weights renormalised).
 *
 * @example
 * ```ts
 * const bilinear = await bilinearDownscaler.create({}, context);
 * const { product } = await bilinear.downscale({ coarse: smCoarse, predictors: { ndvi } });
 * ```
 */
export const bilinearDownscaler = definePlugin({
  id: 'downscaler:bilinear',
  version: '1.0.0',
  title: 'Bilinear resampling (baseline)',
  description:
    'No-skill baseline: the coarse soil moisture interpolated bilinearly between coarse pixel centres onto the fine target grid (edge pixels replicated, NaN neighbours skipped with renormalised weights). Target grid: `target`, else the grid of the predictors.',
  params: { type: 'object', properties: {}, additionalProperties: false },
  async create(_params: BilinearParams, context) {
    const { createResampleDownscaler } = await import('../../lib/resample-baseline/resample-downscaler.js');
    return createResampleDownscaler('bilinear', context);
  },
});
