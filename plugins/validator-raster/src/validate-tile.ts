/**
 * `validator:raster` tile by tile: two tile stages with no image output, only summaries.
 *
 * 1. `countTile`: per chunk (a matched date's pairs, or their within-cell anomalies) the valid pairs of
 *    each tile row and their sums; the interval totals; the coarse cells' consistency errors.
 * 2. `pairsTile`: given where each tile row's pairs fall in the whole chunk (row-major order, from 1.),
 *    the pairs each metric set keeps (all, or every stride-th: the same pairs as the whole-raster
 *    code) and, where the set is subsampled, the centred sums about the set's means.
 *
 * Tiles hold whole coarse cells (`align`), so cell means and block means are the whole raster's.
 */
import { aggregateToGrid, centredSums, checkNesting, intervalCoverage, type CentredSums, type Grid, type IntervalTotals, type Nesting, type PairChunk, type PixelWindow, type TileArgs, type TileBlock, type TileResult } from '../../../core/index.js';
import { workerTask } from '../../../core/kernel.js';

/** One matched date: the product, reference and (when given) interval bound images it compares. */
export interface MatchedDate {
  readonly product: number;
  readonly reference: number;
  readonly lower?: number;
  readonly upper?: number;
}

export interface ValidateTileParams {
  readonly matched: readonly MatchedDate[];
  /** The coarse grid of the sub-grid anomalies (and the consistency check). */
  readonly coarseGrid?: Grid;
  /** Product image ↔ coarse image pairs of the consistency check. */
  readonly consistency: readonly { readonly product: number; readonly coarse: number }[];
  readonly minValidFraction: number;
}

/** Chunk `c`: `c < matched.length` the pairs of matched date c, else the anomalies of matched date c − matched.length. */
export const chunkCount = (p: ValidateTileParams) => p.matched.length * (p.coarseGrid ? 2 : 1);

export interface CountSummary {
  /** `[chunk][row]`: valid pairs in each row of the tile. */
  readonly rows: readonly (readonly number[])[];
  /** `[chunk]`: Σ product, Σ reference over the tile's valid pairs. */
  readonly sums: readonly (readonly [number, number])[];
  /** `[matched date]`: coarse cells with ≥ 2 valid pairs (sub-grid). */
  readonly cells: readonly number[];
  /** `[matched date]`: interval totals (when bounds are given). */
  readonly intervals: readonly (IntervalTotals | null)[];
  /** `[consistency pair]`: `[cell, block mean − coarse]` of the tile's cells valid in both, cell order. */
  readonly consistency: readonly (readonly (readonly [number, number])[])[];
}

export function countTile(args: TileArgs<ValidateTileParams>): TileResult {
  const { params } = args;
  const tile = tileChunks(args);
  const summary: CountSummary = {
    rows: tile.chunks.map(([e, o]) => rowCounts(e, o, args.window)),
    sums: tile.chunks.map(([e, o]) => {
      let se = 0, so = 0;
      forValid(e, o, (a, b) => ((se += a), (so += b)));
      return [se, so];
    }),
    cells: tile.cells,
    intervals: params.matched.map((m) => {
      if (m.lower === undefined || m.upper === undefined) return null;
      const acc = intervalCoverage();
      acc.add(args.inputs.lower.values[m.lower], args.inputs.upper.values[m.upper], args.inputs.reference.values[m.reference]);
      return acc.totals();
    }),
    consistency: params.consistency.map((pair) => consistencyErrors(args, pair)),
  };
  return { outputs: {}, summary: summary as never };
}

/** A metric set: its chunks (in order), where each tile row's pairs start in them, which pairs it keeps, its means. */
export interface PairSetSpec {
  readonly chunks: readonly number[];
  /** Pairs of the set before each of its chunks. */
  readonly chunkBase: readonly number[];
  /** Keep every stride-th pair of the set (1: all); 0 keeps none. */
  readonly stride: number;
  /** Subsampled sets: the set's means, for the centred sums. */
  readonly means?: readonly [number, number];
}

export interface PairsParams extends ValidateTileParams {
  readonly sets: readonly PairSetSpec[];
  /** `offsets["x,y"][chunk][row]`: pairs of the chunk before the first of that tile row, in row-major order. */
  readonly offsets: Readonly<Record<string, readonly (readonly number[])[]>>;
}

export interface PairsSummary {
  /** `[set]`: kept pairs as `[ordinal in the set, product, reference]` triples, flat. */
  readonly kept: readonly (readonly number[])[];
  /** `[set]`: centred sums of the tile's pairs (subsampled sets). */
  readonly sums: readonly (CentredSums | null)[];
}

export function pairsTile(args: TileArgs<PairsParams>): TileResult {
  const { params, window } = args;
  const { chunks } = tileChunks(args);
  const offsets = params.offsets[tileKey(window)];
  const summary: PairsSummary = {
    kept: params.sets.map((set) => {
      const kept: number[] = [];
      if (set.stride === 0) return kept;
      set.chunks.forEach((c, i) => {
        const [e, o] = chunks[c];
        for (let y = 0; y < window.height; y++) {
          let g = set.chunkBase[i] + offsets[c][y];
          for (let x = 0, p = y * window.width; x < window.width; x++, p++) {
            const a = e[p], b = o[p];
            if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
            if (g % set.stride === 0) kept.push(g, a, b);
            g++;
          }
        }
      });
      return kept;
    }),
    sums: params.sets.map((set) => (set.means ? centredSums(set.chunks.map((c) => chunks[c]), set.means[0], set.means[1]) : null)),
  };
  return { outputs: {}, summary: summary as never };
}

