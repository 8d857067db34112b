import { describeGrid, type Grid, usageError } from '../../../core/index.js';

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
  const fail = (what: string, expected: string, found: string) =>
    usageError(`the fine grid does not nest in the coarse grid: ${what}`, {
      path: where,
      expected,
      found: `${found}; coarse ${describeGrid(coarse)}, fine ${describeGrid(fine)}`,
    });
  if (coarse.crs !== fine.crs) throw fail('different CRS', 'the same CRS', `${coarse.crs} vs ${fine.crs}`);
  const ct = coarse.transform;
  const ft = fine.transform;
  if (ct[2] !== 0 || ct[4] !== 0 || ft[2] !== 0 || ft[4] !== 0) throw fail('rotated grid', 'north-up grids', 'a rotation term');
  if (Math.sign(ct[1]) !== Math.sign(ft[1]) || Math.sign(ct[5]) !== Math.sign(ft[5])) throw fail('axis directions differ', 'same axis signs', 'opposite');
  const fx = ct[1] / ft[1];
  const fy = ct[5] / ft[5];
  const factorX = Math.round(fx);
  const factorY = Math.round(fy);
  if (factorX < 1 || factorY < 1 || Math.abs(fx - factorX) > 1e-6 * fx || Math.abs(fy - factorY) > 1e-6 * fy) {
    throw fail('pixel sizes are not an integer ratio', 'coarse pixel = k × fine pixel', `ratio ${fx}×${fy}`);
  }
  const ox = (ft[0] - ct[0]) / ft[1];
  const oy = (ft[3] - ct[3]) / ft[5];
  const offsetCol = Math.round(ox);
  const offsetRow = Math.round(oy);
  if (Math.abs(ox - offsetCol) > 1e-4 || Math.abs(oy - offsetRow) > 1e-4) {
    throw fail('origins are not aligned on fine pixel edges', 'an integer pixel offset', `${ox.toFixed(4)}, ${oy.toFixed(4)} fine pixels`);
  }
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
  if (!cellPixels.some((n) => n > 0)) throw fail('the grids do not overlap', 'overlapping grids', 'no common area');
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

/** Fine pixel index → coarse cell index, or −1 (for loops that need it per pixel). */
export function cellOf(layout: BlockLayout, row: number, col: number): number {
  const rc = layout.rowCell[row];
  const cc = layout.colCell[col];
  return rc < 0 || cc < 0 ? -1 : rc * layout.coarse.width + cc;
}
