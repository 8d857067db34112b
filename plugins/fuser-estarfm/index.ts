import { definePlugin } from '../../core/index.js';
import type { EstarfmParams } from './src/fuser.js';

export type { EstarfmParams } from './src/fuser.js';

/**
 * `fuser:estarfm` — ESTARFM spatiotemporal fusion (Zhu et al. 2010): a daily coarse series plus fine
 * images on some dates → the fine series on every coarse date. Multi-band or single-band; classic or
 * FAST (most similar pixels only); `compat: "zhu2018"` reproduces the author's 2018 release exactly
 * (quirks included), the default treats nodata properly (see `docs/estarfm.md`).
 *
 * @example
 * ```ts
 * const estarfm = await estarfmFuser.create({ halfWindow: 15 }, context);
 * const dates = smDaily1km.dates.slice(0, 6); // default: every coarse date
 * const { product, tables } = await estarfm.fuse({ coarse: [smDaily1km], fine: [smSentinel30m], dates });
 * // product[0]: daily 30 m SM; tables.pairs: base dates used per day and any fallback
 * ```
 */
export const estarfmFuser = definePlugin({
  id: 'fuser:estarfm',
  version: '1.1.0',
  title: 'ESTARFM spatiotemporal fusion',
  description:
    'Enhanced Spatial and Temporal Adaptive Reflectance Fusion Model (Zhu et al. 2010). For each target date it takes the nearest fine+coarse base pair before and after, finds spectrally similar pixels in a moving window, and adds their weighted, regression-converted coarse change to the fine images. Outside the pairs\' span or with a single pair it falls back explicitly (outsideSpan). Coarse series on a coarser grid are resampled to the fine grid first.',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      compat: {
        enum: ['default', 'zhu2018'],
        default: 'default',
        description: 'zhu2018: reproduce the 2018 IDL release (background in thresholds, band-0 validity, invalid pixels 0, block-wise processing). default: NaN/background excluded from all statistics and written as nodata.',
      },
      variant: { enum: ['classic', 'fast'], default: 'classic', description: 'fast: ESTARFM_FAST, only the `similarPixels` most similar pixels per window.' },
      halfWindow: { type: 'integer', minimum: 1, default: 25, description: 'Half window w; the window is (2w+1)² fine pixels.' },
      numClasses: { type: 'number', exclusiveMinimum: 0, default: 4, description: 'Similarity threshold = std(fine)·2/numClasses.' },
      dnMin: { type: 'number', description: 'Lower bound of valid values (default: the physical range of the variable, e.g. 0 for sm).' },
      dnMax: { type: 'number', description: 'Upper bound of valid values; 0.02·dnMax gates the regression (default: physical range, e.g. 0.6 for sm; 10000 for unknown variables).' },
      background: { type: 'number', default: -9999, description: 'Nodata value in the inputs besides NaN.' },
      blockSize: { type: 'integer', minimum: 1, default: 500, description: 'zhu2018 only: independent blocks (thresholds per block, windows clipped at block edges).' },
      similarPixels: { type: 'integer', minimum: 6, default: 20, description: 'variant fast: similar pixels kept per window.' },
      coarseResample: {
        enum: ['bilinear', 'nearest', 'bicubic'],
        default: 'bilinear',
        description: 'How a coarse series on a coarser grid is brought to the fine grid (the reference data use a smooth interpolation).',
      },
      outsideSpan: {
        enum: ['nearest-two', 'nearest-one', 'nodata'],
        default: 'nearest-two',
        description: 'Targets before the first or after the last base pair: two nearest pairs on that side, the nearest pair alone (single-pair prediction), or nodata. With one usable pair, nearest-two acts as nearest-one.',
      },
      minPairCoverage: { type: 'number', minimum: 0, maximum: 1, default: 0.5, description: 'A fine date is a usable base pair when at least this fraction of its fine and coarse pixels are valid.' },
      truncate: { type: 'boolean', default: false, description: 'Truncate predictions toward zero, as the reference does for integer inputs (IDL FIX).' },
      tileSize: { type: 'integer', minimum: 16, description: 'Deprecated and ignored (a warning says so): the fusion runs on the run\'s tiles (`--tile-size`).' },
    },
  },
  async create(params: EstarfmParams, context) {
    const { estarfmFuser: make } = await import('./src/fuser.js');
    return make(params, context);
  },
});
