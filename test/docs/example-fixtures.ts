/**
 * The world the TSDoc examples run in (test/docs/tsdoc-examples.test.ts): a small synthetic study
 * area written as a STAC scene into a scratch folder (the examples' working directory), and the
 * values examples name without defining (`smCoarse`, `ndvi`, `stations`, `train`, `context`…).
 * Everything is deterministic from fixed seeds.
 */
export { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRng,
  createTable,
  createWorkerPool,
  makeSeries,
  readStacScene,
  recordTable,
  resampleSeries,
  transformCoordinates,
  warpBands,
  warpSeries,
  writeGeoTiff,
  writeSmapL3,
  type GeoJsonArtifact,
  type Raster,
  type Series,
  type Table,
} from '../../core/index.js';
import { createHostContext } from '../../host/index.js';
import { writeSyntheticScene } from '../../plugins/index.js';
import { ROOT } from '../core/pipeline/helpers.js';
import { gridAround, MODIS_1KM, MODIS_ORIGIN, MODIS_SINUSOIDAL } from '../support/native-grids.js';
import { sharedPath } from '../support/shared-data.js';

/** A SMAP L3 36 km half-orbit: soil moisture on a third of the cells (a swath's coverage), NaN elsewhere. */
function smapPass(seed: number): { soilMoisture: Float32Array } {
  const r = createRng(seed);
  return { soilMoisture: Float32Array.from({ length: 964 * 406 }, () => (r.next() < 1 / 3 ? 0.05 + 0.4 * r.next() : Number.NaN)) };
}

/**
 * The examples' working directory: `demo/` (the scene), `pipelines/` (a link), `data/ISMN_download/` (a
 * link to ISMN test files in the shared data), `ndvi.tif`, `sm.tif`, a SMAP L3 file (both passes), `out/`.
 */
export const scratch = mkdtempSync(join(tmpdir(), 'soilscale-examples-'));
export const smallDemo = { days: 30, coarseCells: [3, 3], fineFactor: 11, stations: 15 } as const;
const { catalogPath } = await writeSyntheticScene(smallDemo, join(scratch, 'demo'));
symlinkSync(join(ROOT, 'pipelines'), join(scratch, 'pipelines'));
mkdirSync(join(scratch, 'data'));
symlinkSync(sharedPath('data', 'real', 'ismn-tuwgeo', 'tests', 'test_data', 'format_header_values'), join(scratch, 'data', 'ISMN_download'));
mkdirSync(join(scratch, 'out'));
export const scene = await readStacScene(catalogPath);

export const smCoarse = (await scene.load('sm_coarse')) as Series;
export const smDaily = smCoarse;
export const ndvi = (await scene.load('ndvi_1km')) as Series;
export const ndviDaily = ndvi;
export const lst = (await scene.load('lst_1km')) as Series;
export const truth = (await scene.load('sm_truth_1km')) as Series;
export const ndvi30m = (await scene.load('ndvi_30m')) as Series;
export const landcover30m = (await scene.load('landcover_30m')) as Series;
const dem30m = (await scene.load('dem_30m')) as Series;
export const dem: Raster = { kind: 'raster', grid: dem30m.grid, bands: [dem30m.values[0]], bandNames: ['dem'] };
export const stations = (await scene.stations())!;
await writeGeoTiff(join(scratch, 'ndvi.tif'), { kind: 'raster', grid: ndvi.grid, bands: [ndvi.values[0]], bandNames: ['ndvi'] });
await writeSmapL3(join(scratch, 'SMAP_L3_SM_P_20190401_R19240_001.h5'), { grid: 'M36', am: smapPass(21), pm: smapPass(22) });
await writeGeoTiff(join(scratch, 'sm.tif'), { kind: 'raster', grid: smCoarse.grid, bands: [smCoarse.values[0]], bandNames: ['sm'] });

/** The 1 km grid (27 × 27 pixels of 330 m), the coarse SM grid (3 × 3) and the 30 m grid (99 × 99). */
export const grid = ndvi.grid;
export const smGrid = smCoarse.grid;
export const coarseGrid = smGrid;
export const fineGrid = ndvi30m.grid;
export const dates = smCoarse.dates;
export const product = resampleSeries(smCoarse, grid, 'bilinear');

/**
 * The study area as two products see it (for the warp examples): `utmGrid` is the scene's UTM 14N 1 km
 * grid; `modisGrid` a MODIS sinusoidal 500 m tile window around it (wide enough for the sinusoidal
 * shear), carrying the scene's NDVI (`ndviSinusoidal`, one date) and land cover (`landcoverSinusoidal`).
 */
