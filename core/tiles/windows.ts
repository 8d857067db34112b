import { runtimeError, usageError } from '../errors.js';
import { describeGrid, worldToPixel, type Grid, type PixelWindow } from '../model/grid.js';

/** Default tile edge, in output pixels. */
export const DEFAULT_TILE_SIZE = 512;

/**
 * Cut `grid` into tiles of about `size × size` pixels, row-major (tile i is the i-th window). Tile
 * edges fall on multiples of `align` pixels (the edge tiles end at the grid's edge), so a tile holds
 * whole blocks of `align` pixels; `size` is rounded up to a multiple of `align`.
 *
 * @example
 * ```ts
 * const windows = tileWindows(createGrid(1000, 600, [0, 30, 0, 0, 0, -30], 'EPSG:32633'), 512, 9);
 * assert.equal(windows.length, 4); // columns [0,513) [513,1000), rows [0,513) [513,600)
 * ```
 */
export function tileWindows(grid: Grid, size = DEFAULT_TILE_SIZE, align = 1): PixelWindow[] {
  if (!Number.isInteger(size) || size < 1) throw usageError('the tile size must be a positive integer', { path: 'tileSize', expected: 'an integer ≥ 1 (default 512)', found: String(size) });
  if (!Number.isInteger(align) || align < 1) throw usageError('the tile alignment must be a positive integer', { path: 'align', expected: 'an integer ≥ 1', found: String(align) });
  const step = Math.ceil(size / align) * align;
  const out: PixelWindow[] = [];
  for (let y = 0; y < grid.height; y += step) {
    for (let x = 0; x < grid.width; x += step) {
      out.push({ x, y, width: Math.min(step, grid.width - x), height: Math.min(step, grid.height - y) });
    }
  }
  return out;
}

/**
 * Smallest tile edge a small grid is cut to for parallelism: below it, the halos each tile reads and
 * its set-up (model load, similarity index) cost more than the idle thread gains (the demo's 54 × 54 px RF
 * prediction cut in four 36/18 px tiles took twice the CPU of one tile).
 */
export const MIN_PARALLEL_TILE_EDGE = 128;

/**
 * A stage's tiles: `tileWindows(grid, size, align)`, unless that gives fewer tiles than `parallelism`
 * (the executor's threads, some of which would idle): then the grid is cut into near-equal tiles, the
 * longer side in 2, 3, … parts, until there are enough tiles or the edge would fall below
 * {@link MIN_PARALLEL_TILE_EDGE} (a grid whose halves would be narrower stays whole). Equal tiles keep the threads'
 * shares even: halving 297 px gave 256 + 41 px tiles, three quarters of the work on one thread.
 *
 * @example
 * ```ts
 * const grid = createGrid(297, 297, [0, 30, 0, 0, 0, -30], 'EPSG:32633');
 * assert.deepEqual(stageWindows(grid, 512, 1, 2).map((w) => w.width), [149, 148, 149, 148]);
 * assert.equal(stageWindows(createGrid(54, 54, [0, 990, 0, 0, 0, -990], 'EPSG:32633'), 512, 9, 2).length, 1);
 * ```
 */
export function stageWindows(grid: Grid, size: number, align: number, parallelism: number): PixelWindow[] {
  let windows = tileWindows(grid, size, align);
  const longest = Math.max(grid.width, grid.height);
  for (let parts = 2; windows.length < parallelism; parts++) {
    const edge = Math.ceil(longest / parts);
    if (edge < MIN_PARALLEL_TILE_EDGE) break;
    windows = tileWindows(grid, Math.min(size, edge), align);
  }
  return windows;
}

/** Tiles whose rows start at the same `y`: the tile rows of a windows list (row-major), as index ranges. */
export function tileRows(windows: readonly PixelWindow[]): Array<{ y: number; height: number; first: number; count: number }> {
  const rows: Array<{ y: number; height: number; first: number; count: number }> = [];
  windows.forEach((w, i) => {
    const last = rows[rows.length - 1];
    if (last && last.y === w.y) last.count++;
    else rows.push({ y: w.y, height: w.height, first: i, count: 1 });
  });
  return rows;
}

/**
 * The pixels of `input` under `window` of `output` (matched by world coordinates), grown by `halo`
 * input pixels on every side and clipped to `input`. Both grids must share the CRS and be north-up
 * (or share the rotation); a tile outside the input is an error naming both grids.
 */
export function inputWindow(output: Grid, window: PixelWindow, input: Grid, halo = 0): PixelWindow {
  if (output.crs !== input.crs) {
    throw usageError('a tile input is in another CRS than the stage output', { expected: describeGrid(output), found: describeGrid(input) });
  }
  const t = output.transform;
  const corner = (col: number, row: number) => worldToPixel(input, t[0] + col * t[1] + row * t[2], t[3] + col * t[4] + row * t[5]);
  const [u0, v0] = corner(window.x, window.y);
  const [u1, v1] = corner(window.x + window.width, window.y + window.height);
  // Snap coordinates within a billionth of a pixel to the edge, so nested grids map exactly.
  const lo = (a: number, b: number) => Math.floor(Math.min(a, b) + 1e-9);
  const hi = (a: number, b: number) => Math.ceil(Math.max(a, b) - 1e-9);
  const x0 = Math.max(0, lo(u0, u1) - halo);
  const y0 = Math.max(0, lo(v0, v1) - halo);
  const x1 = Math.min(input.width, hi(u0, u1) + halo);
  const y1 = Math.min(input.height, hi(v0, v1) + halo);
  if (x1 <= x0 || y1 <= y0) {
    throw runtimeError('a tile lies outside one of the stage inputs', { expected: `an input covering output pixels [${window.x}, ${window.x + window.width}) × [${window.y}, ${window.y + window.height}) of ${describeGrid(output)}`, found: describeGrid(input) });
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
