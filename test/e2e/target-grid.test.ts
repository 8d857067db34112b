/**
 * A small scene in mixed CRSs, as a study downloads it, run through `source:stac` with a target grid:
 * σ⁰ in UTM 33N at 100 m (the target, `grid.like`), NDVI in geographic 0.01°, land cover in UTM 34N at
 * 60 m, coarse soil moisture on EASE-Grid 2.0 9 km (which does not nest in UTM) — and, once the GeoTIFF
 * reader reads user-defined CRSs, LST on the MODIS sinusoidal grid. Every asset must land on the
 * target grid (coarse SM on a 9 km UTM grid the target nests in) with the values gdalwarp gives for the
 * same resampling, a bilinear downscaler must accept the result (it refused a non-nesting coarse grid
 * before), and every decision must be reported.
 *
 * Tolerances: the run approximates coordinates (0.125 px, as gdalwarp does by default) and the two
 * approximations may put a position up to ~0.25 source px apart, so: values (continuous: within 1e-4
 * on a 0.25 ± 0.11 field; class maps: equal) on ≥ 99.9 % of the pixels valid on both sides, validity
 * on ≥ 99.5 % of all pixels. Measured: every pixel equal except 2 of 90 000 land-cover pixels.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGrid,
  createMemoryLogger,
  readGeoTiffInfo,
  rasterFromBands,
  warpScale,
  writeGeoTiff,
  type Artifact,
  type Grid,
  type Series,
  type WarpMethod,
} from '../../core/index.js';
import { runPipeline } from '../../core/pipeline/index.js';
import { createRegistry } from '../../core/plugin/registry.js';
import { builtinPlugins } from '../../plugins/index.js';
import { compareWarps, gdalwarp, haveGdalwarp } from '../support/gdalwarp.js';
import { EASE2_9KM, EASE2_ORIGIN, gridAround, MODIS_1KM, MODIS_ORIGIN, MODIS_SINUSOIDAL } from '../support/native-grids.js';

const TARGET = createGrid(300, 300, [700000, 100, 0, 5050000, 0, -100], 'EPSG:32633');
const CENTRE = { lon: 17.7, lat: 45.45 }; // the target's centre, near the 33N/34N zone edge
const DATES = ['2024-06-01', '2024-06-02'];

/** A grid around the target's centre. */
const around = (crs: string, cell: number, cols: number, rows: number, origin?: [number, number]): Grid => gridAround(crs, CENTRE.lon, CENTRE.lat, cell, cols, rows, origin);

/** A smooth field (or 1–4 classes) over the grid's pixels; `day` shifts it. */
function field(grid: Grid, day: number, classes = false): Float32Array {
  const out = new Float32Array(grid.width * grid.height);
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      const s = Math.sin((c + 3 * day) / 9) * Math.cos(r / 7) + 0.4 * Math.sin((c - r) / 13);
      out[r * grid.width + c] = classes ? 1 + Math.min(3, Math.max(0, Math.floor(2 + 1.5 * s))) : 0.25 + 0.08 * s;
    }
  }
  return out;
}

interface AssetSpec {
  readonly key: string;
  readonly grid: Grid;
  readonly dated: boolean;
  readonly classes?: boolean;
  /** CRS written in the file when ours cannot be encoded (gdalwarp then gets -s_srs). */
  readonly fileCrs?: string;
  /** What the run must choose, and onto which grid. */
  readonly method: WarpMethod;
  readonly onto: Grid;
}

const COARSE = createGrid(4, 4, [700000, 9000, 0, 5050000, 0, -9000], 'EPSG:32633'); // 90 × 100 m cells
const ASSETS: AssetSpec[] = [
  { key: 'sigma0_vv_100m', grid: TARGET, dated: true, method: 'nearest', onto: TARGET },
  { key: 'ndvi_1km', grid: around('EPSG:4326', 0.01, 60, 50), dated: true, method: 'bilinear', onto: TARGET },
  { key: 'landcover_60m', grid: around('EPSG:32634', 60, 640, 640), dated: false, classes: true, method: 'mode', onto: TARGET },
  { key: 'sm_coarse', grid: around('EPSG:6933', EASE2_9KM, 8, 8, EASE2_ORIGIN), dated: true, method: 'average', onto: COARSE },
];
const LST: AssetSpec = { key: 'lst_1km', grid: around(MODIS_SINUSOIDAL, MODIS_1KM, 50, 50, MODIS_ORIGIN), dated: true, fileCrs: 'EPSG:3857', method: 'bilinear', onto: TARGET };

