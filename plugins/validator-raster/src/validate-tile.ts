/**
 * `validator:raster` tile by tile: two summary stages over the product grid, every date of a tile at once.
 *
 * 1. `totalsTile`: per matched date, the first-pass sums of the pairs (core/metrics/pair-sums.ts: counts,
 *    Σe, Σo, Σ|e − o|, …) and the raw moments of their within-coarse-cell anomalies (means ≈ 0: no second
 *    pass needed), the interval totals and the consistency errors' totals.
 * 2. `centredTile`, given each set's means and the sample rates from 1.: the sums centred on those means
 *    (variances, covariance, ubRMSE, Willmott's denominator) and the pairs sampled for Spearman ρ and KL,
 *    packed as binary (./rank-sample.ts).
 *
 * Why two passes of exact sums rather than one pass merging tiles' means and co-moments (Chan et al.):
 * a float merge depends on the grouping, so the tables would change in their last bits with the tile
 * size or the executor; sums that are plain within fixed row segments and exact across them are the
 * same bits for any tiling, and the second pass is what the whole-raster code did anyway (centred sums,
 * no cancellation) and what Willmott's |e − ō| needs.
 *
 * Tiles hold whole coarse cells and whole segments (`align`), so cell means, block means and segment
 * sums are the whole raster's.
 */
import { aggregateToGrid, CentredSumsAccumulator, centredSumsToJson, checkNesting, ExactSum, exactToJson, PairTotalsAccumulator, pairTotalsToJson, type Grid, type Nesting, type PairTotalsJson, type PixelWindow, type TileArgs, type TileResult } from '../../../core/index.js';
import { workerTask } from '../../../core/kernel.js';
import { encodeDateSample } from './rank-sample.js';

/** One matched date: the indexes of the product, reference and (when given) interval bound images it compares. */
export interface MatchedDate {
  readonly product: number;
  readonly reference: number;
  readonly lower?: number;
  readonly upper?: number;
}

export interface ValidateTileParams {
  /** The matched dates this stage validates: `dateOffset` onwards in the validation's matched dates. */
  readonly matched: readonly MatchedDate[];
  readonly dateOffset: number;
  /** The coarse grid of the sub-grid anomalies. */
  readonly coarseGrid?: Grid;
  /** Product image ↔ coarse image of the consistency check (every product date with a coarse image). */
  readonly consistency: readonly { readonly product: number; readonly coarse: number }[];
  readonly minValidFraction: number;
  /** Pixels of a row summed plainly before an exact addition (tiles are aligned to it). */
  readonly segment: number;
  /** The reference is on a finer grid nesting in the product's: each tile block-averages its window. */
  readonly referenceFiner?: boolean;
}

/**
 * The reference of image `j` on the tile's product pixels: as read, or block means of a finer grid with
 * at least `minValidFraction` valid (each product pixel's fine pixels are all in the tile's window, so
 * these are the whole raster's block means).
 */
function referenceOf({ params, inputs, grid }: TileArgs<ValidateTileParams>, j: number): Float32Array {
  const ref = inputs.reference;
  return params.referenceFiner ? aggregateToGrid(ref.values[j], ref.grid, grid, { method: 'mean', minValidFraction: params.minValidFraction }) : ref.values[j];
}

/** Interval totals of one date: pairs where all three are valid, reference inside, Σ(upper − lower). */
export interface IntervalTotalsJson {
  readonly n: number;
  readonly inside: number;
  readonly width: string;
}

/** Consistency totals of one date over the tile's coarse cells valid in both: count, Σ|d|, Σd, max |d|. */
export interface ConsistencyTotalsJson {
  readonly n: number;
  readonly abs: string;
  readonly sum: string;
  readonly max: number;
}

export interface TotalsSummary {
  /** `[matched date]`. */
  readonly pairs: readonly PairTotalsJson[];
  /** `[matched date]`: totals of the within-cell anomalies (with a coarse grid). */
  readonly anomalies: readonly PairTotalsJson[];
  /** `[matched date]`: coarse cells with ≥ 2 valid pairs. */
  readonly cells: readonly number[];
  /** `[matched date]`: null where the date has no interval bounds. */
  readonly intervals: readonly (IntervalTotalsJson | null)[];
  /** `[consistency pair]`. */
  readonly consistency: readonly ConsistencyTotalsJson[];
}

