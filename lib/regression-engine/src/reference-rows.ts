import { describeGrid, inputError, isStatic, sameGrid, type Series } from '../../../core/index.js';
import { blockMeans, pixelCells, type BlockLayout } from './block-layout.js';
import { withoutCellMeans } from './multi-scale-table.js';
import { levelRows, subBlocks, type LevelRows, type SubBlocks } from './multi-scale.js';

/**
 * Training the within-cell refit on a fine-scale reference (a campaign map; docs/regression-downscaling.md,
 * "Training the refit on a campaign map"): the reference's within-cell anomalies are the targets the coarse
 * data cannot give.
 */
export interface ReferenceTraining {
  /** `add`: beside the first-pass sub-block rows; `replace`: the refit trains on the reference rows only. */
  readonly rows: 'add' | 'replace';
  /** A cell enters on a date when the reference covers at least this share of its fine pixels. */
  readonly minCellCoverage: number;
  /** At least this many distinct coarse cells must enter (on any date), else an input error. */
  readonly minCells: number;
  /** With `intervals.method` conformal: calibrate the interval at the fine support on out-of-fold predictions of the reference (`reference-intervals.ts`). */
  readonly calibrateIntervals: boolean;
  /** Folds over the reference's cells for those predictions. */
  readonly folds: number;
  /** The reference's own error sd (e.g. a retrieval's), removed from those scores; 0 = none. */
  readonly referenceErrorSd: number;
}

/** The reference as within-cell anomalies on the product's dates, and how much of it enters. */
export interface ReferenceAnomalies {
  /** Per product date: reference − its mean over the cell's covered pixels (NaN where the cell does not enter), or undefined. */
  readonly anomalies: readonly (Float32Array | undefined)[];
  /** Per product date: the reference's mean over each entering cell's covered pixels (NaN for the others), or undefined. */
  readonly cellMeans: readonly (Float64Array | undefined)[];
  /** Distinct coarse cells, cell-dates and pixel-dates that enter. */
  readonly cells: number;
  readonly cellDates: number;
  readonly pixelDates: number;
}

/**
 * Check the reference (dated, on the fine grid, sharing dates with the product, covering enough cells) and
 * turn it into within-cell anomalies: at pixel `p` of cell `V` on date `d`, `ref(p) − mean_{q∈V, ref(q) valid} ref(q)`,
 * for the cells whose covered share is ≥ `minCellCoverage` and whose coarse value exists on that date (the
 * refit's context and its prediction need it). Errors name `where` (the input), the expected and the found.
 */
export function referenceAnomalies(reference: Series, layout: BlockLayout, dates: readonly string[], coarse: readonly ArrayLike<number>[], options: ReferenceTraining, where: string): ReferenceAnomalies {
  if (isStatic(reference)) {
    throw inputError('the fine-scale reference has no dates', { path: where, expected: 'a dated series (one map per campaign date)', found: `static layer '${reference.variable}'` });
  }
  if (!sameGrid(reference.grid, layout.fine)) {
    throw inputError('the fine-scale reference is not on the product’s grid', { path: where, expected: `the fine grid ${describeGrid(layout.fine)}`, found: describeGrid(reference.grid) });
  }
  const shared = dates.map((date) => reference.dates.indexOf(date));
  if (shared.every((r) => r < 0)) {
    throw inputError('the fine-scale reference has no date in common with the coarse input', { path: where, expected: `dates among ${dates[0]} … ${dates[dates.length - 1]} (${dates.length})`, found: `${reference.dates[0]} … ${reference.dates[reference.dates.length - 1]} (${reference.dates.length})` });
  }
  const cellOf = pixelCells(layout);
  const everCell = new Uint8Array(layout.cellPixels.length);
  let cellDates = 0;
  let pixelDates = 0;
  const cellMeans = shared.map((r, d) => {
    if (r < 0) return undefined;
    // The refit's context and its prediction need the cell's coarse value on that date.
    const means = blockMeans(reference.values[r], layout, options.minCellCoverage).map((m, k) => (coarse[d][k] === coarse[d][k] ? m : Number.NaN));
    means.forEach((m, k) => m === m && ((everCell[k] = 1), cellDates++));
    return means;
  });
  const anomalies = cellMeans.map((means, d) => {
    if (!means) return undefined;
    const out = withoutCellMeans(reference.values[shared[d]], means, cellOf);
    out.forEach((v) => v === v && pixelDates++);
    return out;
  });
  const cells = everCell.reduce((a, e) => a + e, 0);
  if (cells < options.minCells) {
    throw inputError('the fine-scale reference covers too few coarse cells to train on', {
      path: where,
      expected: `at least ${options.minCells} (referenceTraining.minCells) coarse cells covered to ≥ ${options.minCellCoverage} (referenceTraining.minCellCoverage) on a date with a coarse value`,
      found: `${cells} cells`,
    });
  }
  return { anomalies, cellMeans, cells, cellDates, pixelDates };
}

/** One sub-block per fine pixel: reference rows are the multi-scale rows of side 1. */
export const pixelBlocks = (layout: BlockLayout): SubBlocks => subBlocks(layout, 1);

/**
 * One date's reference rows: per reference pixel with every predictor valid, the predictors' within-cell
 * anomalies (value − the cell's coarse aggregate, as the sub-block rows of `levelRows`) and the reference
 * anomaly as target.
 */
export function referenceRows(pixels: SubBlocks, arrays: readonly ArrayLike<number>[], anomaly: Float32Array, coarseFeatures: readonly ArrayLike<number>[]): LevelRows {
  // The target is already an anomaly (relative to the reference's own cell mean, not to the coarse value).
  const zero = new Float64Array(pixels.parent.length ? pixels.parent[pixels.parent.length - 1] + 1 : 0);
  return levelRows(pixels, arrays, anomaly, 0, { coarseFeatures, coarseTarget: zero });
}