/**
 * Write `values` on `grid`. Our writer encodes EPSG CRSs only: for another CRS it writes `placeholder`
 * and GDAL stamps the real (user-defined) CRS, as a MODIS download carries it.
 */
async function writeWithCrs(file: string, grid: Grid, placeholder: string | undefined, values: Float32Array): Promise<void> {
  if (!placeholder) return writeGeoTiff(file, rasterFromBands(grid, [values]), { overviews: false });
  const tmp = `${file}.epsg.tif`;
  await writeGeoTiff(tmp, rasterFromBands({ ...grid, crs: placeholder }, [values]), { overviews: false });
  const r = spawnSync('/usr/bin/gdal_translate', ['-q', '-a_srs', grid.crs, tmp, file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  rmSync(tmp);
}

async function writeScene(dir: string, assets: readonly AssetSpec[]): Promise<string> {
  const features: object[] = [];
  const assetEntry = (a: AssetSpec, file: string) => ({ href: file, type: 'image/tiff; application=geotiff', ...(a.classes ? { 'soilscale:categorical': true } : {}) });
  for (const a of assets) {
    for (const [i, date] of (a.dated ? DATES : [undefined]).entries()) {
      const file = `${a.key}-${date ?? 'static'}.tif`;
      await writeWithCrs(join(dir, file), a.grid, a.fileCrs, field(a.grid, i, a.classes));
      features.push({ type: 'Feature', stac_version: '1.0.0', id: `${a.key}-${date ?? 'static'}`, properties: { datetime: date ? `${date}T00:00:00Z` : null }, assets: { [a.key]: assetEntry(a, file) }, links: [] });
    }
  }
  const path = join(dir, 'scene.json');
  writeFileSync(path, JSON.stringify({ type: 'FeatureCollection', id: 'mixed-crs', features }));
  return path;
}

/** Whether our GeoTIFF reader takes a user-defined (sinusoidal) CRS yet. */
async function readsUserDefinedCrs(dir: string): Promise<boolean> {
  const file = join(dir, 'probe.tif');
  await writeWithCrs(file, LST.grid, 'EPSG:3857', field(LST.grid, 0));
  try {
    await readGeoTiffInfo(file);
    return true;
  } catch {
    return false;
  }
}

const series = (a: Artifact | undefined, key: string): Series => {
  assert.ok(a && a.kind === 'series', `${key}: expected a series, got ${a?.kind}`);
  return a;
};

const skip = haveGdalwarp() ? false : 'gdalwarp (Debian gdal-bin) is not installed';
const sinusoidalSkip = skip ? skip : (await probeUserDefinedCrs()) ? false : 'the GeoTIFF reader does not read user-defined (sinusoidal) CRSs yet';

async function probeUserDefinedCrs(): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-crs-probe-'));
  try {
    return await readsUserDefinedCrs(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run the scene of `assets` through source:stac with `grid.like` σ⁰ and check every asset against gdalwarp. */
async function checkAgainstGdal(assets: readonly AssetSpec[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-target-grid-'));
  try {
    const scene = await writeScene(dir, assets);
    const outputs = Object.fromEntries(assets.map((a) => [a.key, { $node: 'scene', output: a.key }]));
    const pipeline = {
      schemaVersion: '1.0',
      id: 'target-grid',
      nodes: {
        scene: { uses: 'source:stac', with: { path: scene, grid: { like: 'sigma0_vv_100m' } } },
        down: { uses: 'downscaler:bilinear', with: { coarse: { $node: 'scene', output: 'sm_coarse' }, target: { $node: 'scene', output: 'sigma0_vv_100m' } } },
      },
      outputs: { ...outputs, sm_100m: { $node: 'down', output: 'product' } },
    };
    const logger = createMemoryLogger();
    const r = await runPipeline(pipeline, { out: join(dir, 'run'), registry: createRegistry(builtinPlugins), logger, report: false });

    for (const a of assets) {
      const got = series(r.artifacts.get(a.key), a.key);
      assert.deepEqual(got.grid, a.onto, `${a.key} lands on ${a.onto === TARGET ? 'the target grid' : 'the coarse grid'}`);
      for (const [i, date] of (a.dated ? DATES : [undefined]).entries()) {
        const file = join(dir, `${a.key}-${date ?? 'static'}.tif`);
        const { scaleX, scaleY } = warpScale(a.grid, a.onto);
        const theirs = await gdalwarp(file, join(dir, `gdal-${a.key}-${i}.tif`), { to: a.onto, method: a.method, maxError: 0.125, extra: ['-wo', `XSCALE=${scaleX}`, '-wo', `YSCALE=${scaleY}`] });
        const tolerance = a.classes ? 0 : 1e-4;
        const d = compareWarps(got.values[i], theirs, tolerance);
        const what = `${a.key} ${date ?? 'static'} (${a.method}): ${JSON.stringify(d)}`;
        if (process.env.SOILSCALE_WARP_STATS) console.log(what);
        assert.ok(d.bothValid >= 0.9 * d.pixels, `mostly valid: ${what}`);
        assert.ok(d.validityMismatch <= 0.005 * d.pixels, `validity: ${what}`);
        assert.ok(d.overTolerance <= 0.001 * d.bothValid, `values: ${what}`);
      }
    }
    // The downscaler takes the regridded coarse product as it is: it nests in the target.
    const product = series(r.artifacts.get('sm_100m'), 'sm_100m');
    assert.deepEqual(product.grid, TARGET);
    assert.ok(product.values.every((v) => v.every((x) => Number.isFinite(x))), 'a value on every target pixel');

    if (process.env.SOILSCALE_WARP_STATS) console.log(logger.lines.join("\n"));
    const reported = [...r.warnings.map((w) => `${w.code} ${w.message}`), ...logger.lines].join('\n');
    assert.match(reported, /sm_coarse \(EPSG:6933, pixels ≈ 9005.6 m here\) does not nest with the target grid: regridded by area-weighted averaging onto 4 × 4 cells of 9000 m \(90 target pixels\) in EPSG:32633/);
    assert.match(reported, /ndvi_1km \(EPSG:4326, pixels ≈ 932.66 m here\) warped onto the target grid \(EPSG:32633, 100 m pixels\) with bilinear/);
    assert.match(reported, /landcover_60m \(EPSG:32634, pixels ≈ 59.986 m here\) warped onto the target grid \(EPSG:32633, 100 m pixels\) with mode \(class map\)/);
    assert.doesNotMatch(reported, /sigma0_vv_100m/, 'the target asset itself is not warped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('source:stac with a target grid puts a mixed-CRS scene on one grid, as gdalwarp would', { skip }, () => checkAgainstGdal(ASSETS));

test('… with MODIS-sinusoidal LST too', { skip: sinusoidalSkip }, () => checkAgainstGdal([...ASSETS, LST]));


test('a target grid that misses an asset is an error naming the asset and both extents', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'soilscale-target-grid-'));
  try {
    const scene = await writeScene(dir, [ASSETS[0], ASSETS[1]]);
    const pipeline = {
      schemaVersion: '1.0',
      id: 'target-grid-miss',
      nodes: { scene: { uses: 'source:stac', with: { path: scene, grid: { crs: 'EPSG:32633', resolution: 100, bbox: [300000, 4000000, 310000, 4010000] } } } },
      outputs: { ndvi: { $node: 'scene', output: 'ndvi_1km' } },
    };
    await assert.rejects(
      runPipeline(pipeline, { out: join(dir, 'run'), registry: createRegistry(builtinPlugins), logger: createMemoryLogger(), report: false }),
      (e: unknown) => e instanceof Error && /asset '(ndvi_1km|sigma0_vv_100m)' does not overlap the target grid.*\[300000, 4000000, 310000, 4010000\] in EPSG:32633.*covers \[/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
