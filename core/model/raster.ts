import { type Grid, pixelCount } from './grid.js';

/**
 * A grid with one or more bands of `Float32Array` (row-major, `NaN` = nodata inside the engine;
 * file nodata values are converted at the edges by the readers and writers).
 *
 * @example
 * ```ts
 * const [col, row] = [3, 2];
 * const r = createRaster(grid, 1, ['ndvi']);
 * r.bands[0][row * grid.width + col] = 0.42;
 * ```
 */
export interface Raster {
  readonly kind: 'raster';
  readonly grid: Grid;
  readonly bands: Float32Array[];
  readonly bandNames?: readonly string[];
  readonly unit?: string;
}

export function createRaster(grid: Grid, bandCount = 1, bandNames?: readonly string[], unit?: string): Raster {
  const n = pixelCount(grid);
  const bands = Array.from({ length: bandCount }, () => new Float32Array(n).fill(Number.NaN));
  return { kind: 'raster', grid, bands, bandNames, unit };
}

export function rasterFromBands(grid: Grid, bands: Float32Array[], bandNames?: readonly string[], unit?: string): Raster {
  const n = pixelCount(grid);
  bands.forEach((b, i) => {
    if (b.length !== n) throw new RangeError(`band ${i} has ${b.length} values, grid has ${n} pixels`);
  });
  return { kind: 'raster', grid, bands, bandNames, unit };
}