export function totalsTile(args: TileArgs<ValidateTileParams>): TileResult {
  const { params, inputs, window } = args;
  const layout = params.coarseGrid ? tileCells(args.grid, params.coarseGrid) : undefined;
  const pairs: PairTotalsJson[] = [];
  const anomalies: PairTotalsJson[] = [];
  const cells: number[] = [];
  const intervals: (IntervalTotalsJson | null)[] = [];
  for (const m of params.matched) {
    const p = inputs.product.values[m.product];
    const r = referenceOf(args, m.reference);
    intervals.push(m.lower === undefined || m.upper === undefined ? null : intervalTotals(inputs.lower.values[m.lower], inputs.upper.values[m.upper], r));
    const acc = new PairTotalsAccumulator();
    forSegments(window, params.segment, (from, to) => acc.addSegment(p, r, from, to));
    pairs.push(pairTotalsToJson(acc.value()));
    if (layout) {
      const n = cellAnomalies(p, r, layout);
      const anom = new PairTotalsAccumulator({ momentsOnly: true });
      forSegments(window, params.segment, (from, to) => anom.addSegment(layout.productAnomaly, layout.referenceAnomaly, from, to));
      anomalies.push(pairTotalsToJson(anom.value()));
      cells.push(n);
    }
  }
  const summary: TotalsSummary = {
    pairs,
    anomalies,
    cells,
    intervals,
    consistency: params.consistency.map((pair) => consistencyTotals(args, pair)),
  };
  return { outputs: {}, summary: summary as never };
}

/** A set's means, as the first pass's totals give them. */
export interface Means {
  readonly meanProduct: number;
  readonly meanReference: number;
}

export interface CentredParams extends ValidateTileParams {
  /** `[matched date of the stage]`: each date's means, and the pooled ones. */
  readonly dateMeans: readonly Means[];
  readonly pooledMeans: Means;
  /** Sampling thresholds on `pairHash` (2^32 keeps every pair): per matched date, and pooled. */
  readonly dateKeep: readonly number[];
  readonly pooledKeep: number;
  /** The product grid's width and pixel count: a pixel-date's global index. */
  readonly gridWidth: number;
  readonly gridPixels: number;
}

export interface CentredSummary {
  /** `[matched date]`: sums centred on the date's means (JSON of `CentredSums`). */
  readonly date: readonly (readonly string[])[];
  /** Every date's sums centred on the pooled means. */
  readonly pooled: readonly string[];
  /** `[matched date]`: the tile's sampled pairs, packed by `encodeDateSample`. */
  readonly sample: readonly string[];
}

export function centredTile(args: TileArgs<CentredParams>): TileResult {
  const { params, inputs, window } = args;
  const date: string[][] = [];
  const sample: string[] = [];
  const geometry = { window, gridWidth: params.gridWidth, gridPixels: params.gridPixels };
  // Exact sums: the pooled set's sums over the tile's dates are one accumulator's, whatever the grouping.
  const pooled = new CentredSumsAccumulator(params.pooledMeans);
  params.matched.forEach((m, d) => {
    const p = inputs.product.values[m.product];
    const r = referenceOf(args, m.reference);
    const acc = new CentredSumsAccumulator(params.dateMeans[d]);
    forSegments(window, params.segment, (from, to) => {
      acc.addSegment(p, r, from, to);
      pooled.addSegment(p, r, from, to);
    });
    date.push(centredSumsToJson(acc.value()));
    const [dateKeep, pooledKeep] = [params.dateKeep[d], params.pooledKeep];
    sample.push(encodeDateSample(geometry, params.dateOffset + d, p, r, Math.max(dateKeep, pooledKeep), Math.min(dateKeep, pooledKeep)));
  });
  const summary: CentredSummary = { date, pooled: centredSumsToJson(pooled.value()), sample };
  return { outputs: {}, summary: summary as never };
}

/** The pixels of the tile's rows in segments that start at multiples of `segment` in the whole grid (tiles are aligned to it). */
function forSegments(window: PixelWindow, segment: number, visit: (from: number, to: number) => void): void {
  // Segments cut by a tile edge would make the sums depend on the tiling: refuse rather than drift.
  if (window.x % segment !== 0) throw new RangeError(`validator:raster tile at x = ${window.x} is not aligned to its ${segment} px row segments`);
  for (let y = 0; y < window.height; y++) {
    for (let x = 0; x < window.width; x += segment) visit(y * window.width + x, y * window.width + Math.min(window.width, x + segment));
  }
}

export const totalsTileTask = workerTask(import.meta.url, { totalsTile });
export const centredTileTask = workerTask(import.meta.url, { centredTile });

function intervalTotals(lower: Float32Array, upper: Float32Array, reference: Float32Array): IntervalTotalsJson {
  const width = new ExactSum();
  let n = 0, inside = 0;
  for (let i = 0; i < reference.length; i++) {
    const l = lower[i], u = upper[i], r = reference[i];
    if (!(Number.isFinite(l) && Number.isFinite(u) && Number.isFinite(r))) continue;
    n++;
    width.add(u - l);
    if (r >= l && r <= u) inside++;
  }
  return { n, inside, width: exactToJson(width.value()) };
}

