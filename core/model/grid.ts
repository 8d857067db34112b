/**
 * A georeferenced pixel grid.
 *
 * The transform follows GDAL's geotransform order:
 * `[originX, pixelWidth, rowRotation, originY, columnRotation, pixelHeight]`, where
 * `(originX, originY)` is the outer corner of the top-left pixel and `pixelHeight` is negative for
 * north-up images. World coordinates of pixel corner `(col, row)` are
 * `x = t0 + col*t1 + row*t2`, `y = t3 + col*t4 + row*t5`.
 *
 * @example
 * ```ts
 * const grid = createGrid(100, 80, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
 * pixelCenter(grid, 0, 0); // [500015, 4199985]
 * ```
 */
export interface Grid {
  readonly width: number;
  readonly height: number;
  readonly transform: GeoTransform;
  /** `EPSG:n` when the CRS has an EPSG code, otherwise WKT. */
  readonly crs: string;
}

export type GeoTransform = readonly [number, number, number, number, number, number];

/** A rectangle of pixels: columns `[x, x+width)`, rows `[y, y+height)`. */
export interface PixelWindow {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export function createGrid(width: number, height: number, transform: GeoTransform, crs: string): Grid {
  if (!Number.isInteger(width) || width <= 0 || !Number.isInteger(height) || height <= 0) {
    throw new RangeError(`grid size must be positive integers, got ${width}×${height}`);
  }
  if (transform.length !== 6 || transform.some((v) => !Number.isFinite(v))) {
    throw new RangeError(`grid transform must be 6 finite numbers, got [${transform.join(', ')}]`);
  }
  return { width, height, transform: [...transform] as unknown as GeoTransform, crs };
}

export function pixelCount(grid: Grid): number {
  return grid.width * grid.height;
}

/** World coordinates of the centre of pixel (col, row). */
export function pixelCenter(grid: Grid, col: number, row: number): [number, number] {
  const t = grid.transform;
  const c = col + 0.5;
  const r = row + 0.5;
  return [t[0] + c * t[1] + r * t[2], t[3] + c * t[4] + r * t[5]];
}

/** Fractional pixel coordinates (col, row) of a world point (inverse of the affine transform). */
export function worldToPixel(grid: Grid, x: number, y: number): [number, number] {
  const [a, b, c, d, e, f] = grid.transform;
  const det = b * f - c * e;
  if (det === 0) throw new RangeError('grid transform is singular');
  const dx = x - a;
  const dy = y - d;
  return [(f * dx - c * dy) / det, (-e * dx + b * dy) / det];
}

/**
 * The pixel `[col, row]` containing a world point, or `undefined` when the point lies outside the
 * grid (or a coordinate is not finite): how stations are placed on a product.
 *
 * @example
 * ```ts
 * const grid = createGrid(100, 80, [500000, 30, 0, 4200000, 0, -30], 'EPSG:32633');
 * pixelContaining(grid, 500045, 4199985); // [1, 0]
 * pixelContaining(grid, 499990, 4199985); // undefined (west of the grid)
 * ```
 */
export function pixelContaining(grid: Grid, x: number, y: number): [number, number] | undefined {
  const [u, v] = worldToPixel(grid, x, y);
  const col = Math.floor(u);
  const row = Math.floor(v);
  // `+ 0` turns the −0 a point on the top or left edge can give into 0
  return col >= 0 && col < grid.width && row >= 0 && row < grid.height ? [col + 0, row + 0] : undefined;
}

/** Bounding box `[minX, minY, maxX, maxY]` in the grid's CRS (north-up grids). */
export function gridBounds(grid: Grid): [number, number, number, number] {
  const t = grid.transform;
  const xs = [t[0], t[0] + grid.width * t[1] + grid.height * t[2]];
  const ys = [t[3], t[3] + grid.width * t[4] + grid.height * t[5]];
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

export function isNorthUp(grid: Grid): boolean {
  const t = grid.transform;
  return t[2] === 0 && t[4] === 0 && t[1] > 0 && t[5] < 0;
}

/** Same size, transform (to a relative tolerance of 1e-9 of a pixel) and CRS. */
export function sameGrid(a: Grid, b: Grid): boolean {
  if (a.width !== b.width || a.height !== b.height || a.crs !== b.crs) return false;
  const tol = 1e-9 * Math.max(Math.abs(a.transform[1]), Math.abs(a.transform[5]), 1e-12);
  for (let i = 0; i < 6; i++) {
    const scale = i === 0 || i === 3 ? Math.max(1, Math.abs(a.transform[i])) * 1e-12 + tol : tol;
    if (Math.abs(a.transform[i] - b.transform[i]) > scale) return false;
  }
  return true;
}

/** The sub-grid covering `window` of `grid`. */
export function windowGrid(grid: Grid, window: PixelWindow): Grid {
  const t = grid.transform;
  return createGrid(
    window.width,
    window.height,
    [
      t[0] + window.x * t[1] + window.y * t[2],
      t[1],
      t[2],
      t[3] + window.x * t[4] + window.y * t[5],
      t[4],
      t[5],
    ],
    grid.crs,
  );
}

/** Human-readable one-line summary, used in error messages. */
export function describeGrid(grid: Grid): string {
  const t = grid.transform;
  return `${grid.width}×${grid.height} px of ${Math.abs(t[1])}×${Math.abs(t[5])} at (${t[0]}, ${t[3]}) in ${grid.crs.length > 40 ? grid.crs.slice(0, 37) + '...' : grid.crs}`;
}
