import { inputError } from '../errors.js';
import { describeGrid, isNorthUp, type Grid } from '../model/grid.js';
import { sameCrs } from '../crs/resolve.js';

/**
 * How a fine grid nests in a coarse one: fine pixel `(c, r)` lies in coarse pixel
 * `(floor((c + offsetCol) / factorX), floor((r + offsetRow) / factorY))`. Offsets are counted in fine
 * pixels and are >= 0 (the fine grid starts at or inside the coarse grid's top-left corner).
 */
export interface Nesting {
  readonly factorX: number;
  readonly factorY: number;
  readonly offsetCol: number;
  readonly offsetRow: number;
}

/** Tolerance, in fine pixels, for ratios and edge alignment. */
const PIXEL_TOLERANCE = 1e-6;

/**
 * Check that `fine` nests in `coarse`: same CRS, both north-up, an integer ratio of pixel sizes, and
 * fine pixel edges on coarse pixel edges (to 1e-6 px). Returns the nesting; otherwise throws an input
 * error describing both grids and what is off.
 *
 * @example
 * ```ts
 * const coarse = createGrid(4, 4, [0, 1000, 0, 4000, 0, -1000], 'EPSG:32633');
 * const fine = createGrid(30, 30, [1000, 100, 0, 3000, 0, -100], 'EPSG:32633');
 * checkNesting(coarse, fine); // { factorX: 10, factorY: 10, offsetCol: 10, offsetRow: 10 }
 * ```
 */
export function checkNesting(coarse: Grid, fine: Grid): Nesting {
  const fail = (what: string, expected: string, found: string) =>
    inputError(`fine grid does not nest in coarse grid: ${what} (source:stac's \`grid\` param puts a scene on one grid: docs/warping.md)`, {
      path: `coarse ${describeGrid(coarse)}; fine ${describeGrid(fine)}`,
      expected,
      found,
    });
  if (!sameCrs(coarse.crs, fine.crs)) throw fail('different CRS', 'the same CRS', `${shortCrs(coarse.crs)} vs ${shortCrs(fine.crs)}`);
  if (!isNorthUp(coarse) || !isNorthUp(fine)) {
    throw fail('rotated grid', 'north-up grids (no rotation terms, pixelHeight < 0)', `coarse [${coarse.transform.join(', ')}], fine [${fine.transform.join(', ')}]`);
  }
  const ct = coarse.transform;
  const ft = fine.transform;
  const rx = ct[1] / ft[1];
  const ry = ct[5] / ft[5];
  const factorX = Math.round(rx);
  const factorY = Math.round(ry);
  if (factorX < 1 || factorY < 1 || Math.abs(rx - factorX) > PIXEL_TOLERANCE || Math.abs(ry - factorY) > PIXEL_TOLERANCE) {
    throw fail('pixel sizes are not an integer ratio', 'coarse pixel size = integer × fine pixel size', `ratio ${rx} × ${ry}`);
  }
  const ox = (ft[0] - ct[0]) / ft[1];
  const oy = (ft[3] - ct[3]) / ft[5];
  const offsetCol = Math.round(ox) || 0; // no -0
  const offsetRow = Math.round(oy) || 0;
  if (Math.abs(ox - offsetCol) > PIXEL_TOLERANCE || Math.abs(oy - offsetRow) > PIXEL_TOLERANCE) {
    throw fail('pixel edges are not aligned', 'fine pixel edges on coarse pixel edges', `fine origin offset by ${ox} × ${oy} fine pixels`);
  }
  if (offsetCol < 0 || offsetRow < 0) {
    throw fail('fine grid starts outside the coarse grid', 'the fine grid origin at or inside the coarse grid', `offset ${offsetCol} × ${offsetRow} fine pixels`);
  }
  if (offsetCol >= coarse.width * factorX || offsetRow >= coarse.height * factorY) {
    throw fail('grids do not overlap', 'overlapping extents', `offset ${offsetCol} × ${offsetRow} fine pixels`);
  }
  return { factorX, factorY, offsetCol, offsetRow };
}

/**
 * The coarse cell (row-major index in `coarse`) of every fine pixel, −1 for a pixel outside the coarse
 * grid. Throws as `checkNesting` when `fine` does not nest in `coarse`.
 */
export function coarseCellOfPixels(coarse: Grid, fine: Grid): Int32Array {
  const { factorX, factorY, offsetCol, offsetRow } = checkNesting(coarse, fine);
  const cellOf = new Int32Array(fine.width * fine.height).fill(-1);
  for (let row = 0; row < fine.height; row++) {
    const R = Math.floor((row + offsetRow) / factorY);
    if (R >= coarse.height) continue;
    for (let col = 0; col < fine.width; col++) {
      const C = Math.floor((col + offsetCol) / factorX);
      if (C < coarse.width) cellOf[row * fine.width + col] = R * coarse.width + C;
    }
  }
  return cellOf;
}

function shortCrs(crs: string): string {
  return crs.length > 40 ? crs.slice(0, 37) + '...' : crs;
}
