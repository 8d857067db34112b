import { usageError } from '../errors.js';
import { pixelCount, windowGrid, type Grid, type PixelWindow } from '../model/grid.js';
import { makeSeries, type Series } from '../model/series.js';
import type { WorkerPool } from '../services/worker-pool.js';
import { createPixelMapper, DEFAULT_MAX_ERROR } from './warp-coords.js';
import { WARP_METHODS, warpTile, warpTileTask, type WarpMethod, type WarpTileTask } from './warp-tile.js';

export { DEFAULT_MAX_ERROR } from './warp-coords.js';
export { WARP_METHODS, type WarpMethod } from './warp-tile.js';

export interface WarpOptions {
  readonly method: WarpMethod;
  /** Bound on the per-row coordinate approximation, in source pixels; default 0.125 (GDAL's); 0 = exact. */
  readonly maxError?: number;
  /** Warp row tiles on these threads (a pool of size 1, or none, warps inline). */
  readonly workers?: WorkerPool;
  /** Produce only this window of `to` (the values are those of the whole warp, pixel for pixel). */
  readonly window?: PixelWindow;
}

/** Targets smaller than this many pixels are warped inline: a thread round trip would cost more. */
const PARALLEL_MIN_PIXELS = 1 << 18;
/** Target pixels per tile handed to a worker. */
const TILE_PIXELS = 1 << 17;

/**
 * Warp bands from grid `from` onto grid `to` (any CRSs proj4 knows), by inverse mapping: each target
 * pixel (centre, or footprint for the area methods) is mapped into the source and resampled there.
 * `NaN` is nodata in and out; target pixels outside the source are `NaN`. See docs/warping.md for each
 * method's semantics next to GDAL's.
 *
 * @example
 * ```ts
 * const [ndviUtm] = await warpBands([ndviSinusoidal], modisGrid, utmGrid, { method: 'average', workers: context.workers });
 * assert.equal(ndviUtm.length, utmGrid.width * utmGrid.height);
 * ```
 */
export async function warpBands(bands: readonly Float32Array[], from: Grid, to: Grid, options: WarpOptions): Promise<Float32Array[]> {
  if (!WARP_METHODS.includes(options.method)) {
    throw usageError(`unknown warp method '${options.method}'`, { path: 'method', expected: WARP_METHODS.join(', '), found: String(options.method) });
  }
  const n = pixelCount(from);
  bands.forEach((b, i) => {
    if (b.length !== n) throw new RangeError(`warpBands: band ${i} has ${b.length} values for a ${from.width}×${from.height} grid`);
  });
  const { scaleX, scaleY } = warpScale(from, to);
  const w = options.window ?? { x: 0, y: 0, width: to.width, height: to.height };
  if (!(w.x >= 0 && w.y >= 0 && w.width > 0 && w.height > 0 && w.x + w.width <= to.width && w.y + w.height <= to.height)) {
    throw new RangeError(`warpBands: window ${JSON.stringify(w)} outside the ${to.width}×${to.height} target`);
  }
  const base = { from, to, method: options.method, maxError: options.maxError ?? DEFAULT_MAX_ERROR, scaleX, scaleY, colStart: w.x, colEnd: w.x + w.width };
  const out = windowGrid(to, w);
  const pool = options.workers;
  if (!pool || pool.size <= 1 || pixelCount(out) < PARALLEL_MIN_PIXELS) {
    return warpTile({ ...base, bands, rowStart: w.y, rowEnd: w.y + w.height });
  }
  // Workers read the source from shared memory (no copy per tile) and return their rows.
  const shared = bands.map((b) => {
    if (b.buffer instanceof SharedArrayBuffer) return b;
    const s = new Float32Array(new SharedArrayBuffer(b.byteLength));
    s.set(b);
    return s;
  });
  const outs = bands.map(() => new Float32Array(pixelCount(out)));
  const rowsPerTile = Math.max(8, Math.ceil(TILE_PIXELS / out.width));
  const tiles: Promise<void>[] = [];
  for (let first = 0; first < out.height; first += rowsPerTile) {
    const task: WarpTileTask = { ...base, bands: shared, rowStart: w.y + first, rowEnd: w.y + Math.min(out.height, first + rowsPerTile) };
    tiles.push(
      pool.run(warpTileTask, [task]).then((rows) => {
        rows.forEach((r, b) => outs[b].set(r, first * out.width));
      }),
    );
  }
  await Promise.all(tiles);
  return outs;
}

