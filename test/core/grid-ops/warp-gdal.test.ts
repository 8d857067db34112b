/**
 * The warper against gdalwarp (Debian gdal-bin), pixel by pixel, on generated inputs in the native
 * grids a study mixes: EASE-Grid 2.0 (SMAP), MODIS sinusoidal, geographic (CCI, SRTM) and UTM, all
 * onto UTM. Both sides transform coordinates exactly here (`-et 0`, `maxError: 0`) so what is compared
 * is the resampling; the approximation is bounded separately in warp-coords.test.ts.
 *
 * Tolerances (per method, stated in `TOLERANCES`): the share of target pixels whose validity differs
 * (NaN on one side only: source edges and nodata borders, where a position within ~1e-6 px of a
 * pixel edge can fall either side between proj4js and PROJ), and the share of pixels valid on both
 * sides whose values differ by more than `value`.
 *
 * One deliberate difference: where a target pixel's footprint sticks out of the source, GDAL's
 * `average` weights the clamped edge pixel by `1 − (min − edge)` (> 1, e.g. 1.2 for a footprint
 * starting 0.2 px outside) while ours weights every source pixel by its true overlap. `average` values
 * are therefore compared on target pixels whose footprint lies inside the source; the others must
 * only agree on validity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warpBands, warpScale, type WarpMethod } from '../../../core/grid-ops/warp.js';
import { createPixelMapper } from '../../../core/grid-ops/warp-coords.js';
import { transformCoordinates } from '../../../core/crs/transform.js';
import { writeGeoTiff } from '../../../core/io/geotiff-write.js';
import { createGrid, gridBounds, type Grid } from '../../../core/model/grid.js';
import { rasterFromBands } from '../../../core/model/raster.js';
import { createRng } from '../../../core/util/random.js';
import { compareWarps, gdalwarp, haveGdalwarp } from '../../support/gdalwarp.js';
import { EASE2_9KM, EASE2_ORIGIN, gridAround, MODIS_1KM, MODIS_ORIGIN, MODIS_SINUSOIDAL } from '../../support/native-grids.js';


interface Tolerance {
  /** Largest share of pixels valid on one side only. */
  readonly validity: number;
  /** Absolute value tolerance. */
  readonly value: number;
  /** Largest share of both-valid pixels beyond `value`. */
  readonly beyond: number;
}

/**
 * Measured on these cases: every method agrees on every pixel (max |Δ| 3e-8, float32 rounding of the
 * cubic sums); the shares below leave room for a position within ~1e-6 px of a pixel edge, where
 * proj4js and PROJ may round to different sides.
 */
const TOLERANCES: Record<WarpMethod, Tolerance> = {
  nearest: { validity: 0.001, value: 0, beyond: 0.001 },
  bilinear: { validity: 0.001, value: 1e-6, beyond: 0.001 },
  cubic: { validity: 0.001, value: 1e-6, beyond: 0.001 },
  average: { validity: 0.001, value: 1e-6, beyond: 0.001 },
  mode: { validity: 0.001, value: 0, beyond: 0.001 },
  min: { validity: 0.001, value: 0, beyond: 0.001 },
  max: { validity: 0.001, value: 0, beyond: 0.001 },
};

interface WarpCase {
  readonly name: string;
  readonly source: Grid;
  /** CRS written into the GeoTIFF when ours has no EPSG code (gdalwarp then gets `-s_srs`). */
  readonly fileCrs?: string;
  readonly targetCrs: string;
  /** Target resolution for the point methods (finer than the source: upsampling, as they are used). */
  readonly pointResolution: number;
  /** Target resolution for the area methods (coarser than the source). */
  readonly areaResolution: number;
}

