/**
 * Shared by the baseline downscalers `downscaler:nearest` and `downscaler:bilinear` (a library, not a
 * plugin): the coarse series resampled to the fine target grid.
 */
import {
  downscaleCoarse,
  downscaleTarget,
  isStatic,
  resampleSeries,
  type DownscaleInput,
  type DownscaleResult,
  type Downscaler,
  type PluginContext,
} from '../../core/index.js';

/** A downscaler that only resamples the coarse series to the target grid (a baseline). */
export function createResampleDownscaler(method: 'nearest' | 'bilinear', context: PluginContext): Downscaler {
  const id = `downscaler:${method}`;
  return {
    async downscale(input: DownscaleInput): Promise<DownscaleResult> {
      const grid = downscaleTarget(input, id);
      const coarse = downscaleCoarse(input, id);
      if (isStatic(coarse)) context.logger.warn(`${id}: the coarse series is static; the product is one map`);
      const product = resampleSeries(coarse, grid, method);
      const notes: string[] = [];
      let outside = 0;
      const coarseNaN = coarse.values[0].every((v) => Number.isNaN(v));
      const first = product.values[0];
      for (let i = 0; i < first.length; i++) if (Number.isNaN(first[i])) outside++;
      if (outside > 0 && !coarseNaN) {
        notes.push(`${outside} of ${first.length} fine pixels on the first date are NaN (outside the coarse extent or under coarse nodata)`);
      }
      return { product, notes };
    },
  };
}