export const utmGrid = grid;
const centre = transformCoordinates(grid.crs, 'EPSG:4326', Float64Array.of(grid.transform[0] + (grid.width / 2) * grid.transform[1]), Float64Array.of(grid.transform[3] + (grid.height / 2) * grid.transform[5]));
export const modisGrid = gridAround(MODIS_SINUSOIDAL, centre.x[0], centre.y[0], MODIS_1KM / 2, 50, 30, MODIS_ORIGIN);
export const [ndviSinusoidal] = await warpBands([ndvi.values[0]], grid, modisGrid, { method: 'bilinear' });
export const landcoverSinusoidal = await warpSeries((await scene.load('landcover_1km')) as Series, modisGrid, { method: 'nearest' });

/** Three products of one variable with independent errors (for the three-cornered hat). */
const noisy = (seed: number, sd: number): Series => {
  const rng = createRng(seed);
  return makeSeries({ variable: 'sm', grid: truth.grid, dates: truth.dates, values: truth.values.map((v) => v.map((x) => x + sd * rng.normal())), unit: truth.unit });
};
export const smap = noisy(1, 0.02);
export const ascat = noisy(2, 0.03);
export const era5 = noisy(3, 0.04);

/** Daily 1 km SM and 30 m SM on three base dates (for ESTARFM). */
export const smDaily1km = truth;
const truth30m = (await scene.load('sm_truth_30m')) as Series;
const baseDates = [truth30m.dates[2], truth30m.dates[14], truth30m.dates[27]];
export const smSentinel30m = makeSeries({
  variable: 'sm',
  grid: truth30m.grid,
  dates: baseDates,
  values: baseDates.map((d) => truth30m.values[truth30m.dates.indexOf(d)]),
  unit: truth30m.unit,
});

/** Matched product / coarse / in-situ values (per station-date) and estimate / observation pairs. */
const rng = createRng(5);
export const insitu = Float64Array.from({ length: 200 }, () => 0.1 + 0.25 * rng.next());
export const downscaled = insitu.map((v) => v + 0.02 * rng.normal());
export const lowRes = insitu.map((v) => 0.6 * v + 0.08 + 0.04 * rng.normal());
export const e = downscaled;
export const o = insitu;

/** A zone map for rasterizing: two halves of the 30 m grid. */
const [x0, , , y0, , dy] = fineGrid.transform;
const width = fineGrid.width * fineGrid.transform[1];
const height = fineGrid.height * -dy;
const box = (left: number, right: number) => [[[left, y0], [right, y0], [right, y0 - height], [left, y0 - height], [left, y0]]];
export const basins: GeoJsonArtifact = {
  kind: 'geojson',
  crs: fineGrid.crs,
  data: {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', properties: { zone_id: 1 }, geometry: { type: 'Polygon', coordinates: box(x0, x0 + width / 2) } },
      { type: 'Feature', properties: { zone_id: 2 }, geometry: { type: 'Polygon', coordinates: box(x0 + width / 2, x0 + width) } },
    ],
  },
};

/** Validator-style tables of two methods. */
export const rfSummary = recordTable([{ n: 900, r: 0.81, ubrmse: 0.031 }]);
export const knnSummary = recordTable([{ n: 900, r: 0.77, ubrmse: 0.035 }]);
export const rfImportance = recordTable([{ method: 'permutation', feature: 'ndvi', value: 12.5 }]);
export const records = recordTable([{ n: 900, r: 0.81, rmse: 0.04, ubrmse: 0.031, bias: 0.01 }]);

/** Tables of two features (ndvi, lst) and a smooth target: training, test and validation rows. */
function table(rows: number, seed: number): Table {
  const r = createRng(seed);
  const t = createTable(['ndvi', 'lst'], rows, true);
  for (let i = 0; i < rows; i++) {
    const a = r.next();
    const b = 280 + 40 * r.next();
    t.x.set([a, b], 2 * i);
    t.y![i] = 0.4 - 0.2 * a - 0.004 * (b - 280) + 0.005 * r.normal();
  }
  return t;
}
export const train = table(300, 11);
export const test = table(100, 12);
export const validation = table(60, 13);

/** A plugin context whose nested plugins come from the built-ins (as in a pipeline run). */
export const context = createHostContext({ seed: 1, workers: createWorkerPool(1) });
export const input = { coarse: smCoarse, predictors: { ndvi, lst } };

/** Tiles of a raster, and the work done on each (for progress examples). */
export const tiles = Array.from({ length: 4 }, (_, i) => ndvi.values[i]);
export const work = (tile: Float32Array): number => tile.reduce((s, v) => s + v, 0);