/** A target grid in `crs` at `resolution` over the bounding box of the source's footprint (so its corners lie outside the source). */
function targetOver(source: Grid, crs: string, resolution: number): Grid {
  const [xmin, ymin, xmax, ymax] = gridBounds(source);
  const k = 16;
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i <= k; i++) {
    const fx = xmin + ((xmax - xmin) * i) / k;
    const fy = ymin + ((ymax - ymin) * i) / k;
    xs.push(fx, fx, xmin, xmax);
    ys.push(ymin, ymax, fy, fy);
  }
  const p = transformCoordinates(source.crs, crs, Float64Array.from(xs), Float64Array.from(ys));
  const x0 = Math.floor(Math.min(...p.x) / resolution) * resolution;
  const x1 = Math.ceil(Math.max(...p.x) / resolution) * resolution;
  const y0 = Math.floor(Math.min(...p.y) / resolution) * resolution;
  const y1 = Math.ceil(Math.max(...p.y) / resolution) * resolution;
  return createGrid(Math.round((x1 - x0) / resolution), Math.round((y1 - y0) / resolution), [x0, resolution, 0, y1, 0, -resolution], crs);
}

/** A smooth field with noise and nodata (a block and 1 % scattered), or a blobby class map (1–5). */
function sourceValues(grid: Grid, classes: boolean, seed: number): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(grid.width * grid.height);
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const smooth = Math.sin(c / 7) * Math.cos(r / 5) + 0.5 * Math.sin((c + r) / 11);
      const i = r * grid.width + c;
      out[i] = classes ? 1 + Math.min(4, Math.max(0, Math.floor(2.5 + 1.6 * smooth + 0.6 * rng.normal()))) : 0.25 + 0.1 * smooth + 0.03 * rng.normal();
      if (rng.next() < 0.01) out[i] = Number.NaN;
    }
  }
  const r0 = Math.floor(grid.height * 0.3);
  const c0 = Math.floor(grid.width * 0.55);
  for (let r = r0; r < r0 + Math.max(2, Math.floor(grid.height / 10)); r++) out.fill(Number.NaN, r * grid.width + c0, r * grid.width + c0 + Math.max(2, Math.floor(grid.width / 8)));
  return out;
}

const CASES: WarpCase[] = [
  { name: 'EASE-Grid 2.0 9 km → UTM 33N', source: gridAround('EPSG:6933', 15, 45, EASE2_9KM, 40, 30, EASE2_ORIGIN), targetCrs: 'EPSG:32633', pointResolution: 3000, areaResolution: 20000 },
  {
    name: 'MODIS sinusoidal 926.6 m → UTM 33N',
    source: gridAround(MODIS_SINUSOIDAL, 16.2, 46, MODIS_1KM, 90, 80, MODIS_ORIGIN),
    fileCrs: 'EPSG:3857',
    targetCrs: 'EPSG:32633',
    pointResolution: 400,
    areaResolution: 2500,
  },
  { name: 'geographic 0.01° → UTM 33N', source: gridAround('EPSG:4326', 14, 44, 0.01, 80, 60), targetCrs: 'EPSG:32633', pointResolution: 400, areaResolution: 2500 },
  { name: 'UTM 33N 100 m → UTM 34N', source: gridAround('EPSG:32633', 17.9, 45.5, 100, 120, 100), targetCrs: 'EPSG:32634', pointResolution: 40, areaResolution: 250 },
  // Same CRS, coarser target: the affine path, and bilinear/cubic with GDAL's kernel widened by 1/scale.
  { name: 'UTM 33N 100 m → UTM 33N 150 m / 250 m', source: gridAround('EPSG:32633', 15.2, 45.5, 100, 120, 100), targetCrs: 'EPSG:32633', pointResolution: 150, areaResolution: 250 },
];