/**
 * Warp every date of a series onto `to` (or onto `options.window` of it).
 *
 * @example
 * ```ts
 * const lcUtm = await warpSeries(landcoverSinusoidal, utmGrid, { method: 'mode' });
 * assert.deepEqual(lcUtm.dates, landcoverSinusoidal.dates); // every date, on the UTM grid
 * ```
 */
export async function warpSeries(series: Series, to: Grid, options: WarpOptions): Promise<Series> {
  const values = await warpBands(series.values, series.grid, to, options);
  const grid = options.window ? windowGrid(to, options.window) : to;
  return makeSeries({ variable: series.variable, grid, dates: series.dates, values, unit: series.unit, categorical: series.categorical });
}

/**
 * Target-to-source pixel scales at the target's centre pixel: 1 / the width (height) of its footprint
 * in source pixels. Below 0.95 (the target pixel spans more than ~1.05 source pixels) bilinear and
 * cubic stretch their kernel by 1/scale, as GDAL's warper does when downsampling.
 */
export function warpScale(from: Grid, to: Grid): { scaleX: number; scaleY: number } {
  const mapper = createPixelMapper(from, to, 0);
  const u = new Float64Array(2);
  const v = new Float64Array(2);
  const row = Math.floor(to.height / 2);
  const col = Math.floor(to.width / 2);
  const us: number[] = [];
  const vs: number[] = [];
  for (const r of [row, row + 1]) {
    mapper.mapRow(r, col, 2, u, v);
    us.push(u[0], u[1]);
    vs.push(v[0], v[1]);
  }
  const du = Math.max(...us) - Math.min(...us);
  const dv = Math.max(...vs) - Math.min(...vs);
  return {
    scaleX: Number.isFinite(du) && du > 0 ? 1 / du : 1,
    scaleY: Number.isFinite(dv) && dv > 0 ? 1 / dv : 1,
  };
}

/** Bounding box of a target grid mapped into source pixel coordinates. */
export interface SourceFootprint {
  readonly colMin: number;
  readonly colMax: number;
  readonly rowMin: number;
  readonly rowMax: number;
}

/** Points sampled along each target axis to find the footprint (edges included). */
const FOOTPRINT_SAMPLES = 33;

/**
 * The source-pixel bounding box of the target grid (from a 33 × 33 lattice of target points, edges
 * included, transformed exactly), or `undefined` when no point transforms. Used to read only the
 * source window a warp needs and to detect a target that misses the data.
 */
export function warpFootprint(from: Grid, to: Grid): SourceFootprint | undefined {
  const mapper = createPixelMapper(from, to, 0);
  const k = FOOTPRINT_SAMPLES;
  const u = new Float64Array(1);
  const v = new Float64Array(1);
  let colMin = Infinity;
  let colMax = -Infinity;
  let rowMin = Infinity;
  let rowMax = -Infinity;
  for (let j = 0; j < k; j++) {
    const row = (j / (k - 1)) * to.height;
    for (let i = 0; i < k; i++) {
      mapper.mapRow(row, (i / (k - 1)) * to.width, 1, u, v);
      if (!Number.isFinite(u[0]) || !Number.isFinite(v[0])) continue;
      colMin = Math.min(colMin, u[0]);
      colMax = Math.max(colMax, u[0]);
      rowMin = Math.min(rowMin, v[0]);
      rowMax = Math.max(rowMax, v[0]);
    }
  }
  return colMin <= colMax ? { colMin, colMax, rowMin, rowMax } : undefined;
}
