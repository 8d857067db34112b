import { makeSeries, type Series } from '../../../core/index.js';
import { pixelCells, type BlockLayout } from './block-layout.js';

/**
 * Cell-context columns of an anomaly model (`multiScale.context`): every predictor's coarse-cell mean
 * (`<name>_cell`) and the coarse target of the cell (`coarse_cell`), so the within-cell relation can depend
 * on the cell's state — a dry cell's sub-grid contrast is not a wet cell's (as DisPATCh evaluates ∂SM/∂SEE at
 * the coarse SM). Only for the refit: the coarse first pass would be given its own target.
 */
export const cellContextNames = (names: readonly string[]): string[] => [...names.map((n) => `${n}_cell`), 'coarse_cell'];

/** The context values of a sub-block row whose parent is cell `k`: the predictors' coarse means, then the coarse target. */
export function cellContextRow(coarseFeatures: readonly ArrayLike<number>[], coarseTarget: ArrayLike<number>, k: number): number[] {
  return [...coarseFeatures.map((a) => a[k]), coarseTarget[k]];
}

/**
 * The context columns as fine series for the prediction stage, which takes every column as a predictor minus
 * a coarse reference: each coarse series (the predictors' cell means, then the coarse target) broadcast to its
 * cells' fine pixels (NaN outside the coarse grid), with a reference of zeros so it enters unchanged.
 */
export function cellContextSeries(coarseSeries: readonly Series[], layout: BlockLayout): { fine: Series[]; reference: Series[] } {
  const cellOf = pixelCells(layout);
  const broadcast = (values: ArrayLike<number>) => Float32Array.from(cellOf, (k) => (k >= 0 ? values[k] : Number.NaN));
  const fine = coarseSeries.map((s) => makeSeries({ variable: `${s.variable}_cell`, grid: layout.fine, dates: s.dates, values: s.values.map(broadcast), unit: s.unit }));
  const zeros = makeSeries({ variable: 'zero', grid: layout.coarse, dates: [], values: [new Float32Array(layout.coarse.width * layout.coarse.height)] });
  return { fine, reference: coarseSeries.map(() => zeros) };
}