/** 1 where the target pixel's footprint (its mapped corners) lies inside the source grid. */
function insideSource(from: Grid, to: Grid): Uint8Array {
  const mapper = createPixelMapper(from, to, 0);
  const u = new Float64Array(to.width + 1);
  const v = new Float64Array(to.width + 1);
  const cornerInside = new Uint8Array((to.width + 1) * (to.height + 1));
  for (let r = 0; r <= to.height; r++) {
    mapper.mapRow(r, 0, to.width + 1, u, v);
    for (let c = 0; c <= to.width; c++) cornerInside[r * (to.width + 1) + c] = u[c] >= 0 && u[c] <= from.width && v[c] >= 0 && v[c] <= from.height ? 1 : 0;
  }
  const out = new Uint8Array(to.width * to.height);
  for (let r = 0; r < to.height; r++) {
    for (let c = 0; c < to.width; c++) {
      const k = r * (to.width + 1) + c;
      out[r * to.width + c] = cornerInside[k] & cornerInside[k + 1] & cornerInside[k + to.width + 1] & cornerInside[k + to.width + 2];
    }
  }
  return out;
}

/** Both bands with pixels outside `mask` set to NaN. */
function interiorOnly(a: Float32Array, b: Float32Array, mask: Uint8Array): [Float32Array, Float32Array] {
  return [a.map((x, i) => (mask[i] ? x : Number.NaN)), b.map((x, i) => (mask[i] ? x : Number.NaN))];
}

const POINT_METHODS: WarpMethod[] = ['nearest', 'bilinear', 'cubic'];

const skip = haveGdalwarp() ? false : 'gdalwarp (Debian gdal-bin) is not installed';

CASES.forEach((c, index) => {
  test(`warp matches gdalwarp: ${c.name}`, { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soilscale-warp-'));
    try {
      for (const classes of [false, true]) {
        const values = sourceValues(c.source, classes, 100 + index);
        const input = join(dir, `in-${classes ? 'classes' : 'field'}.tif`);
        await writeGeoTiff(input, rasterFromBands({ ...c.source, crs: c.fileCrs ?? c.source.crs }, [values]), { overviews: false });
        // Point methods on the finer target, area methods (and bilinear/cubic downsampling) on the coarser one.
        const runs: Array<[WarpMethod, number]> = classes
          ? [['nearest', c.pointResolution], ['mode', c.areaResolution]]
          : [...POINT_METHODS.map((m) => [m, c.pointResolution] as [WarpMethod, number]), ...(['average', 'min', 'max', 'bilinear', 'cubic'] as const).map((m) => [m, c.areaResolution] as [WarpMethod, number])];
        for (const [method, resolution] of runs) {
          const to = targetOver(c.source, c.targetCrs, resolution);
          // GDAL derives the kernel scale per chunk from its source window (clipped to the raster); ours is
          // the footprint of the target's centre pixel. XSCALE/YSCALE hand gdalwarp the same scale.
          const { scaleX, scaleY } = warpScale(c.source, to);
          const extra = ['-wo', `XSCALE=${scaleX}`, '-wo', `YSCALE=${scaleY}`];
          const theirs = await gdalwarp(input, join(dir, `out-${method}-${resolution}.tif`), { to, method, sourceCrs: c.fileCrs ? c.source.crs : undefined, extra });
          const [ours] = await warpBands([values], c.source, to, { method, maxError: 0 });
          const tol = TOLERANCES[method];
          const validity = compareWarps(ours, theirs, tol.value);
          const diff = method === 'average' ? { ...compareWarps(...interiorOnly(ours, theirs, insideSource(c.source, to)), tol.value), validityMismatch: validity.validityMismatch } : validity;
          const what = `${c.name}, ${method}${classes ? ' (class map)' : ''} on ${to.width}×${to.height}: ${JSON.stringify(diff)}`;
          if (process.env.SOILSCALE_WARP_STATS) console.log(what);
          assert.ok(diff.bothValid > 0.25 * diff.pixels, `too few comparable pixels: ${what}`);
          assert.ok(diff.validityMismatch <= tol.validity * diff.pixels, `validity differs: ${what}`);
          assert.ok(diff.overTolerance <= tol.beyond * diff.bothValid, `values differ: ${what}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