/**
 * Where each pixel's coarse cell is, numbered within the tile (`cells` for a pixel outside the coarse
 * grid), how many cells, and the arrays every date's anomalies are computed in (allocated once per tile).
 */
interface CellLayout {
  readonly cellOf: Int32Array;
  readonly cells: number;
  readonly productAnomaly: Float32Array;
  readonly referenceAnomaly: Float32Array;
  /** Per cell (and one more, for pixels outside the grid): sums, then means (NaN below 2 pixels); counts. */
  readonly productMean: Float64Array;
  readonly referenceMean: Float64Array;
  readonly count: Int32Array;
}

function tileCells(tile: Grid, coarse: Grid): CellLayout {
  const nest: Nesting = checkNesting(coarse, tile);
  const R0 = Math.floor(nest.offsetRow / nest.factorY);
  const C0 = Math.floor(nest.offsetCol / nest.factorX);
  const cw = Math.floor((tile.width - 1 + nest.offsetCol) / nest.factorX) - C0 + 1;
  const ch = Math.floor((tile.height - 1 + nest.offsetRow) / nest.factorY) - R0 + 1;
  const cells = cw * ch;
  const pixels = tile.width * tile.height;
  const cellOf = new Int32Array(pixels).fill(cells);
  for (let row = 0; row < tile.height; row++) {
    const R = Math.floor((row + nest.offsetRow) / nest.factorY);
    if (R < 0 || R >= coarse.height) continue;
    for (let col = 0; col < tile.width; col++) {
      const C = Math.floor((col + nest.offsetCol) / nest.factorX);
      if (C < 0 || C >= coarse.width) continue;
      cellOf[row * tile.width + col] = (R - R0) * cw + (C - C0);
    }
  }
  return { cellOf, cells, productAnomaly: new Float32Array(pixels), referenceAnomaly: new Float32Array(pixels), productMean: new Float64Array(cells + 1), referenceMean: new Float64Array(cells + 1), count: new Int32Array(cells + 1) };
}

/**
 * Within-coarse-cell anomalies, into the layout's anomaly arrays: x − mean of x over the cell, where the
 * means use only pixels valid in both product and reference (so a gap in one does not shift the other's
 * anomaly); and the number of cells with at least two such pixels (a cell with one has no within-cell
 * variation to compare). Float32, as the whole-raster validator kept them. A pixel outside the grid or
 * in a cell of < 2 pairs gets a NaN mean, so NaN anomalies; an invalid pair keeps its NaN: the pairs
 * valid in the anomalies are exactly those the means used, in cells of ≥ 2.
 */
function cellAnomalies(p: Float32Array, r: Float32Array, layout: CellLayout): number {
  const { cellOf, cells, productAnomaly: pa, referenceAnomaly: ra, productMean: mp, referenceMean: mr, count: cnt } = layout;
  mp.fill(0);
  mr.fill(0);
  cnt.fill(0);
  for (let k = 0; k < p.length; k++) {
    const a = p[k], b = r[k];
    if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
    const c = cellOf[k];
    mp[c] += a;
    mr[c] += b;
    cnt[c]++;
  }
  let n = 0;
  for (let c = 0; c <= cells; c++) {
    const ok = c < cells && cnt[c] >= 2;
    if (ok) n++;
    mp[c] = ok ? mp[c] / cnt[c] : Number.NaN;
    mr[c] = ok ? mr[c] / cnt[c] : Number.NaN;
  }
  for (let k = 0; k < p.length; k++) {
    const c = cellOf[k];
    pa[k] = p[k] - mp[c];
    ra[k] = r[k] - mr[c];
  }
  return n;
}

/** Block mean of the product minus the coarse value over the tile's coarse cells valid in both: totals. */
function consistencyTotals({ inputs, grid, params }: TileArgs<ValidateTileParams>, pair: { product: number; coarse: number }): ConsistencyTotalsJson {
  const coarse = inputs.coarse;
  const agg = aggregateToGrid(inputs.product.values[pair.product], grid, coarse.grid, { method: 'mean', minValidFraction: params.minValidFraction });
  const c = coarse.values[pair.coarse];
  const abs = new ExactSum();
  const sum = new ExactSum();
  let n = 0, max = 0;
  for (let k = 0; k < agg.length; k++) {
    if (!(Number.isFinite(agg[k]) && Number.isFinite(c[k]))) continue;
    const d = agg[k] - c[k];
    n++;
    abs.add(Math.abs(d));
    sum.add(d);
    max = Math.max(max, Math.abs(d));
  }
  return { n, abs: exactToJson(abs.value()), sum: exactToJson(sum.value()), max };
}
