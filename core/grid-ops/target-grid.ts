import { inputError, usageError } from '../errors.js';
import { resolveCrs } from '../crs/resolve.js';
import { transformCoordinates } from '../crs/transform.js';
import { createGrid, gridBounds, isNorthUp, worldToPixel, type Grid } from '../model/grid.js';
import type { Scene } from '../model/scene.js';

/**
 * The grid a run produces, as a source node declares it: the grid of one of the scene's assets, or a
 * CRS, a pixel size (one number, or `[x, y]`) and a bounding box `[xmin, ymin, xmax, ymax]` in that CRS.
 */
export type TargetGridSpec =
  | { readonly like: string }
  | { readonly crs: string; readonly resolution: number | readonly [number, number]; readonly bbox: readonly [number, number, number, number] };

/** A decision taken on the user's behalf while building or using the target grid (a run warning). */
export interface GridDecision {
  readonly code: string;
  readonly message: string;
}

/**
 * The target grid of `spec`. An explicit bbox that is not a whole number of pixels is extended to the
 * next pixel on the east and south (reported in `decisions`).
 *
 * @throws SoilscaleError naming `grid.like` for an unknown asset, `grid.crs` for a CRS proj4 cannot
 * use, `grid.bbox` / `grid.resolution` for an empty box or a non-positive size.
 * @example
 * ```ts
 * const { grid, decisions } = resolveTargetGrid({ crs: 'EPSG:32633', resolution: 30, bbox: [500000, 4190000, 530000, 4220000] }, scene);
 * assert.equal(grid.width, 1000); // 30 km of 30 m pixels
 * assert.deepEqual(decisions, []); // a whole number of pixels: the bbox is kept as given
 * ```
 */
export function resolveTargetGrid(spec: TargetGridSpec, scene: Scene): { grid: Grid; decisions: GridDecision[] } {
  if ('like' in spec) {
    if (!scene.has(spec.like)) {
      throw usageError(`grid.like names no asset of scene '${scene.id}'`, { path: 'grid.like', expected: `one of ${scene.assets().map((a) => a.key).join(', ')}`, found: spec.like });
    }
    const grid = scene.info(spec.like).grid;
    if (!isNorthUp(grid)) {
      throw inputError(`the grid of '${spec.like}' is rotated and cannot be a target grid`, { path: 'grid.like', expected: 'a north-up grid', found: `[${grid.transform.join(', ')}]` });
    }
    return { grid, decisions: [] };
  }
  resolveCrs(spec.crs); // throws naming the CRS when unknown
  const [rx, ry] = typeof spec.resolution === 'number' ? [spec.resolution, spec.resolution] : spec.resolution;
  if (!(rx > 0 && ry > 0)) throw usageError('grid.resolution must be positive', { path: 'grid.resolution', expected: 'a pixel size > 0 in CRS units', found: JSON.stringify(spec.resolution) });
  const [xmin, ymin, xmax, ymax] = spec.bbox;
  if (!(xmax > xmin && ymax > ymin)) {
    throw usageError('grid.bbox is empty', { path: 'grid.bbox', expected: '[xmin, ymin, xmax, ymax] with xmax > xmin and ymax > ymin', found: JSON.stringify(spec.bbox) });
  }
  const width = Math.ceil((xmax - xmin) / rx - 1e-9);
  const height = Math.ceil((ymax - ymin) / ry - 1e-9);
  const grid = createGrid(width, height, [xmin, rx, 0, ymax, 0, -ry], spec.crs);
  const decisions: GridDecision[] = [];
  const [, y0, x1] = gridBounds(grid);
  if (x1 - xmax > 1e-6 * rx || ymin - y0 > 1e-6 * ry) {
    decisions.push({
      code: 'grid.bbox-extended',
      message: `target bbox [${spec.bbox.join(', ')}] is not a whole number of ${rx} × ${ry} pixels: extended to [${xmin}, ${y0}, ${x1}, ${ymax}] (${width} × ${height} px)`,
    });
  }
  return { grid, decisions };
}

/**
 * Edge length, in target CRS units, of the source pixel under the target grid's centre: the square
 * root of its area once projected into the target CRS.
 */
export function nativeCellSize(source: Grid, target: Grid): number {
  const t = target.transform;
  const cx = t[0] + (target.width / 2) * t[1];
  const cy = t[3] + (target.height / 2) * t[5];
  const c = transformCoordinates(target.crs, source.crs, Float64Array.of(cx), Float64Array.of(cy));
  const [u, v] = worldToPixel(source, c.x[0], c.y[0]);
  const col = Math.floor(u);
  const row = Math.floor(v);
  const s = source.transform;
  const corner = (dc: number, dr: number): [number, number] => [s[0] + (col + dc) * s[1] + (row + dr) * s[2], s[3] + (col + dc) * s[4] + (row + dr) * s[5]];
  const pts = [corner(0, 0), corner(1, 0), corner(0, 1)];
  const p = transformCoordinates(source.crs, target.crs, Float64Array.from(pts.map((q) => q[0])), Float64Array.from(pts.map((q) => q[1])));
  const area = Math.abs((p.x[1] - p.x[0]) * (p.y[2] - p.y[0]) - (p.y[1] - p.y[0]) * (p.x[2] - p.x[0]));
  return Math.sqrt(area);
}

/**
 * The coarse grid in the target's CRS that the target nests in: same origin, cells of `factor` target
 * pixels (the last row and column may extend past the target).
 *
 * @example
 * ```ts
 * const utm30m = createGrid(1000, 1000, [500000, 30, 0, 4220000, 0, -30], 'EPSG:32633');
 * const coarse = coarseGridOver(utm30m, 300); // 9 km cells whose edges fall on 30 m pixel edges
 * assert.equal(coarse.width, 4); // 1000 / 300 rounded up: the last column extends past the target
 * ```
 */
export function coarseGridOver(target: Grid, factor: number): Grid {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`coarse factor must be a positive integer, got ${factor}`);
  const t = target.transform;
  return createGrid(Math.ceil(target.width / factor), Math.ceil(target.height / factor), [t[0], t[1] * factor, 0, t[3], 0, t[5] * factor], target.crs);
}

/** `[xmin, ymin, xmax, ymax] CRS` of a grid, for messages. */
export function describeExtent(grid: Grid): string {
  const b = gridBounds(grid).map((v) => Number(v.toPrecision(10)));
  return `[${b.join(', ')}] in ${grid.crs.length > 40 ? grid.crs.slice(0, 37) + '...' : grid.crs}`;
}
