import { checkNesting, describeGrid, type Grid, SoilscaleError, usageError } from '../../../core/index.js';

/**
 * How a fine grid nests in a coarse grid: every fine pixel lies in exactly one coarse cell
 * (`factorX × factorY` fine pixels per cell, possibly fewer at the edges of the fine grid).
 * Fine column `c` lies in coarse column `colCell[c]` (−1 when outside the coarse grid).
 */
export interface BlockLayout {
  readonly fine: Grid;
  readonly coarse: Grid;
  readonly factorX: number;
  readonly factorY: number;
  /** Fine-pixel offset of the fine grid's origin from the coarse grid's origin. */
  readonly offsetCol: number;
  readonly offsetRow: number;
  readonly colCell: Int32Array;
  readonly rowCell: Int32Array;
  /** Number of fine pixels of each coarse cell that lie on the fine grid. */
  readonly cellPixels: Int32Array;
  /**
   * Where this layout's coarse grid lies in the full coarse grid, for a tile's layout (see
   * `tileLayout`): interpolation stencils are then computed as on the full grid, so a tile gives the
   * full run's bytes.
   */
  readonly fullCoarse?: { readonly col: number; readonly row: number; readonly width: number; readonly height: number };
}

/**
 * Check that `fine` nests in `coarse` (same CRS, north-up, integer size ratio, aligned origins) and
 * return the block layout. A `SoilscaleError` names both grids otherwise.
 *
 * @example
 * ```ts
 * const layout = blockLayout(coarseGrid, fineGrid, 'inputs.coarse');
 * layout.factorX; // 9 for 9 km → 1 km
 * ```
 */
export function blockLayout(coarse: Grid, fine: Grid, where = 'downscaler:regression'): BlockLayout {
  let nesting: ReturnType<typeof checkNesting>;
  try {
    nesting = checkNesting(coarse, fine);
  } catch (e) {
    if (e instanceof SoilscaleError) throw usageError(e.message, { path: where });
    throw e;
  }
  const { factorX, factorY, offsetCol, offsetRow } = nesting;
  const colCell = new Int32Array(fine.width);
  const rowCell = new Int32Array(fine.height);
  for (let c = 0; c < fine.width; c++) {
    const k = Math.floor((c + offsetCol) / factorX);
    colCell[c] = k >= 0 && k < coarse.width ? k : -1;
  }
  for (let r = 0; r < fine.height; r++) {
    const k = Math.floor((r + offsetRow) / factorY);
    rowCell[r] = k >= 0 && k < coarse.height ? k : -1;
  }
  const cellPixels = new Int32Array(coarse.width * coarse.height);
  for (let r = 0; r < fine.height; r++) {
    if (rowCell[r] < 0) continue;
    const base = rowCell[r] * coarse.width;
    for (let c = 0; c < fine.width; c++) if (colCell[c] >= 0) cellPixels[base + colCell[c]]++;
  }
  if (!cellPixels.some((n) => n > 0)) {
    throw usageError('the fine grid does not overlap the coarse grid', { path: where, expected: 'overlapping grids', found: `coarse ${describeGrid(coarse)}, fine ${describeGrid(fine)}` });
  }
  return { fine, coarse, factorX, factorY, offsetCol, offsetRow, colCell, rowCell, cellPixels };
}

/** Sum and count of the valid (non-NaN) fine values in each coarse cell. */
export function blockSums(values: ArrayLike<number>, layout: BlockLayout): { sum: Float64Array; count: Int32Array } {
  const nc = layout.coarse.width * layout.coarse.height;
  const sum = new Float64Array(nc);
  const count = new Int32Array(nc);
  const { colCell, rowCell } = layout;
  const w = layout.fine.width;
  const cw = layout.coarse.width;
  for (let r = 0; r < layout.fine.height; r++) {
    const rc = rowCell[r];
    if (rc < 0) continue;
    const base = rc * cw;
    const o = r * w;
    for (let c = 0; c < w; c++) {
      const v = values[o + c];
      const cc = colCell[c];
      if (cc < 0 || v !== v) continue;
      sum[base + cc] += v;
      count[base + cc]++;
    }
  }
  return { sum, count };
}

/**
 * Mean of the valid fine values in each coarse cell; NaN where fewer than `minValidFraction` of the
 * cell's fine pixels are valid (or none are).
 */
export function blockMeans(values: ArrayLike<number>, layout: BlockLayout, minValidFraction = 0): Float64Array {
  const { sum, count } = blockSums(values, layout);
  const out = new Float64Array(sum.length);
  for (let k = 0; k < out.length; k++) {
    const n = count[k];
    out[k] = n > 0 && n >= minValidFraction * layout.cellPixels[k] ? sum[k] / n : Number.NaN;
  }
  return out;
}

const pixelCellCache = new WeakMap<BlockLayout, Int32Array>();

/**
 * Per fine pixel (row-major), the index of its coarse cell, or −1 outside the coarse grid: the one
 * pixel → cell mapping the per-pixel loops share. Computed once per layout.
 */
export function pixelCells(layout: BlockLayout): Int32Array {
  let cells = pixelCellCache.get(layout);
  if (cells) return cells;
  const { colCell, rowCell } = layout;
  const w = layout.fine.width;
  const cw = layout.coarse.width;
  cells = new Int32Array(w * layout.fine.height);
  for (let r = 0; r < layout.fine.height; r++) {
    const rc = rowCell[r];
    for (let c = 0; c < w; c++) {
      const cc = colCell[c];
      cells[r * w + c] = rc < 0 || cc < 0 ? -1 : rc * cw + cc;
    }
  }
  pixelCellCache.set(layout, cells);
  return cells;
}