export const countTileTask = workerTask(import.meta.url, { countTile });
export const pairsTileTask = workerTask(import.meta.url, { pairsTile });

/** The key of a tile in `offsets`. */
export const tileKey = (w: PixelWindow) => `${w.x},${w.y}`;

/** The tile's chunks (window-sized arrays) and, per matched date, its coarse cells with ≥ 2 valid pairs. */
function tileChunks({ params, inputs, grid }: TileArgs<ValidateTileParams>): { chunks: PairChunk[]; cells: number[] } {
  const raw = params.matched.map((m): PairChunk => [inputs.product.values[m.product], inputs.reference.values[m.reference]]);
  if (!params.coarseGrid) return { chunks: raw, cells: [] };
  const cellOf = cellIndex(grid, params.coarseGrid, checkNesting(params.coarseGrid, grid));
  const cells: number[] = [];
  const anomalies = raw.map(([p, r]) => {
    const [pa, ra, n] = cellAnomalies(p as Float32Array, r as Float32Array, cellOf);
    cells.push(n);
    return [pa, ra] as PairChunk;
  });
  return { chunks: [...raw, ...anomalies], cells };
}

function forValid(e: ArrayLike<number>, o: ArrayLike<number>, f: (a: number, b: number) => void): void {
  for (let i = 0; i < e.length; i++) if (Number.isFinite(e[i]) && Number.isFinite(o[i])) f(e[i], o[i]);
}

function rowCounts(e: ArrayLike<number>, o: ArrayLike<number>, w: PixelWindow): number[] {
  return Array.from({ length: w.height }, (_, y) => {
    let n = 0;
    for (let p = y * w.width; p < (y + 1) * w.width; p++) if (Number.isFinite(e[p]) && Number.isFinite(o[p])) n++;
    return n;
  });
}

/** The coarse cell (of the whole coarse grid) of each pixel of `fine`, −1 outside the coarse grid. */
export function cellIndex(fine: Grid, coarse: Grid, nest: Nesting): Int32Array {
  const cellOf = new Int32Array(fine.width * fine.height).fill(-1);
  for (let row = 0; row < fine.height; row++) {
    const R = Math.floor((row + nest.offsetRow) / nest.factorY);
    if (R >= coarse.height) continue;
    for (let col = 0; col < fine.width; col++) {
      const C = Math.floor((col + nest.offsetCol) / nest.factorX);
      if (C >= coarse.width) continue;
      cellOf[row * fine.width + col] = R * coarse.width + C;
    }
  }
  return cellOf;
}

/**
 * Within-coarse-cell anomalies: x − mean of x over the cell, where the means use only pixels valid in
 * both product and reference (so a gap in one does not shift the other's anomaly); and the number of
 * cells with at least two such pixels (a cell with one has no within-cell variation to compare).
 */
function cellAnomalies(p: Float32Array, r: Float32Array, cellOf: Int32Array): [Float32Array, Float32Array, number] {
  const sp = new Map<number, number>();
  const sr = new Map<number, number>();
  const cnt = new Map<number, number>();
  for (let k = 0; k < p.length; k++) {
    const cell = cellOf[k];
    if (cell < 0 || !(Number.isFinite(p[k]) && Number.isFinite(r[k]))) continue;
    sp.set(cell, (sp.get(cell) ?? 0) + p[k]);
    sr.set(cell, (sr.get(cell) ?? 0) + r[k]);
    cnt.set(cell, (cnt.get(cell) ?? 0) + 1);
  }
  const pa = new Float32Array(p.length).fill(Number.NaN);
  const ra = new Float32Array(p.length).fill(Number.NaN);
  let cells = 0;
  for (const c of cnt.values()) if (c >= 2) cells++;
  for (let k = 0; k < p.length; k++) {
    const c = cellOf[k];
    const count = cnt.get(c) ?? 0;
    if (c < 0 || count < 2 || !(Number.isFinite(p[k]) && Number.isFinite(r[k]))) continue;
    pa[k] = p[k] - sp.get(c)! / count;
    ra[k] = r[k] - sr.get(c)! / count;
  }
  return [pa, ra, cells];
}

/** Block mean of the product minus the coarse value, for the tile's coarse cells valid in both, in cell order. */
function consistencyErrors({ inputs, grid, params }: TileArgs<ValidateTileParams>, pair: { product: number; coarse: number }): [number, number][] {
  const coarse: TileBlock = inputs.coarse;
  const agg = aggregateToGrid(inputs.product.values[pair.product], grid, coarse.grid, { method: 'mean', minValidFraction: params.minValidFraction });
  const c = coarse.values[pair.coarse];
  const whole = params.coarseGrid!.width;
  const out: [number, number][] = [];
  for (let k = 0; k < agg.length; k++) {
    if (!(Number.isFinite(agg[k]) && Number.isFinite(c[k]))) continue;
    out.push([(coarse.window.y + Math.floor(k / coarse.window.width)) * whole + coarse.window.x + (k % coarse.window.width), agg[k] - c[k]]);
  }
  return out;
}

